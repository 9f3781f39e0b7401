/**
 * An engine process killed with SIGKILL under load, then restarted on the same SQLite file: every
 * acknowledged event is in the state, every due message is delivered, and no Twilio message goes out
 * twice. The emulators run in this process and survive the kill.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import {
  ML_TOKEN,
  SID,
  shopperMessages,
  startEngineChild,
  TOKEN,
  unsettledOutbox,
  waitFor,
} from "./processes.js";

const dir = mkdtempSync(join(tmpdir(), "cartback-engine-crash-"));
let emulators: RunningEmulators;
beforeAll(async () => {
  emulators = await startEmulators({
    mailerlite: { apiKeys: [ML_TOKEN], rateLimit: { limit: 1_000_000 } },
    twilio: { accounts: { [SID]: TOKEN } },
  });
});
afterAll(async () => {
  await emulators.stop();
  rmSync(dir, { recursive: true, force: true });
});

const SHOPPERS = 400;
const PER_BATCH = 10;

describe("the engine after SIGKILL", () => {
  it("loses no acknowledged event and no due message, and sends no Twilio message twice", {
    timeout: 120_000,
  }, async () => {
    const env = {
      ENGINE_DB: join(dir, "engine.db"),
      ML_URL: emulators.urls.mailerlite as string,
      TWILIO_URL: emulators.urls.twilio as string,
    };
    const now = Date.now();
    const batches = Array.from({ length: SHOPPERS / PER_BATCH }, (_, b) =>
      Array.from({ length: PER_BATCH }, (_, k) => shopperMessages(b * PER_BATCH + k, now)).flat(),
    );
    const outbound = () => emulators.twilio?.messages().filter((m) => m.direction === "outbound-api") ?? [];

    const first = startEngineChild(env);
    await first.ready;
    // a steady stream, killed half-way while batches are being ingested and messages delivered
    let sent = 0;
    const stream = setInterval(() => {
      if (sent < batches.length) first.send(sent, batches[sent++] as unknown[]);
    }, 40);
    await waitFor(() => first.acked.size >= batches.length / 2 && outbound().length >= 20, 60_000, "load");
    first.process.kill("SIGKILL");
    clearInterval(stream);
    await first.exited;
    const ackedBeforeCrash = new Set(first.acked);
    // the kill came mid-way: events still to ingest, or messages still to deliver
    expect(
      ackedBeforeCrash.size < batches.length || outbound().length < SHOPPERS,
      `killed after ${ackedBeforeCrash.size} acks and ${outbound().length} WhatsApp messages`,
    ).toBe(true);

    const second = startEngineChild(env);
    await second.ready;
    // a client resends what was not acknowledged; resending acknowledged ones too must be harmless
    for (const [id, messages] of batches.entries()) second.send(id, messages);
    await waitFor(
      () => second.acked.size === batches.length,
      60_000,
      () => `the resent batches: ${second.acked.size} of ${batches.length}\n${second.stderr().slice(-2000)}`,
    );
    await waitFor(
      () =>
        outbound().length >= SHOPPERS &&
        (emulators.mailerlite?.subscribers() ?? []).filter((s) => s.groups.length > 0).length >= SHOPPERS,
      90_000,
      () =>
        `every nudge: ${outbound().length} WhatsApp, ${(emulators.mailerlite?.subscribers() ?? []).filter((s) => s.groups.length > 0).length} emails of ${SHOPPERS}\n${second.stderr().slice(-2000)}`,
    );
    // time for any duplicate to show up
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    second.process.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    const perRecipient = new Map<string, number>();
    for (const m of outbound()) perRecipient.set(m.to, (perRecipient.get(m.to) ?? 0) + 1);
    expect(perRecipient.size).toBe(SHOPPERS);
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);

    const store = sqliteStore({ path: env.ENGINE_DB });
    try {
      for (const id of ackedBeforeCrash) {
        for (let k = 0; k < PER_BATCH; k++) {
          const i = id * PER_BATCH + k;
          const stored = await store.load(`p:user:u${i}`);
          expect(stored?.profile.email).toBe(`u${i}@example.com`);
          expect(stored?.profile.carts[0]?.value).toBe(90);
        }
      }
      const stats = await store.stats(Date.now());
      expect(stats.profiles).toBe(SHOPPERS);
      expect(await unsettledOutbox(store)).toEqual([]);
      // per shopper: field upsert, group add (the email), WhatsApp
      expect(stats.outbox.sent).toBe(SHOPPERS * 3);
    } finally {
      await store.close();
    }
    const subscribers = emulators.mailerlite?.subscribers() ?? [];
    expect(subscribers).toHaveLength(SHOPPERS);
    expect(subscribers.every((s) => s.groups.length === 1)).toBe(true);
  });
});
