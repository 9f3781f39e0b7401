/**
 * Two engine processes sharing one PostgreSQL database, both receiving the same events: every
 * command reaches the emulators exactly once.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { postgresStore } from "../../src/stores/postgres.js";
import { ML_TOKEN, SID, shopperMessages, startEngineChild, TOKEN, waitFor } from "./processes.js";

const url = process.env.DATABASE_URL;
const why = "DATABASE_URL is not set (.ci/run sets it to the CI machine's PostgreSQL)";
if (!url) console.warn(`two engines on PostgreSQL skipped: ${why}`);
const schema = `cartback_engines_${process.pid}_${Date.now().toString(36)}`;

let emulators: RunningEmulators;
beforeAll(async () => {
  if (!url) return;
  emulators = await startEmulators({
    mailerlite: { apiKeys: [ML_TOKEN], rateLimit: { limit: 1_000_000 } },
    twilio: { accounts: { [SID]: TOKEN } },
  });
});
afterAll(async () => {
  if (!url) return;
  await emulators.stop();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

const SHOPPERS = 150;
const PER_BATCH = 10;

describe.skipIf(!url)(
  url ? "two engines on one PostgreSQL database" : `two engines on PostgreSQL (skipped: ${why})`,
  () => {
    it("deliver every command exactly once", { timeout: 120_000 }, async () => {
      const env = {
        DATABASE_URL: url as string,
        ENGINE_SCHEMA: schema,
        ML_URL: emulators.urls.mailerlite as string,
        TWILIO_URL: emulators.urls.twilio as string,
      };
      const now = Date.now();
      const batches = Array.from({ length: SHOPPERS / PER_BATCH }, (_, b) =>
        Array.from({ length: PER_BATCH }, (_, k) => shopperMessages(b * PER_BATCH + k, now)).flat(),
      );
      const a = startEngineChild({ ...env, ENGINE_WORKER: "engine-a" });
      const b = startEngineChild({ ...env, ENGINE_WORKER: "engine-b" });
      await Promise.all([a.ready, b.ready]);
      // both receive every batch (a client retrying against another instance behind a load balancer)
      batches.forEach((messages, id) => {
        a.send(id, messages);
        b.send(id, messages);
      });
      const outbound = () => emulators.twilio?.messages().filter((m) => m.direction === "outbound-api") ?? [];
      const grouped = () => (emulators.mailerlite?.subscribers() ?? []).filter((s) => s.groups.length > 0);
      await waitFor(() => a.acked.size === batches.length && b.acked.size === batches.length, 60_000, "acks");
      await waitFor(
        () => outbound().length >= SHOPPERS && grouped().length >= SHOPPERS,
        90_000,
        () =>
          `deliveries: ${outbound().length} WhatsApp, ${grouped().length} emails of ${SHOPPERS}\n${a.stderr().slice(-2000)}\n${b.stderr().slice(-2000)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      a.process.kill("SIGTERM");
      b.process.kill("SIGTERM");
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);

      const perRecipient = new Map<string, number>();
      for (const m of outbound()) perRecipient.set(m.to, (perRecipient.get(m.to) ?? 0) + 1);
      expect(perRecipient.size).toBe(SHOPPERS);
      expect([...perRecipient.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      const groupAdds = new Map<string, number>();
      for (const r of emulators.mailerlite?.requests({ method: "POST", path: "/api/subscribers/*" }) ?? []) {
        if (r.path.includes("/groups/") && r.status < 300)
          groupAdds.set(r.path, (groupAdds.get(r.path) ?? 0) + 1);
      }
      expect(groupAdds.size).toBe(SHOPPERS);
      expect([...groupAdds.entries()].filter(([, n]) => n !== 1)).toEqual([]);

      const store = postgresStore({ connectionString: url as string, schema });
      try {
        const stats = await store.stats(Date.now());
        expect(stats.profiles).toBe(SHOPPERS);
        expect(stats.outbox).toMatchObject({ pending: 0, sending: 0, dead: 0, sent: SHOPPERS * 3 });
      } finally {
        await store.close();
      }
    });
  },
);
