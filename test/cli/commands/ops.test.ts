import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { playbookJourney } from "../../../src/core/journey/index.js";
import type { Profile } from "../../../src/core/profile.js";
import { createManualClock } from "../../../src/runtime/clock.js";
import { createEngine } from "../../../src/runtime/engine.js";
import { journeyTimeline } from "../../../src/runtime/report.js";
import type { OutboxEntry } from "../../../src/runtime/store.js";
import { sqliteStore } from "../../../src/stores/sqlite.js";
import { MIN, T0 } from "../../core/journey/helpers.js";
import { add, identify } from "../../core/journey/scenarios.js";
import { runCli } from "../run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "cartback-ops-"));
const db = join(dir, "cartback.db");
const ann = { id: "ann", phone: "+14155550123", sms: true };

beforeAll(async () => {
  // an engine with no destinations: the first nudge's email commands land in the dead-letter queue
  const store = sqliteStore({ path: db });
  const clock = createManualClock(T0);
  const engine = createEngine({ store, journeys: [playbookJourney()], destinations: [], clock });
  await engine.ingest([identify(ann), add(ann, 0, 30)]);
  clock.set(T0 + 90 * MIN);
  await engine.tick();
  // the stage's text would follow the email 10 minutes later: without WhatsApp consent, it is skipped
  clock.set(T0 + 100 * MIN);
  await engine.tick();
  await engine.stop();
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function outbox() {
  const store = sqliteStore({ path: db });
  try {
    return await store.listOutbox({ limit: 100 });
  } finally {
    await store.close();
  }
}

describe("operations commands", () => {
  it("dlq list shows each dead letter with its reason", async () => {
    const { code, stdout } = await runCli(["dlq", "list", "--db", db]);
    expect(code).toBe(0);
    expect(stdout).toContain("mailerlite.addToGroup");
    expect(stdout).toContain('no destination handles mailerlite.addToGroup; configure "mailerlite"');
    expect(stdout).toMatch(/2 dead letters/);
    // the journey planned the email; the timeline says it never went, and why
    const shown = await runCli(["profile", "show", "ann@example.com", "--db", db]);
    expect(shown.stdout).toContain(
      'dead  stage 1 email by email: configuration: no destination handles mailerlite.addToGroup; configure "mailerlite"',
    );
    expect(shown.stdout).not.toMatch(/\ssent\s+stage 1/);
  });

  it("dlq retry puts one back in the outbox; dlq drop --all gives up the rest", async () => {
    const dead = (await outbox()).filter((e) => e.state === "dead");
    const key = dead.find((e) => e.command.type === "mailerlite.upsertSubscriber")?.key as string;
    const retried = await runCli(["dlq", "retry", key, "--db", db]);
    expect(retried).toMatchObject({ code: 0, stdout: "retrying 1 of 1\n" });
    expect((await outbox()).find((e) => e.key === key)?.state).toBe("pending");
    const dropped = await runCli(["dlq", "drop", "--all", "--db", db]);
    expect(dropped).toMatchObject({ code: 0, stdout: "dropped 1 of 1\n" });
    expect((await runCli(["dlq", "list", "--db", db])).stdout).toBe("the dead-letter queue is empty\n");
    const missing = await runCli(["dlq", "retry", "no-such-key", "--db", db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no-such-key: not in the dead-letter queue");
  });

  it("profile show finds a shopper by email and tells what happened and what is next", async () => {
    const { code, stdout } = await runCli(["profile", "show", "Ann@Example.com", "--db", db]);
    expect(code).toBe(0);
    expect(stdout).toContain("profile p:user:ann");
    expect(stdout).toContain("sms granted");
    expect(stdout).toMatch(/abandoned\s+segment first-time-low/);
    // one of its commands was dropped from the dead-letter queue: the email will never go
    expect(stdout).toContain("dropped  stage 1 email by email");
    expect(stdout).toContain(`wake-up at ${new Date(T0 + 90 * MIN + 24 * 60 * MIN).toISOString()}`);
    expect(stdout).toContain("then: mailerlite.addToGroup email");
    const json = JSON.parse(
      (await runCli(["profile", "show", "+1 415 555 0123", "--db", db, "--format", "json"])).stdout,
    );
    expect(json.id).toBe("p:user:ann");
    const none = await runCli(["profile", "show", "nobody@example.com", "--db", db]);
    expect(none).toMatchObject({ code: 1, stderr: 'no shopper found for "nobody@example.com"\n' });
  });

  it("the timeline follows each message to its outcome: queued, sent, then the provider's report", async () => {
    const store = sqliteStore({ path: db });
    try {
      const profile = (await store.load("p:user:ann"))?.profile as Profile;
      const entries = (await store.listOutbox({ profileId: "p:user:ann", limit: 100 })).filter(
        (e) => e.command.kind === "message" && e.command.stage === 1,
      );
      const email = (state: OutboxEntry["state"]) => entries.map((e) => ({ ...e, state, attempts: 0 }));
      const line = (p: Profile, outbox: OutboxEntry[]) =>
        journeyTimeline(p, outbox).find((t) => t.detail.startsWith("stage 1 email"))?.what;
      expect(line(profile, email("pending"))).toBe("queued");
      expect(line(profile, email("sent"))).toBe("sent");
      const at = T0 + 91 * MIN;
      const report = (engagement: "delivered" | "bounced") => ({
        ...profile,
        engagement: [
          { at, engagement, channel: "email" as const, cartId: "cart-ann", stage: 1, step: "email" },
        ],
      });
      expect(line(report("delivered"), email("sent"))).toBe("delivered");
      expect(line(report("bounced"), email("sent"))).toBe("failed");
      expect(line(profile, [])).toBe("planned");
    } finally {
      await store.close();
    }
  });

  it("forget erases the shopper and queues MailerLite's forget", async () => {
    const { code, stdout } = await runCli(["forget", "ann@example.com", "--db", db]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/erased p:user:ann: 3 identity keys, \d+ outbox entries/);
    const left = await outbox();
    expect(left.map((e) => e.command.type)).toEqual(["mailerlite.forget"]);
    expect(left[0]?.command).toMatchObject({ email: "ann@example.com" });
    expect((await runCli(["profile", "show", "ann@example.com", "--db", db])).code).toBe(1);
  });

  it("explains wrong usage", async () => {
    expect(await runCli(["dlq", "frob", "--db", db])).toMatchObject({ code: 2 });
    expect((await runCli(["dlq", "frob", "--db", db])).stderr).toContain('unknown dlq action "frob"');
    expect((await runCli(["dlq", "retry", "--db", db])).stderr).toContain("needs the keys to retry");
    expect((await runCli(["profile", "show", "x", "--db", join(dir, "missing.db")])).stderr).toContain(
      "no cartback database at",
    );
  });
});
