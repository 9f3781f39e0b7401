/**
 * Profiles built by the real core (normalize → identity → reduce) go through every store unchanged:
 * applying a scenario's events with `transactByKeys` gives exactly the profiles and identity index
 * of the core's in-memory profile book.
 */
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import type { CartEvent } from "../../src/core/events.js";
import {
  createProfileBook,
  eventIdentityKeys,
  mergeProfiles,
  profileIdentityKeys,
  profileIdFor,
} from "../../src/core/identity.js";
import { emptyProfile, reduceProfile } from "../../src/core/reduce.js";
import { type Store, transactByKeys } from "../../src/runtime/store.js";
import { memoryStore } from "../../src/stores/memory.js";
import { postgresStore } from "../../src/stores/postgres.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import { at, identify, toEvents, track } from "../helpers/messages.js";

const add = (anonymousId: string, minutes: number, product: string) =>
  track(
    "Product Added",
    minutes,
    { cart_id: `cart-${anonymousId}`, product_id: product, price: 12.5, quantity: 1 },
    { anonymousId, userId: undefined },
  );

// a shopper on a laptop and a phone, identified on both, joined by an alias, then buying
const scenario: CartEvent[] = toEvents(
  add("laptop", 0, "mug"),
  add("phone", 2, "apron"),
  identify(5, { email: "sam@example.com", phone: "+1 415 555 0100" }, { anonymousId: "laptop" }),
  add("phone", 8, "spoon"),
  identify(10, { email: "sam@example.com" }, { anonymousId: "phone" }),
  { type: "alias", messageId: "al-1", userId: "user-1", previousId: "tablet", timestamp: at(12) },
  add("tablet", 13, "bowl"),
  track(
    "Order Completed",
    30,
    { order_id: "o-1", cart_id: "cart-phone", revenue: 25 },
    { anonymousId: "phone" },
  ),
  // a replay of the first event: duplicates change nothing
  add("laptop", 0, "mug"),
);

/** the engine's identity step, as the core's profile book does it, over a store */
async function applyAll(store: Store, events: CartEvent[]) {
  for (const event of events) {
    const keys = eventIdentityKeys(event);
    await transactByKeys(store, keys, { newId: () => profileIdFor(keys) }, async (tx, ids) => {
      const loaded = (await Promise.all(ids.map((id) => tx.load(id)))).filter((p) => p !== null);
      let profile = loaded[0]?.profile ?? emptyProfile(ids[0]!, event.at);
      for (const other of loaded.slice(1)) profile = mergeProfiles(profile, other.profile);
      profile = reduceProfile(profile, event);
      const allKeys = new Set([...loaded.flatMap((p) => p.keys), ...keys, ...profileIdentityKeys(profile)]);
      tx.save({
        profile,
        wakeAt: null,
        keys: [...allKeys],
        absorbed: ids.filter((id) => id !== profile.id && loaded.some((p) => p.profile.id === id)),
        now: event.at,
      });
    });
  }
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

const why = "DATABASE_URL is not set (.ci/run sets it to the CI machine's PostgreSQL)";
if (!url) console.warn(`PostgreSQL core round trip skipped: ${why}`);

const stores: [string, (() => Store) | null][] = [
  ["memory", () => memoryStore()],
  ["sqlite", () => sqliteStore({ path: ":memory:" })],
  [
    url ? "postgres" : `postgres (skipped: ${why})`,
    url
      ? () => {
          const schema = `cartback_core_${process.pid}`;
          schemas.push(schema);
          return postgresStore({ connectionString: url, schema, max: 2 });
        }
      : null,
  ],
];

describe("core profiles through the stores", () => {
  const book = createProfileBook();
  const absorbed = scenario.flatMap((event) => book.apply(event).absorbed);
  const expected = [...book.profiles()];

  it("the scenario is worth checking: merges happened and an order was counted", () => {
    expect(expected).toHaveLength(1);
    expect(absorbed).toEqual(["p:anon:phone"]);
    expect(expected[0]).toMatchObject({ id: "p:anon:laptop", userId: "user-1", orders: { count: 1 } });
    expect(expected[0]!.anonymousIds.sort()).toEqual(["laptop", "phone", "tablet"]);
  });

  for (const [name, create] of stores) {
    it.skipIf(create === null)(
      `${name}: the same profiles and the same identity index as the core's profile book`,
      async () => {
        const store = (create as () => Store)();
        try {
          await applyAll(store, scenario);
          const stats = await store.stats(0);
          expect(stats.profiles).toBe(expected.length);
          for (const profile of expected) {
            expect((await store.load(profile.id))!.profile).toEqual(profile);
            for (const key of profileIdentityKeys(profile)) {
              expect(await store.resolve([key])).toEqual([book.resolve(key)]);
            }
          }
        } finally {
          await store.close();
        }
      },
    );
  }
});
