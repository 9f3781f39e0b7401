/**
 * What an engine records from events it cannot fully trust: dates in the future or out of any
 * plausible range, provider webhooks posted again, a STOP beside the store's marketing traits.
 * Run against every store, across a restart (SQLite) and across two engines on one database
 * (PostgreSQL), because the protection lives in the stored profile.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import twilio from "twilio";
import { afterAll, describe, expect, it } from "vitest";
import { playbookJourney } from "../../src/core/journey/index.js";
import { createManualClock } from "../../src/runtime/clock.js";
import { createEngine, type Engine } from "../../src/runtime/engine.js";
import type { Store } from "../../src/runtime/store.js";
import { memoryStore } from "../../src/stores/memory.js";
import { postgresStore } from "../../src/stores/postgres.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import { twilioWebhookHandler } from "../../src/webhooks/twilio.js";

const NOW = Date.parse("2026-12-05T12:00:00.000Z");
const PHONE = "+14155550188";
const TOKEN = "test-auth-token-for-signatures";
const WEBHOOK = "https://shop.example.com/webhooks/twilio";

function identify(timestamp: string, traits: Record<string, unknown>, messageId: string) {
  return { type: "identify", messageId, userId: "u-ann", timestamp, traits: { phone: PHONE, ...traits } };
}

/** a signed inbound reply, as Twilio posts it */
function reply(sid: string, body: string): Request {
  const params = { MessageSid: sid, SmsSid: sid, From: PHONE, To: "+15005550006", Body: body };
  const signature = twilio.getExpectedTwilioSignature(TOKEN, WEBHOOK, params);
  return new Request(WEBHOOK, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
    body: new URLSearchParams(params).toString(),
  });
}

function webhookFor(engine: Engine, clock: { now(): number }) {
  return twilioWebhookHandler({
    authToken: TOKEN,
    onEvents: (events) => engine.ingestEvents(events),
    now: () => clock.now(),
    logger: () => {},
  });
}

async function smsConsent(store: Store): Promise<string | undefined> {
  const [id] = await store.resolve(["user:u-ann"]);
  return id ? (await store.load(id))?.profile.consent.sms.status : undefined;
}

