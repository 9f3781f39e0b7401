import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { playbookJourney } from "../../src/core/journey/index.js";
import { createManualClock } from "../../src/runtime/clock.js";
import { createEngine } from "../../src/runtime/engine.js";
import type { Store } from "../../src/runtime/store.js";
import { memoryStore } from "../../src/stores/memory.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import { add, identify } from "../core/journey/scenarios.js";

const T0 = Date.parse("2026-03-02T10:00:00.000Z");

function anonAdd(anonymousId: string, minutes: number, productId: string, price: number, messageId?: string) {
  return {
    type: "track",
    event: "Product Added",
    messageId: messageId ?? `${anonymousId}-${productId}-${minutes}`,
    anonymousId,
    timestamp: new Date(T0 + minutes * 60_000).toISOString(),
    properties: {
      cart_id: `cart-${anonymousId}`,
      product_id: productId,
      price,
      quantity: 1,
      currency: "USD",
    },
  };
}

const stores: [string, () => { store: Store; cleanup: () => void }][] = [
  ["memory", () => ({ store: memoryStore(), cleanup: () => {} })],
  [
    "sqlite",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "cartback-engine-"));
      return {
        store: sqliteStore({ path: join(dir, "db.sqlite") }),
        cleanup: () => rmSync(dir, { recursive: true, force: true }),
      };
    },
  ],
];

describe("engine concurrency", () => {
  /** the memory store, counting the transactions that overlap (each holds its lock a few ms) */
  function countingStore() {
    const store = memoryStore();
    const seen = { inFlight: 0, max: 0 };
    const transact: Store["transact"] = (ids, fn) =>
      store.transact(ids, async (tx) => {
        seen.inFlight++;
        seen.max = Math.max(seen.max, seen.inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        try {
          return await fn(tx);
        } finally {
          seen.inFlight--;
        }
      });
    return { store: { ...store, name: store.name, transact } as Store, seen };
  }

  it("runs different shoppers in parallel and one shopper's messages one at a time", async () => {
    const different = countingStore();
    const engine = createEngine({ store: different.store, journeys: [playbookJourney()], destinations: [] });
    await engine.ingest(Array.from({ length: 20 }, (_, i) => anonAdd(`x${i}`, 0, "shirt", 10)));
    expect(different.seen.max).toBeGreaterThan(1);

    const same = countingStore();
    const one = createEngine({ store: same.store, journeys: [playbookJourney()], destinations: [] });
    // alternating messages of one shopper with different contacts: never two at once
    await one.ingest(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0 ? anonAdd("y", i, `p${i}`, 1) : { ...anonAdd("y", i, `p${i}`, 1), userId: "uy" },
      ),
    );
    expect(same.seen.max).toBe(1);
    const [id] = await same.store.resolve(["anon:y"]);
    expect((await same.store.load(id as string))?.profile.carts[0]?.items).toHaveLength(10);
  });
});

