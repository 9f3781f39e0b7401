/**
 * Store benchmarks:
 * - SQLite `transact` throughput (a ~2 KB profile per save, 100 shoppers in flight, like one ingest
 *   batch) against a raw batched better-sqlite3 upsert of the same rows, in the same run;
 * - `claimDue` throughput with 1,000,000 pending wake-ups, on SQLite and (with DATABASE_URL) PostgreSQL.
 * Sizes can be lowered with BENCH_STORES_PROFILES and BENCH_STORES_PENDING.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { Store } from "../src/runtime/store.js";
import { postgresStore } from "../src/stores/postgres.js";
import { sqliteStore } from "../src/stores/sqlite.js";
import { sampleProfile, sampleSms } from "../test/stores/sample-profile.js";

const PROFILES = Number(process.env.BENCH_STORES_PROFILES ?? 20_000);
const PENDING = Number(process.env.BENCH_STORES_PENDING ?? 1_000_000);
const IN_FLIGHT = 100;
const T0 = Date.UTC(2026, 10, 23, 12);

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString("en-US");
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** saves every profile once (load + save), `IN_FLIGHT` shoppers at a time; returns elapsed ms */
async function saveAll(store: Store, ids: string[], pass: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < ids.length; i += IN_FLIGHT) {
    await Promise.all(
      ids.slice(i, i + IN_FLIGHT).map((id, j) =>
        store.transact(id, async (tx) => {
          const current = await tx.load(id);
          const profile = sampleProfile(id, T0, i + j + pass);
          tx.save({
            profile: current ? { ...profile, firstSeenAt: current.profile.firstSeenAt } : profile,
            wakeAt: T0 + 15 * 60_000 + pass,
            keys: [`user:user-${id}`, `anon:anon-${id}`, `email:${id}@example.com`],
            // one message per pass: the outbox insert is part of a realistic save
            commands: [sampleSms(id, `four-stage:cart-${id}:${pass}:sms`)],
            now: T0 + pass,
          });
        }),
      ),
    );
  }
  return performance.now() - started;
}

/** the same rows with hand-written batched upserts: the ceiling the store is measured against */
function rawUpsert(path: string, ids: string[], pass: number): number {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`CREATE TABLE IF NOT EXISTS raw_profiles (id TEXT PRIMARY KEY, doc TEXT NOT NULL, wake_at INTEGER);
    CREATE TABLE IF NOT EXISTS raw_keys (key TEXT PRIMARY KEY, profile_id TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS raw_outbox (key TEXT PRIMARY KEY, profile_id TEXT NOT NULL, command TEXT NOT NULL)`);
  const upsert = db.prepare(
    "INSERT INTO raw_profiles (id, doc, wake_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, wake_at = excluded.wake_at",
  );
  const key = db.prepare("INSERT INTO raw_keys (key, profile_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING");
  const outbox = db.prepare(
    "INSERT INTO raw_outbox (key, profile_id, command) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  );
  const batch = db.transaction((slice: string[], offset: number) => {
    slice.forEach((id, j) => {
      upsert.run(id, JSON.stringify(sampleProfile(id, T0, offset + j + pass)), T0 + 15 * 60_000 + pass);
      for (const k of [`user:user-${id}`, `anon:anon-${id}`, `email:${id}@example.com`]) key.run(k, id);
      const command = sampleSms(id, `four-stage:cart-${id}:${pass}:sms`);
      outbox.run(command.key, id, JSON.stringify(command));
    });
  });
  const started = performance.now();
  for (let i = 0; i < ids.length; i += IN_FLIGHT) batch(ids.slice(i, i + IN_FLIGHT), i);
  const elapsed = performance.now() - started;
  db.close();
  return elapsed;
}

/** claims `total` profiles, `limit` at a time, from `workers` claimers; returns elapsed ms */
async function claimAll(stores: Store[], total: number, limit: number): Promise<number> {
  let claimed = 0;
  const started = performance.now();
  await Promise.all(
    stores.map(async (store, w) => {
      while (claimed < total) {
        const got = await store.claimDue(T0, limit, { worker: `w${w}`, leaseMs: 3_600_000 });
        if (got.length === 0) break;
        claimed += got.length;
      }
    }),
  );
  return performance.now() - started;
}