const url = process.env.DATABASE_URL;
const schemas: string[] = [];
afterAll(async () => {
  if (!url || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

/**
 * a store, and a way to reach the same data again the way a second server would: the memory store
 * itself, the SQLite file reopened after the first handle closed, a second PostgreSQL pool beside the
 * first one
 */
type Opened = { first: Store; again: () => Promise<Store>; cleanup: () => Promise<void> };
const setups: [string, () => Opened][] = [
  [
    "memory",
    () => {
      const store = memoryStore();
      return { first: store, again: async () => store, cleanup: () => store.close() };
    },
  ],
  [
    "sqlite (reopened)",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "cartback-times-"));
      const path = join(dir, "cartback.db");
      const first = sqliteStore({ path });
      const opened = [first];
      return {
        first,
        again: async () => {
          await first.close();
          const second = sqliteStore({ path });
          opened.push(second);
          return second;
        },
        cleanup: async () => {
          await Promise.all(opened.map((s) => s.close()));
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];
if (url) {
  setups.push([
    "postgres (two servers)",
    () => {
      const schema = `cartback_times_${process.pid}_${Date.now().toString(36)}_${schemas.length}`;
      schemas.push(schema);
      const a = postgresStore({ connectionString: url, schema, max: 2 });
      const b = postgresStore({ connectionString: url, schema, max: 2 });
      return {
        first: a,
        again: async () => b,
        cleanup: async () => void (await Promise.all([a.close(), b.close()])),
      };
    },
  ]);
} else {
  console.warn("trusted-times: the PostgreSQL case is skipped: DATABASE_URL is not set");
}

describe.each(setups)("untrusted times and replays on the %s store", (_name, open) => {
  it("a replayed START cannot grant SMS again: STOP, START, STOP, then the same signed START", async () => {
    const { first: store, again, cleanup } = open();
    const clock = createManualClock(NOW);
    const first = createEngine({ store, journeys: [playbookJourney()], destinations: [], clock });
    try {
      await first.ingest([identify("2026-12-05T11:59:00.000Z", {}, "m1")]);
      const post = webhookFor(first, clock);
      for (const [sid, body] of [
        ["SM01", "STOP"],
        ["SM02", "START"],
        ["SM03", "STOP"],
      ] as const) {
        clock.advance(60_000);
        expect((await post(reply(sid, body))).status).toBe(200);
      }
      expect(await smsConsent(store)).toBe("denied");
      await first.stop();
      // an hour later, the copy of the START is posted to another server (or after a restart)
      clock.advance(3_600_000);
      const other = await again();
      const second = createEngine({ store: other, journeys: [playbookJourney()], destinations: [], clock });
      expect((await webhookFor(second, clock)(reply("SM02", "START"))).status).toBe(200);
      expect(await smsConsent(other)).toBe("denied");
      // a genuinely new START still counts
      clock.advance(60_000);
      await webhookFor(second, clock)(reply("SM04", "START"));
      expect(await smsConsent(other)).toBe("granted");
      await second.stop();
    } finally {
      await cleanup();
    }
  });

  it("an opt-in dated 2099 does not pin consent: a signed STOP and a current opt-out both take it away", async () => {
    const { first: store, cleanup } = open();
    const clock = createManualClock(NOW);
    const engine = createEngine({ store, journeys: [playbookJourney()], destinations: [], clock });
    try {
      await engine.ingest([identify("2099-01-01T00:00:00.000Z", { sms_opt_in: true }, "future")]);
      expect(await smsConsent(store)).toBe("granted");
      const [id] = await store.resolve(["user:u-ann"]);
      // recorded as received, not as dated
      expect((await store.load(id!))?.profile.consent.sms.at).toBe(NOW);
      clock.advance(60_000);
      await engine.ingest([identify(new Date(clock.now()).toISOString(), { sms_opt_in: false }, "now")]);
      expect(await smsConsent(store)).toBe("denied");

      // the same again, taken away by the provider's STOP this time
      clock.advance(60_000);
      await engine.ingest([identify("2099-06-01T00:00:00.000Z", { sms_opt_in: true }, "future-2")]);
      expect(await smsConsent(store)).toBe("granted");
      clock.advance(60_000);
      await webhookFor(engine, clock)(reply("SM10", "STOP"));
      expect(await smsConsent(store)).toBe("denied");
      // the store's traits keep saying yes; the STOP holds until the shopper texts START
      clock.advance(60_000);
      await engine.ingest([identify(new Date(clock.now()).toISOString(), { sms_opt_in: true }, "later")]);
      expect(await smsConsent(store)).toBe("denied");
      await engine.stop();
    } finally {
      await cleanup();
    }
  });

  it("keeps an event dated within the clock skew at its own time", async () => {
    const { first: store, cleanup } = open();
    const clock = createManualClock(NOW);
    const engine = createEngine({ store, journeys: [playbookJourney()], destinations: [], clock });
    try {
      const soon = NOW + 4 * 60_000;
      await engine.ingest([identify(new Date(soon).toISOString(), { sms_opt_in: true }, "skewed")]);
      const [id] = await store.resolve(["user:u-ann"]);
      expect((await store.load(id!))?.profile.consent.sms.at).toBe(soon);
      await engine.stop();
    } finally {
      await cleanup();
    }
  });
});

describe("times outside any plausible range", () => {
  it("rejects year 9999 and +099999 one message at a time, naming the field", async () => {
    const store = memoryStore();
    const engine = createEngine({ store, journeys: [], destinations: [], clock: createManualClock(NOW) });
    const result = await engine.ingest([
      identify("9999-12-31T23:59:59.000Z", { sms_opt_in: true }, "y9999"),
      identify("2026-12-05T11:00:00.000Z", { email: "ann@example.com" }, "fine"),
      {
        ...identify("x", {}, "expanded"),
        timestamp: undefined,
        originalTimestamp: "+099999-01-01T00:00:00.000Z",
      },
    ]);
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => [r.index, r.issues.map((i) => [i.code, i.path.join(".")])])).toEqual([
      [0, [["out_of_range", "timestamp"]]],
      [2, [["out_of_range", "originalTimestamp"]]],
    ]);
    expect(result.rejected[0]?.issues[0]?.message).toContain("9999-12-31");
    expect(await smsConsent(store)).toBe("unknown");
    await engine.stop();
  });
});