describe.each(stores)("engine on the %s store", (_name, open) => {
  async function withEngine(fn: (engine: ReturnType<typeof createEngine>, store: Store) => Promise<void>) {
    const { store, cleanup } = open();
    const clock = createManualClock(T0);
    const engine = createEngine({ store, journeys: [playbookJourney()], destinations: [], clock });
    try {
      await fn(engine, store);
    } finally {
      await engine.stop();
      await store.close();
      cleanup();
    }
  }

  it("rejects invalid messages one by one and keeps the valid ones", async () => {
    await withEngine(async (engine, store) => {
      const result = await engine.ingest([
        anonAdd("a1", 0, "shirt", 30),
        { type: "track", event: "Product Added", messageId: "bad-1" },
        42,
        anonAdd("a2", 0, "belt", 10),
      ]);
      expect(result.accepted).toBe(2);
      expect(result.events).toBe(2);
      expect(result.rejected.map((r) => r.index)).toEqual([1, 2]);
      expect(result.rejected[0]?.messageId).toBe("bad-1");
      expect(result.rejected[0]?.issues.length).toBeGreaterThan(0);
      const [id] = await store.resolve(["anon:a1"]);
      const stored = await store.load(id as string);
      expect(stored?.profile.carts[0]?.value).toBe(30);
      expect(engine.metrics().events).toEqual({ accepted: 2, rejected: 2 });
    });
  });

  it("applies one shopper's events in order, across concurrent ingest calls, and shoppers in parallel", async () => {
    await withEngine(async (engine, store) => {
      const calls = [];
      for (let i = 0; i < 40; i++) {
        // each shopper's adds in order: the cart ends with all of them, 1 + 2 + … + 40
        calls.push(engine.ingest([anonAdd(`s${i % 4}`, i, `p${i}`, i + 1)]));
      }
      await Promise.all(calls);
      for (let s = 0; s < 4; s++) {
        const [id] = await store.resolve([`anon:s${s}`]);
        const cart = (await store.load(id as string))?.profile.carts[0];
        expect(cart?.items.length).toBe(10);
        const expected = Array.from({ length: 10 }, (_, k) => 4 * k + s + 1).reduce((a, b) => a + b, 0);
        expect(cart?.value).toBe(expected);
      }
    });
  });

  it("a replayed batch changes nothing and enqueues nothing twice", async () => {
    await withEngine(async (engine, store) => {
      const shopper = { id: "mo", phone: "+14155550102", sms: true, whatsapp: true };
      const batch = [identify(shopper), add(shopper, 0, 90)];
      await engine.ingest(batch);
      const [id] = await store.resolve(["user:mo"]);
      const before = await store.load(id as string);
      const outboxBefore = await store.listOutbox({ profileId: id as string });
      await engine.ingest(batch);
      const after = await store.load(id as string);
      expect(after?.profile.carts).toEqual(before?.profile.carts);
      expect(after?.profile.journeys).toEqual(before?.profile.journeys);
      expect(after?.wakeAt).toBe(before?.wakeAt);
      expect(await store.listOutbox({ profileId: id as string })).toEqual(outboxBefore);
    });
  });

  it("joins an anonymous cart to the shopper who logs in (one profile, the user's)", async () => {
    await withEngine(async (engine, store) => {
      await engine.ingest([anonAdd("dev-1", 0, "shirt", 30)]);
      await engine.ingest([
        {
          type: "identify",
          messageId: "login-1",
          anonymousId: "dev-1",
          userId: "u-7",
          timestamp: new Date(T0 + 60_000).toISOString(),
          traits: { email: "Ann@Example.com" },
        },
      ]);
      const ids = await store.resolve(["anon:dev-1", "user:u-7", "email:ann@example.com"]);
      expect(ids).toHaveLength(1);
      const stored = await store.load(ids[0] as string);
      expect(stored?.profile.userId).toBe("u-7");
      expect(stored?.profile.carts[0]?.value).toBe(30);
      expect(stored?.keys.sort()).toEqual(["anon:dev-1", "email:ann@example.com", "user:u-7"]);
    });
  });

  it("shows when a message held by quiet hours goes out", async () => {
    await withEngine(async (engine) => {
      // in Auckland (UTC+13 in March) the cart is abandoned around midnight: the email waits for 08:00
      const shopper = { id: "kiri", timezone: "Pacific/Auckland" };
      await engine.ingest([identify(shopper), add(shopper, 0, 90)]);
      const report = await engine.showProfile("kiri@example.com");
      const localHour = (at: number) =>
        new Intl.DateTimeFormat("en-GB", { timeZone: "Pacific/Auckland", hour: "numeric", hourCycle: "h23" })
          .formatToParts(at)
          .find((p) => p.type === "hour")?.value;
      expect(Number(localHour(report?.next?.at as number))).toBeLessThan(8);
      expect(report?.next?.commands.map((c) => c.type)).toEqual(["rudderstack.track"]);
      const after = report?.next?.after as number;
      expect(Number(localHour(after))).toBe(8);
      expect(new Date(after).toISOString()).toBe("2026-03-02T19:00:00.000Z");
    });
  });

  it("shows a shopper by email and forgets them, queueing MailerLite's forget", async () => {
    await withEngine(async (engine, store) => {
      const shopper = { id: "mo", phone: "+14155550102", sms: true, whatsapp: true };
      await engine.ingest([identify(shopper), add(shopper, 0, 90)]);
      const report = await engine.showProfile("MO@example.com");
      expect(report?.id).toBe("p:user:mo");
      expect(report?.keys.sort()).toEqual(["email:mo@example.com", "phone:+14155550102", "user:mo"]);
      expect(report?.next?.at).toBe((await store.load("p:user:mo"))?.wakeAt);
      expect(await engine.showProfile("+1 (415) 555-0102")).toMatchObject({ id: "p:user:mo" });
      expect(await engine.showProfile("nobody@example.com")).toBeNull();

      const forgotten = await engine.forget("mo");
      expect(forgotten).toMatchObject({ found: true, profileId: "p:user:mo" });
      expect(forgotten.keys.sort()).toEqual(["email:mo@example.com", "phone:+14155550102", "user:mo"]);
      expect(await store.load("p:user:mo")).toBeNull();
      expect(await store.resolve(["email:mo@example.com"])).toEqual([]);
      const queued = await store.listOutbox({});
      expect(queued.map((e) => e.command)).toMatchObject([
        { type: "mailerlite.forget", email: "mo@example.com" },
      ]);
      expect(await engine.forget("mo")).toMatchObject({ found: false });
      const metrics = await engine.collectMetrics();
      expect(metrics.outbox?.pending).toBe(1);
      expect(metrics.profiles).toBe(0);
    });
  });
});