async function benchSqlite(dir: string): Promise<void> {
  const ids = Array.from({ length: PROFILES }, (_, i) => `p${String(i).padStart(7, "0")}`);
  const docBytes = JSON.stringify(sampleProfile(ids[0]!, T0)).length;
  const store = sqliteStore({ path: join(dir, "transact.db") });
  const rawPath = join(dir, "raw.db");
  console.log(
    `SQLite transact, ${PROFILES.toLocaleString("en-US")} profiles of ${docBytes} B, ${IN_FLIGHT} in flight`,
  );
  const insertStore = await saveAll(store, ids, 0);
  const insertRaw = rawUpsert(rawPath, ids, 0);
  // the machine may be shared: alternate store and raw passes and keep the median of each
  const updateStore: number[] = [];
  const updateRaw: number[] = [];
  for (let pass = 1; pass <= 3; pass++) {
    updateStore.push(await saveAll(store, ids, pass));
    updateRaw.push(rawUpsert(rawPath, ids, pass));
  }
  await store.close();
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const row = (label: string, storeMs: number, rawMs: number) =>
    console.log(
      `  ${label}: store ${rate(PROFILES, storeMs)}/s, raw upsert ${rate(PROFILES, rawMs)}/s (store at ${(
        (rawMs / storeMs) * 100
      ).toFixed(0)}% of raw)`,
    );
  row("new profiles             ", insertStore, insertRaw);
  row("load + update (median, 3)", median(updateStore), median(updateRaw));

  const path = join(dir, "claims.db");
  const claims = sqliteStore({ path });
  await claims.stats(T0);
  const db = new Database(path);
  const fillStarted = performance.now();
  const insertProfile = db.prepare(
    "INSERT INTO profiles (id, doc, version, updated_at) VALUES (?, '{}', 1, ?)",
  );
  const insertWake = db.prepare("INSERT INTO schedule (profile_id, wake_at, due_at) VALUES (?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < PENDING; i++) {
      // wake-ups spread over the past hour, all due at T0
      const id = `w${String(i).padStart(7, "0")}`;
      const wakeAt = T0 - 3_600_000 + ((i * 7919) % 3_600_000);
      insertProfile.run(id, T0);
      insertWake.run(id, wakeAt, wakeAt);
    }
  })();
  db.close();
  console.log(
    `SQLite claimDue, ${PENDING.toLocaleString("en-US")} pending wake-ups (filled in ${ms(performance.now() - fillStarted)})`,
  );
  for (const limit of [100, 1000]) {
    const total = Math.min(PENDING / 4, 100_000);
    const elapsed = await claimAll([claims], total, limit);
    console.log(
      `  limit ${limit}: ${rate(total, elapsed)} claims/s (${total.toLocaleString("en-US")} claimed)`,
    );
  }
  await claims.close();
}

async function benchPostgres(url: string): Promise<void> {
  const schema = `cartback_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const first = postgresStore({ connectionString: url, schema, max: 8 });
    const ids = Array.from({ length: Math.min(PROFILES, 5_000) }, (_, i) => `p${String(i).padStart(7, "0")}`);
    const insert = await saveAll(first, ids, 0);
    const update = await saveAll(first, ids, 1);
    console.log(
      `PostgreSQL transact, ${ids.length.toLocaleString("en-US")} profiles, ${IN_FLIGHT} in flight, pool of 8: ` +
        `new ${rate(ids.length, insert)}/s, load + update ${rate(ids.length, update)}/s`,
    );
    await first.close();

    const fillStarted = performance.now();
    await admin.query(
      `INSERT INTO "${schema}".profiles (id, doc, version, updated_at)
       SELECT 'w' || lpad(i::text, 7, '0'), '{}', 1, $1 FROM generate_series(0, $2::int - 1) AS i`,
      [T0, PENDING],
    );
    await admin.query(
      `INSERT INTO "${schema}".schedule (profile_id, wake_at, due_at)
       SELECT 'w' || lpad(i::text, 7, '0'), $1::bigint - 3600000 + (i::bigint * 7919) % 3600000,
              $1::bigint - 3600000 + (i::bigint * 7919) % 3600000
       FROM generate_series(0, $2::int - 1) AS i`,
      [T0, PENDING],
    );
    await admin.query(`ANALYZE "${schema}".schedule`);
    console.log(
      `PostgreSQL claimDue, ${PENDING.toLocaleString("en-US")} pending wake-ups (filled in ${ms(performance.now() - fillStarted)})`,
    );
    const workers = [1, 4];
    for (const count of workers) {
      const stores = Array.from({ length: count }, () =>
        postgresStore({ connectionString: url, schema, max: 2 }),
      );
      const total = Math.min(50_000, PENDING / 4);
      const elapsed = await claimAll(stores, total, 100);
      console.log(`  ${count} worker(s), limit 100: ${rate(total, elapsed)} claims/s`);
      await Promise.all(stores.map((s) => s.close()));
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

export async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "cartback-bench-stores-"));
  try {
    await benchSqlite(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.DATABASE_URL;
  if (url) await benchPostgres(url);
  else console.log("PostgreSQL: skipped (DATABASE_URL is not set)");
}
