import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RecoveryReport } from "../../src/core/analytics/index.js";
import { add, clicked, identify, order } from "../core/journey/scenarios.js";
import { runCli } from "./run-cli.js";

// four shoppers with known outcomes, minutes after 2026-03-02T10:00Z: a clicks the first email and
// orders before the second; b orders a week after the last email, outside every window; c orders
// before the cart counts as abandoned; d never orders
const ann = { id: "ann" };
const bea = { id: "bea" };
const cy = { id: "cy" };
const dev = { id: "dev" };
const events = [
  identify(ann, 0),
  identify(bea, 0),
  identify(cy, 0),
  identify(dev, 0),
  add(ann, 0, 60),
  add(bea, 0, 60),
  add(cy, 0, 60),
  add(dev, 0, 60),
  add(cy, 5, 20, "USD", "Belt"),
  order(cy, 10, 80),
  clicked(ann, 120, 1),
  order(ann, 150, 64.5),
  order(bea, 40 * 24 * 60, 60),
];

describe("cartback simulate --report", () => {
  const dir = mkdtempSync(join(tmpdir(), "cartback-simulate-report-"));
  const path = join(dir, "events.ndjson");
  writeFileSync(path, `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);

  it("back-tests which orders the journey would have been credited with, as the journey's own events say", async () => {
    const { code, stdout, stderr } = await runCli([
      "simulate",
      "--report",
      "--format",
      "json",
      "--until",
      "+1d",
      path,
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as RecoveryReport;
    const j = report.journeys[0]!;
    expect(j.treated).toMatchObject({ carts: 3, messaged: 3, recovered: 1, revenue: { USD: 64.5 } });
    expect(report.orders).toEqual({
      recovered: { orders: 1, revenue: { USD: 64.5 } },
      notRecovered: { orders: 1, revenue: { USD: 60 } },
      noJourney: { orders: 1, revenue: { USD: 80 } },
    });
    // ann's order credits the stage 1 email twice over: the last message, and the one she clicked
    const stage1 = j.stages[0]!;
    expect(stage1).toMatchObject({ reached: 3, recoveries: 1, clickRecoveries: 1, clicked: 1, share: 1 });
    expect(
      report.messageRows.filter((r) => r.recoveries > 0).map((r) => [r.stage, r.step, r.channel]),
    ).toEqual([[1, "email", "email"]]);
  });

  it("prints it for people, and as a page", async () => {
    const text = await runCli(["simulate", "--report", "--until", "+1d", path]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("recovered 1 of 3 treated (33.3 %");
    const html = await runCli(["simulate", "--report", "--format", "html", "--until", "+1d", path]);
    expect(html.stdout).toMatch(/^<!doctype html>/);
    const wrong = await runCli(["simulate", "--report", "--format", "table", path]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("with --report, --format must be text, json or html");
  });
});
