import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it, vi } from "vitest";
import { isStoreConflictError } from "../../src/runtime/store.js";
import { migrateSqlite, SQLITE_MIGRATIONS, sqliteStore } from "../../src/stores/sqlite.js";
import { runStoreConformance } from "./conformance.js";
import { sampleProfile, sampleSms } from "./sample-profile.js";

const dir = mkdtempSync(join(tmpdir(), "cartback-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `store-${++n}.db`);

runStoreConformance("sqlite", async () => sqliteStore({ path: freshPath() }));

const T0 = Date.UTC(2026, 10, 23, 12);

describe("sqlite store", () => {
  it("creates the file and its directory on first use, not before", async () => {
    const path = join(dir, "nested", "deeper", "cartback.db");
    const store = sqliteStore({ path });
    expect(existsSync(path)).toBe(false);
    expect(await store.resolve(["user:u1"])).toEqual([]);
    expect(existsSync(path)).toBe(true);
    await store.close();
  });

  it("runs in WAL mode", async () => {
    const path = freshPath();
    const store = sqliteStore({ path });
    await store.stats(T0);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
    await store.close();
  });

  it("runs each migration once and can run them again", async () => {
    const path = freshPath();
    for (let i = 0; i < 2; i++) {
      const store = sqliteStore({ path });
      await store.stats(T0);
      await store.close();
    }
    const db = new Database(path);
    const rows = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
    expect(rows).toEqual(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    expect(migrateSqlite(db)).toEqual([]);
    db.close();
  });

  it("refuses a database migrated by a newer cartback, saying what to do", async () => {
    const path = freshPath();
    const db = new Database(path);
    migrateSqlite(db);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)").run();
    db.close();
    const store = sqliteStore({ path });
    await expect(store.stats(T0)).rejects.toThrow("schema is at version 999, newer than this cartback");
    await store.close();
  });

  it("keeps profiles, keys, wake-ups, leases and the outbox across a reopen", async () => {
    const path = freshPath();
    const first = sqliteStore({ path });
    await first.transact("p1", (tx) =>
      tx.save({
        profile: sampleProfile("p1", T0),
        wakeAt: T0,
        keys: ["user:p1"],
        commands: [sampleSms("p1", "k1"), sampleSms("p1", "k2")],
        now: T0,
      }),
    );
    await first.claimOutbox(T0, 1, { worker: "d1", leaseMs: 60_000 });
    await first.close();

    const second = sqliteStore({ path });
    expect((await second.load("p1"))!.profile).toEqual(sampleProfile("p1", T0));
    expect(await second.resolve(["user:p1"])).toEqual(["p1"]);
    expect(await second.claimDue(T0, 10, { worker: "w", leaseMs: 1 })).toEqual([
      { profileId: "p1", wakeAt: T0 },
    ]);
    // k1 is still leased to d1; k2 is free
    expect((await second.claimOutbox(T0, 10, { worker: "d2", leaseMs: 1 })).map((e) => e.key)).toEqual([
      "k2",
    ]);
    expect((await second.getOutbox("k1"))!.leaseOwner).toBe("d1");
    await second.close();
  });

  it("commits the saves of many concurrent shoppers, each exactly once", async () => {
    const store = sqliteStore({ path: freshPath() });
    const ids = Array.from({ length: 200 }, (_, i) => `p${i}`);
    const results = await Promise.all(
      ids.map((id) =>
        store.transact(id, (tx) =>
          tx.save({
            profile: sampleProfile(id, T0),
            wakeAt: T0,
            keys: [`user:${id}`],
            commands: [sampleSms(id, `k-${id}`)],
            now: T0,
          }),
        ),
      ),
    );
    expect(results.every((r) => r.saved?.enqueued.length === 1)).toBe(true);
    const stats = await store.stats(T0);
    expect(stats.profiles).toBe(200);
    expect(stats.outbox.pending).toBe(200);
    await store.close();
  });

  it("a key lookup reused within a turn of the event loop never outlives a change to the keys", async () => {
    const store = sqliteStore({ path: freshPath() });
    await store.transact("p1", (tx) =>
      tx.save({ profile: sampleProfile("p1"), wakeAt: null, keys: ["user:p1"], now: T0 }),
    );
    // no macrotask between these calls: only the store's own writes can make the lookup stale
    expect(await store.resolve(["user:p1", "user:p2"])).toEqual(["p1"]);
    await store.forget("p1", { now: T0 });
    expect(await store.resolve(["user:p1", "user:p2"])).toEqual([]);
    const saving = store.transact("p2", (tx) =>
      tx.save({ profile: sampleProfile("p2"), wakeAt: null, keys: ["user:p2"], now: T0 }),
    );
    expect(await store.resolve(["user:p1", "user:p2"])).toEqual([]);
    await saving;
    expect(await store.resolve(["user:p1", "user:p2"])).toEqual(["p2"]);
    await store.close();
  });

  it("a write right after a lookup, in the same turn of the event loop, is committed at once", async () => {
    const path = freshPath();
    const store = sqliteStore({ path });
    await store.transact("p1", (tx) =>
      tx.save({
        profile: sampleProfile("p1"),
        wakeAt: null,
        keys: ["user:p1"],
        commands: [sampleSms("p1", "k1")],
        now: T0,
      }),
    );
    // lookups share a read transaction until the turn ends; the write must not wait inside it
    expect(await store.resolve(["user:p1"])).toEqual(["p1"]);
    expect(await store.load("p1")).not.toBeNull();
    expect(await store.markSent("k1", { at: T0 })).toBe(true);
    const other = new Database(path, { readonly: true });
    expect(other.prepare("SELECT state FROM outbox WHERE key = ?").pluck().get("k1")).toBe("sent");
    other.close();
    await store.close();
  });

  it("one failing save in a group commit does not undo the others", async () => {
    const store = sqliteStore({ path: freshPath() });
    await store.transact("owner", (tx) =>
      tx.save({ profile: sampleProfile("owner"), wakeAt: null, keys: ["email:shared@example.com"], now: T0 }),
    );
    const [ok1, clash, ok2] = await Promise.allSettled([
      store.transact("a", (tx) =>
        tx.save({ profile: sampleProfile("a"), wakeAt: null, keys: ["user:a"], now: T0 }),
      ),
      store.transact("b", (tx) =>
        tx.save({ profile: sampleProfile("b"), wakeAt: null, keys: ["email:shared@example.com"], now: T0 }),
      ),
      store.transact("c", (tx) =>
        tx.save({ profile: sampleProfile("c"), wakeAt: null, keys: ["user:c"], now: T0 }),
      ),
    ]);
    expect(ok1.status).toBe("fulfilled");
    expect(ok2.status).toBe("fulfilled");
    expect(clash.status === "rejected" && isStoreConflictError(clash.reason)).toBe(true);
    expect(await store.resolve(["user:a", "user:c", "email:shared@example.com"])).toEqual([
      "a",
      "c",
      "owner",
    ]);
    expect(await store.load("b")).toBeNull();
    await store.close();
  });

  it("a grouped save that fails halfway leaves nothing behind, and the others commit", async () => {
    const store = sqliteStore({ path: freshPath() });
    await store.transact("owner", (tx) =>
      tx.save({ profile: sampleProfile("owner"), wakeAt: null, keys: ["email:shared@example.com"], now: T0 }),
    );
    const save = (id: string, keys: string[]) =>
      store.transact(id, (tx) =>
        tx.save({
          profile: sampleProfile(id),
          wakeAt: T0,
          keys,
          commands: [sampleSms(id, `k-${id}`)],
          now: T0,
        }),
      );
    const [ok1, clash, ok2] = await Promise.allSettled([
      save("a", ["user:a"]),
      // its own new key goes in before the shared one turns out to be taken
      save("b", ["user:b", "email:shared@example.com"]),
      save("c", ["user:c"]),
    ]);
    expect([ok1.status, clash.status, ok2.status]).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(clash.status === "rejected" && isStoreConflictError(clash.reason)).toBe(true);
    expect(await store.resolve(["user:b"])).toEqual([]);
    expect(await store.load("b")).toBeNull();
    expect(await store.getOutbox("k-b")).toBeNull();
    expect(await store.resolve(["user:a", "user:c", "email:shared@example.com"])).toEqual([
      "a",
      "c",
      "owner",
    ]);
    expect((await store.stats(T0)).outbox.pending).toBe(2);
    await store.close();
  });

  it("detects a second process that changed the profile in between (optimistic versions)", async () => {
    const path = freshPath();
    const mine = sqliteStore({ path });
    const other = sqliteStore({ path });
    await mine.transact("p1", (tx) => tx.save({ profile: sampleProfile("p1"), wakeAt: null, now: T0 }));
    const error = await mine
      .transact("p1", async (tx) => {
        const current = await tx.load("p1");
        await other.transact("p1", async (otx) => {
          const theirs = await otx.load("p1");
          otx.save({ profile: theirs!.profile, wakeAt: T0, now: T0 });
        });
        tx.save({ profile: current!.profile, wakeAt: null, now: T0 });
      })
      .catch((e: unknown) => e);
    expect(isStoreConflictError(error)).toBe(true);
    expect(String(error)).toContain("changed in another process (expected version 1)");
    expect((await mine.load("p1"))!.version).toBe(2);
    await mine.close();
    await other.close();
  });

  it("says which option is missing", () => {
    expect(() => sqliteStore({} as never)).toThrow("missing required option `path`");
    expect(() => sqliteStore({ path: freshPath(), synchronous: "off" as never })).toThrow(
      'option `synchronous` must be "normal" or "full", got "off"',
    );
  });

  it("syncs every commit to disk with synchronous: full, and only at checkpoints by default", async () => {
    const pragmas = vi.spyOn(Database.prototype, "pragma");
    try {
      const settings = async (options: { synchronous?: "normal" | "full" }) => {
        pragmas.mockClear();
        const store = sqliteStore({ path: freshPath(), ...options });
        await store.stats(T0);
        await store.close();
        return pragmas.mock.calls.map(([sql]) => sql).filter((sql) => sql.startsWith("synchronous"));
      };
      expect(await settings({})).toEqual(["synchronous = NORMAL"]);
      expect(await settings({ synchronous: "full" })).toEqual(["synchronous = FULL"]);
    } finally {
      pragmas.mockRestore();
    }
  });
});
