/**
 * Random sequences of store operations give the same answers on every store as on the memory store:
 * a property test that catches what hand-written cases miss (tie orders, lease edges, merges).
 */
import fc from "fast-check";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { isStoreConflictError, type Store } from "../../src/runtime/store.js";
import { memoryStore } from "../../src/stores/memory.js";
import { postgresStore } from "../../src/stores/postgres.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import { sampleProfile, sampleSms } from "./sample-profile.js";

const T0 = Date.UTC(2026, 10, 23, 12);
const MIN = 60_000;
const IDS = ["a", "b", "c"];
const KEYS = ["user:1", "user:2", "email:x@example.com", "anon:y", "phone:+15555550100"];
const COMMAND_KEYS = ["k1", "k2", "k3"];

const time = fc.integer({ min: 0, max: 12 }).map((m) => T0 + m * MIN);
const id = fc.constantFrom(...IDS);
const commandKey = fc.constantFrom(...COMMAND_KEYS);
const lease = fc.record({ worker: fc.constantFrom("w1", "w2"), leaseMs: fc.constantFrom(MIN, 5 * MIN) });

const operation = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant("save" as const),
      id,
      absorb: fc.option(id, { nil: undefined }),
      wakeAt: fc.option(time, { nil: null }),
      keys: fc.option(fc.subarray(KEYS), { nil: undefined }),
      commands: fc.array(fc.record({ key: commandKey, dueAt: time }), { maxLength: 3 }),
      now: time,
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      op: fc.constant("claimDue" as const),
      now: time,
      limit: fc.integer({ min: 1, max: 3 }),
      lease,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant("claimOutbox" as const),
      now: time,
      limit: fc.integer({ min: 1, max: 3 }),
      lease,
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ op: fc.constant("markSent" as const), key: commandKey, at: time }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("markRetry" as const), key: commandKey, at: time }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("deadLetter" as const), key: commandKey, at: time }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("retryDead" as const), key: commandKey, at: time }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("dropDead" as const), key: commandKey }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("forget" as const), id, now: time }), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant("prune" as const),
      before: time,
      limit: fc.integer({ min: 1, max: 3 }),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ op: fc.constant("resolve" as const), keys: fc.subarray(KEYS) }), weight: 1 },
);
type Operation = typeof operation extends fc.Arbitrary<infer O> ? O : never;

/** applies one operation and returns what a caller would observe */
async function apply(store: Store, o: Operation, step: number): Promise<unknown> {
  try {
    switch (o.op) {
      case "save": {
        const absorbed = o.absorb !== undefined && o.absorb !== o.id ? [o.absorb] : [];
        const { saved } = await store.transact([o.id, ...absorbed], async (tx) => {
          for (const locked of [o.id, ...absorbed]) await tx.load(locked);
          tx.save({
            profile: sampleProfile(o.id, T0, step),
            wakeAt: o.wakeAt,
            ...(o.keys ? { keys: o.keys } : {}),
            absorbed,
            commands: o.commands.map((c) => ({ command: sampleSms(o.id, c.key), dueAt: c.dueAt })),
            now: o.now,
          });
        });
        return saved;
      }
      case "claimDue":
        return await store.claimDue(o.now, o.limit, o.lease);
      case "claimOutbox":
        return await store.claimOutbox(o.now, o.limit, o.lease);
      case "markSent":
        return await store.markSent(o.key, { at: o.at, providerId: `SM-${step}` });
      case "markRetry":
        return await store.markRetry(o.key, { error: `error ${step}`, nextAttemptAt: o.at });
      case "deadLetter":
        return await store.deadLetter(o.key, { reason: `reason ${step}`, at: o.at });
      case "retryDead":
        return await store.retryDeadLetter(o.key, o.at);
      case "dropDead":
        return await store.dropDeadLetter(o.key);
      case "forget":
        return await store.forget(o.id, { now: o.now });
      case "resolve":
        return await store.resolve(o.keys);
      case "prune":
        return await store.pruneOutbox(o.before, o.limit);
    }
  } catch (error) {
    if (isStoreConflictError(error)) return { conflict: error.key, owner: error.ownerId };
    throw error;
  }
}

/** everything observable at the end */
async function snapshot(store: Store) {
  return {
    profiles: await Promise.all(IDS.map((i) => store.load(i))),
    outbox: await store.listOutbox({ limit: 1000 }),
    stats: await store.stats(T0 + 6 * MIN),
  };
}

function checkAgreement(createStore: () => Promise<Store>, numRuns: number) {
  return fc.assert(
    fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 30 }), async (operations) => {
      const reference = memoryStore();
      const store = await createStore();
      try {
        for (const [step, o] of operations.entries()) {
          const expected = await apply(reference, o, step);
          const actual = await apply(store, o, step);
          expect({ step, op: o.op, result: actual }).toEqual({ step, op: o.op, result: expected });
        }
        expect(await snapshot(store)).toEqual(await snapshot(reference));
      } finally {
        await store.close();
        await reference.close();
      }
    }),
    { numRuns },
  );
}

describe("stores agree with the memory store on random operation sequences", () => {
  it("sqlite", async () => {
    await checkAgreement(async () => sqliteStore({ path: ":memory:" }), 300);
  });

  const url = process.env.DATABASE_URL;
  const schemas: string[] = [];
  afterAll(async () => {
    if (!url || schemas.length === 0) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it.skipIf(!url)(
    url ? "postgres" : "postgres (skipped: DATABASE_URL is not set)",
    async () => {
      await checkAgreement(async () => {
        const schema = `cartback_agree_${process.pid}_${schemas.length}`;
        schemas.push(schema);
        return postgresStore({ connectionString: url!, schema, max: 2 });
      }, 15);
    },
    120_000,
  );

  it.skipIf(!url)(
    url
      ? "postgres without prepared statements (as behind a transaction pooler)"
      : "postgres without prepared statements (skipped: DATABASE_URL is not set)",
    async () => {
      await checkAgreement(async () => {
        const schema = `cartback_agree_${process.pid}_${schemas.length}`;
        schemas.push(schema);
        return postgresStore({ connectionString: url!, schema, max: 2, preparedStatements: false });
      }, 5);
    },
    120_000,
  );
});
