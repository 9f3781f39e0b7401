import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runSetup } from "../../../src/cli/commands/setup.js";
import { main } from "../../../src/cli/main.js";
import type { CliIO } from "../../../src/cli/types.js";
import { playbookJourney } from "../../../src/core/journey/index.js";
import {
  journeyMailerliteGroups,
  MAILERLITE_FIELDS,
  MAILERLITE_STAGE_GROUPS,
} from "../../../src/core/mailerlite-fields.js";
import { type MailerLiteEmulator, startMailerLiteEmulator } from "../../../src/emulators/mailerlite.js";
import { runCli } from "../run-cli.js";
import { segmentShopperEvents } from "../segment-shoppers.js";

function captureIO(): CliIO & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    stdin: new PassThrough(),
    out: () => out,
    err: () => err,
  };
}

let emulator: MailerLiteEmulator;
const TOKEN = "setup-token";

beforeAll(async () => {
  emulator = await startMailerLiteEmulator({ apiKeys: [TOKEN] });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

describe("cartback setup mailerlite", () => {
  it("creates every field and the playbook's groups, then finds them all on a second run", async () => {
    const env = { MAILERLITE_API_KEY: TOKEN, MAILERLITE_BASE_URL: emulator.url };
    const groups = journeyMailerliteGroups(playbookJourney());
    const first = captureIO();
    expect(await runSetup(["mailerlite"], first, env)).toBe(0);
    const keys = emulator.fields().map((f) => f.key);
    for (const field of MAILERLITE_FIELDS) expect(keys).toContain(field.key);
    expect(emulator.fields().find((f) => f.key === "cart_total")?.type).toBe("number");
    expect(emulator.groups().map((g) => g.name)).toEqual(groups);
    expect(groups).toEqual(expect.arrayContaining([...MAILERLITE_STAGE_GROUPS, "cartback-stage-4-final"]));
    expect(first.out()).toContain("+ cart_url");
    expect(first.out()).toContain(`Created ${MAILERLITE_FIELDS.length + groups.length}, already there 0.`);

    const second = captureIO();
    expect(await runSetup(["mailerlite"], second, env)).toBe(0);
    expect(second.out()).toContain(`Created 0, already there ${MAILERLITE_FIELDS.length + groups.length}.`);
    expect(emulator.groups()).toHaveLength(groups.length);
    expect(emulator.requests({ method: "POST", path: "/api/fields" })).toHaveLength(MAILERLITE_FIELDS.length);
  });

  it("creates every group the three presets use: the groups simulate adds shoppers to, in every segment", async () => {
    const env = { MAILERLITE_API_KEY: TOKEN, MAILERLITE_BASE_URL: emulator.url };
    const io = captureIO();
    const presets = ["playbook", "classic", "coordinated"];
    expect(await runSetup(["mailerlite", ...presets.flatMap((p) => ["--journey", p])], io, env)).toBe(0);
    const created = new Set(emulator.groups().map((g) => g.name));

    const simulated = new Set<string>();
    const events = segmentShopperEvents();
    for (const preset of presets) {
      const run = await runCli(["simulate", "--journey", preset, "-"], events);
      expect(run.stderr).toBe("");
      for (const line of run.stdout.trim().split("\n")) {
        const record = JSON.parse(line) as { type: string; command: { group?: string } };
        if (record.type === "mailerlite.addToGroup") simulated.add(record.command.group as string);
      }
    }
    expect([...simulated].sort()).toEqual([...created].sort());
    expect(created.size).toBe(16);
  });

  it("lists the automations still to build, with their template and trigger, and drops those built", async () => {
    const env = { MAILERLITE_API_KEY: TOKEN, MAILERLITE_BASE_URL: emulator.url };
    const first = captureIO();
    expect(await runSetup(["mailerlite", "--journey", "classic"], first, env)).toBe(0);
    expect(first.out()).toContain("Automations to create in MailerLite (its API cannot create them");
    expect(first.out()).toContain("docs/mailerlite.md");
    expect(first.out()).toContain('trigger:  when a subscriber joins group "cartback-classic-coupon"');
    expect(first.out()).toMatch(
      /subject "\{\$discount_percent\}% off the items in your cart", HTML from \S+classic-coupon\.html/,
    );

    emulator.addAutomation({ name: "Cart reminder", group: "cartback-classic-reminder" });
    emulator.addAutomation({ name: "Coupon (draft)", group: "cartback-classic-coupon", enabled: false });
    const second = captureIO();
    expect(await runSetup(["mailerlite", "--journey", "classic"], second, env)).toBe(0);
    const todo = second.out().split("Automations to create")[1]?.split("Groups with an enabled")[0];
    expect(todo).not.toContain("cartback-classic-reminder");
    expect(todo).toContain("cartback-classic-coupon  (one exists but is not enabled)");
    expect(second.out()).toContain(
      'Groups with an enabled automation: cartback-classic-reminder ("Cart reminder")',
    );
  });

  it("reads the journeys of a config file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cartback-setup-"));
    const config = join(dir, "cartback.config.json");
    writeFileSync(config, JSON.stringify({ journeys: ["coordinated"] }));
    const io = captureIO();
    const env = { MAILERLITE_API_KEY: TOKEN, MAILERLITE_BASE_URL: emulator.url };
    expect(await runSetup(["mailerlite", "--config", config], io, env)).toBe(0);
    expect(emulator.groups().map((g) => g.name)).toEqual([
      "cartback-coordinated-first",
      "cartback-coordinated-second",
    ]);
    writeFileSync(config, JSON.stringify({ journeys: ["nope"] }));
    await expect(runSetup(["mailerlite", "--config", config], captureIO(), env)).rejects.toThrow(
      /journeys\[0\] must be playbook, classic, coordinated or a journey, got "nope"/,
    );
  });

  it("creates the groups named with --group and flags a field that exists with another type", async () => {
    const env = { MAILERLITE_API_KEY: TOKEN };
    const io = captureIO();
    await runSetup(["mailerlite", "--base-url", emulator.url, "--group", "vip"], captureIO(), env);
    expect(emulator.groups().map((g) => g.name)).toEqual(["vip"]);

    emulator.reset();
    const sdkCall = await fetch(`${emulator.url}/api/fields`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "cart_total", type: "text" }),
    });
    expect(sdkCall.status).toBeLessThan(300);
    expect(await runSetup(["mailerlite", "--base-url", emulator.url], io, env)).toBe(1);
    expect(io.out()).toMatch(/! cart_total\s+exists as text, cartback writes number/);
  });

  it("explains a missing key, a rejected key, and wrong usage", async () => {
    const io = captureIO();
    const previous = process.env.MAILERLITE_API_KEY;
    delete process.env.MAILERLITE_API_KEY;
    try {
      expect(await main(["setup", "mailerlite"], io)).toBe(2);
      expect(io.err()).toContain("MAILERLITE_API_KEY is not set");
      expect(await main(["setup", "klaviyo"], io)).toBe(2);
      expect(io.err()).toContain('cannot set up "klaviyo"');
    } finally {
      if (previous !== undefined) process.env.MAILERLITE_API_KEY = previous;
    }
    const denied = captureIO();
    expect(
      await runSetup(["mailerlite", "--base-url", emulator.url], denied, { MAILERLITE_API_KEY: "nope" }),
    ).toBe(1);
    expect(denied.err()).toMatch(/401.*check the `MAILERLITE_API_KEY` setting/);
  });

  it("is listed in cartback --help", async () => {
    const io = captureIO();
    await main(["--help"], io);
    expect(io.out()).toContain("setup mailerlite");
  });
});
