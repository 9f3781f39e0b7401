import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { isStoreConflictError, type Store, transactByKeys } from "../../src/runtime/store.js";
import { migratePostgres, POSTGRES_MIGRATIONS, postgresStore } from "../../src/stores/postgres.js";
import { runStoreConformance } from "./conformance.js";
import { sampleProfile, sampleSms } from "./sample-profile.js";

const url = process.env.DATABASE_URL;
const why = "DATABASE_URL is not set (.ci/run sets it to the CI machine's PostgreSQL)";
if (!url) console.warn(`PostgreSQL store tests skipped: ${why}`);

// every schema this run creates, dropped at the end
const schemas: string[] = [];
let n = 0;
const freshSchema = () => {
  const schema = `cartback_test_${process.pid}_${Date.now().toString(36)}_${++n}`;
  schemas.push(schema);
  return schema;
};

afterAll(async () => {
  if (!url || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

const T0 = Date.UTC(2026, 10, 23, 12);

describe.skipIf(!url)(url ? "postgres" : `postgres (skipped: ${why})`, () => {
  runStoreConformance("postgres", async () =>
    postgresStore({ connectionString: url!, schema: freshSchema(), max: 4 }),
  );

  describe("postgres store, several processes on one database", () => {
    /** two stores with their own pools, like two cartback processes */
    const twoWorkers = (): [Store, Store, () => Promise<void>] => {
      const schema = freshSchema();
      const a = postgresStore({ connectionString: url!, schema, max: 4 });
      const b = postgresStore({ connectionString: url!, schema, max: 4 });
      return [a, b, async () => void (await Promise.all([a.close(), b.close()]))];
    };

    it("two processes claiming the same due profiles never get the same one", async () => {
      const [a, b, close] = twoWorkers();
      const ids = Array.from({ length: 120 }, (_, i) => `p${String(i).padStart(3, "0")}`);
      await Promise.all(
        ids.map((id) =>
          a.transact(id, (tx) => tx.save({ profile: sampleProfile(id), wakeAt: T0 - 1, now: T0 })),
        ),
      );
      const drain = async (store: Store, worker: string) => {
        const got: string[] = [];
        for (;;) {
          const batch = await store.claimDue(T0, 7, { worker, leaseMs: 60_000 });
          if (batch.length === 0) return got;
          got.push(...batch.map((c) => c.profileId));
        }
      };
      const [fromA, fromB, fromA2, fromB2] = await Promise.all([
        drain(a, "a1"),
        drain(b, "b1"),
        drain(a, "a2"),
        drain(b, "b2"),
      ]);
      const all = [...fromA, ...fromB, ...fromA2, ...fromB2];
      expect(all.sort()).toEqual(ids);
      await close();
    });

    it("two processes claiming the same outbox never send one command twice", async () => {
      const [a, b, close] = twoWorkers();
      const commands = Array.from({ length: 90 }, (_, i) => sampleSms("p1", `k${i}`));
      await a.transact("p1", (tx) =>
        tx.save({ profile: sampleProfile("p1"), wakeAt: null, commands, now: T0 }),
      );
      const drain = async (store: Store, worker: string) => {
        const got: string[] = [];
        for (;;) {
          const batch = await store.claimOutbox(T0, 8, { worker, leaseMs: 60_000 });
          if (batch.length === 0) return got;
          got.push(...batch.map((e) => e.key));
        }
      };
      const results = await Promise.all([drain(a, "a1"), drain(b, "b1"), drain(a, "a2"), drain(b, "b2")]);
      const all = results.flat();
      expect(all).toHaveLength(90);
      expect(new Set(all).size).toBe(90);
      await close();
    });

    it("a lease taken by one process expires for the other at exactly leaseMs", async () => {
      const [a, b, close] = twoWorkers();
      await a.transact("p1", (tx) =>
        tx.save({ profile: sampleProfile("p1"), wakeAt: T0, commands: [sampleSms("p1", "k1")], now: T0 }),
      );
      expect(await a.claimDue(T0, 10, { worker: "a", leaseMs: 1000 })).toHaveLength(1);
      expect(await a.claimOutbox(T0, 10, { worker: "a", leaseMs: 1000 })).toHaveLength(1);
      expect(await b.claimDue(T0 + 999, 10, { worker: "b", leaseMs: 1000 })).toEqual([]);
      expect(await b.claimOutbox(T0 + 999, 10, { worker: "b", leaseMs: 1000 })).toEqual([]);
      expect(await b.claimDue(T0 + 1000, 10, { worker: "b", leaseMs: 1000 })).toEqual([
        { profileId: "p1", wakeAt: T0 },
      ]);
      const [entry] = await b.claimOutbox(T0 + 1000, 10, { worker: "b", leaseMs: 1000 });
      expect(entry).toMatchObject({ key: "k1", outcomeUnknown: true, attempts: 2, leaseOwner: "b" });
      await close();
    });

    it("transactions on one profile from two processes are serialised", async () => {
      const [a, b, close] = twoWorkers();
      await a.transact("p1", (tx) => tx.save({ profile: sampleProfile("p1"), wakeAt: null, now: T0 }));
      const bump = (store: Store) =>
        store.transact("p1", async (tx) => {
          const current = await tx.load("p1");
          const counter = Number(current!.profile.traits.counter);
          tx.save({
            profile: { ...current!.profile, traits: { ...current!.profile.traits, counter: counter + 1 } },
            wakeAt: null,
            now: T0,
          });
        });
      await Promise.all(Array.from({ length: 24 }, (_, i) => bump(i % 2 === 0 ? a : b)));
      expect((await a.load("p1"))!.profile.traits.counter).toBe(24);
      await close();
    });

    it("two processes creating profiles with the same new key: one wins, the other learns the owner", async () => {
      const [a, b, close] = twoWorkers();
      const create = (store: Store, id: string) =>
        store.transact(id, (tx) =>
          tx.save({ profile: sampleProfile(id), wakeAt: null, keys: ["anon:shared", `user:${id}`], now: T0 }),
        );
      const [x, y] = await Promise.allSettled([create(a, "x"), create(b, "y")]);
      const won = x.status === "fulfilled" ? "x" : "y";
      const lost = x.status === "fulfilled" ? y : x;
      expect(lost.status).toBe("rejected");
      const reason = (lost as PromiseRejectedResult).reason;
      expect(isStoreConflictError(reason)).toBe(true);
      expect(reason).toMatchObject({ key: "anon:shared", ownerId: won });
      expect(await a.resolve(["anon:shared"])).toEqual([won]);
      expect(await a.load(won === "x" ? "y" : "x")).toBeNull();
      await close();
    });

    it("first events of one new shopper arriving at two processes at once end in one profile", async () => {
      const [a, b, close] = twoWorkers();
      let created = 0;
      const applyEvent = (store: Store) =>
        transactByKeys(
          store,
          ["anon:same"],
          { newId: () => `new-${++created}`, maxAttempts: 20 },
          async (tx, ids) => {
            const loaded = (await Promise.all(ids.map((id) => tx.load(id)))).filter((p) => p !== null);
            const base = loaded[0]?.profile ?? { ...sampleProfile(ids[0]!), traits: { counter: 0 } };
            const counted = loaded.reduce((sum, p) => sum + Number(p.profile.traits.counter), 0);
            tx.save({
              profile: { ...base, traits: { counter: counted + 1 } },
              wakeAt: null,
              keys: ["anon:same"],
              absorbed: loaded.slice(1).map((p) => p.profile.id),
              now: T0,
            });
          },
        );
      await Promise.all(Array.from({ length: 10 }, (_, i) => applyEvent(i % 2 === 0 ? a : b)));
      const ids = await a.resolve(["anon:same"]);
      expect(ids).toHaveLength(1);
      expect((await b.load(ids[0]!))!.profile.traits.counter).toBe(10);
      expect((await a.stats(T0)).profiles).toBe(1);
      await close();
    });

    it("migrations run once, even when processes start together, and can run again", async () => {
      const [a, b, close] = twoWorkers();
      await Promise.all([a.stats(T0), b.stats(T0)]);
      await close();
      const schema = schemas.at(-1)!;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query(
        `SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`,
      );
      expect(rows).toEqual(POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name })));
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      const pooled = await pool.connect();
      expect(await migratePostgres(pooled, schema)).toEqual([]);
      pooled.release();
      await pool.end();
      await client.end();
    });

    it("survives the server dropping its idle connections", async () => {
      const app = `cartback_drop_${process.pid}`;
      const dropped: Error[] = [];
      let noticed!: () => void;
      const onDrop = new Promise<void>((resolve) => {
        noticed = resolve;
      });
      const store = postgresStore({
        connectionString: `${url}${url!.includes("?") ? "&" : "?"}application_name=${app}`,
        schema: freshSchema(),
        max: 2,
        onPoolError: (error) => {
          dropped.push(error);
          noticed();
        },
      });
      await store.transact("p1", (tx) => tx.save({ profile: sampleProfile("p1"), wakeAt: T0, now: T0 }));
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
        [app],
      );
      await admin.end();
      await onDrop;
      expect(dropped[0]!.message).toMatch(/terminat/);
      expect(await store.claimDue(T0, 10, { worker: "w", leaseMs: 1000 })).toEqual([
        { profileId: "p1", wakeAt: T0 },
      ]);
      await store.close();
    });

    it("refuses a schema migrated by a newer cartback, saying what to do", async () => {
      const schema = freshSchema();
      const first = postgresStore({ connectionString: url!, schema, max: 1 });
      await first.stats(T0);
      await first.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`INSERT INTO "${schema}".schema_migrations VALUES (999, 'future', 0)`);
      await client.end();
      const store = postgresStore({ connectionString: url!, schema, max: 1 });
      await expect(store.stats(T0)).rejects.toThrow(
        `schema ${schema} is at version 999, newer than this cartback`,
      );
      await store.close();
    });

    it("works on a pool it is given, and leaves that pool open", async () => {
      const pool = new pg.Pool({ connectionString: url, max: 2 });
      const store = postgresStore({ pool, schema: freshSchema() });
      await store.transact("p1", (tx) => tx.save({ profile: sampleProfile("p1"), wakeAt: null, now: T0 }));
      await store.close();
      expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
      await pool.end();
    });
  });
});

describe("postgres store options", () => {
  it("says which option is missing or wrong", () => {
    expect(() => postgresStore({})).toThrow("missing required option `connectionString`");
    expect(() => postgresStore({ connectionString: "postgres://x", schema: "drop table;" })).toThrow(
      "option `schema` must be a plain identifier",
    );
  });
});
