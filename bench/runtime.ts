/**
 * Runtime benchmarks (engine on SQLite, in-process):
 * - ingest throughput, batches of 100 RudderStack messages through `engine.ingest` (normalize, one
 *   transaction per shopper, plan), one batch at a time, 8 in flight, and over HTTP (`POST /v1/batch`
 *   to the same engine behind cartback's handler, 8 requests in flight), against a raw batched
 *   better-sqlite3 upsert of the same rows (every save's profile document, wake-up, identity keys and
 *   outbox rows, into the store's own schema, and into bare tables for reference) in the same run;
 * - scheduler throughput (claim, plan, save) with 1,000,000 pending wake-ups;
 * - p99 wake lateness while ingest runs at the same time;
 * - resident memory of an engine over 1,000,000 profiles.
 * Sizes: BENCH_RUNTIME_SHOPPERS (shoppers per measured round, default 10,000), BENCH_RUNTIME_ROUNDS
 * (engine and raw rounds, alternating, the best of each counts; default 3, at most 5),
 * BENCH_RUNTIME_WARMUP (shoppers ingested before the first round, default as many as a round),
 * BENCH_RUNTIME_PROFILES (default 1,000,000).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import Database from "better-sqlite3";
import { resolveConfig } from "../src/config/resolve.js";
import { playbookJourney, resolveJourney } from "../src/core/journey/index.js";
import { createManualClock, systemClock } from "../src/runtime/clock.js";
import { createEngine } from "../src/runtime/engine.js";
import { silentLogger } from "../src/runtime/logger.js";
import { createMetricsRecorder } from "../src/runtime/metrics.js";
import { runSchedulerPass } from "../src/runtime/scheduler.js";
import type { Store } from "../src/runtime/store.js";
import { createHandler } from "../src/server/handler.js";
import { serveNode } from "../src/server/node.js";
import { memoryStore } from "../src/stores/memory.js";
import { migrateSqlite, sqliteStore } from "../src/stores/sqlite.js";
import { afternoonZone } from "../test/helpers/time-zones.js";
import { BENCH_PLAN } from "./generate-stream.js";

const SHOPPERS = Number(process.env.BENCH_RUNTIME_SHOPPERS ?? 10_000);
const WARMUP = Number(process.env.BENCH_RUNTIME_WARMUP ?? SHOPPERS);
const PROFILES = Number(process.env.BENCH_RUNTIME_PROFILES ?? 1_000_000);
const BATCH = 100;
const T0 = Date.UTC(2026, 10, 23, 12);
const journeys = [playbookJourney()];

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString("en-US");
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** each run of shoppers has its own phone numbers: a number shared with another run's shopper is a
 * shared device, which costs an extra profile load and is not what these passes measure. Round k
 * ingests shoppers `r<k>…` one batch at a time, `q<k>…` with 8 batches in flight and `h<k>…` over HTTP. */
function phoneBase(tag: string): number {
  if (tag === "hw") return 9_000_000;
  const round = Number(tag.slice(1));
  if (tag[0] === "r") return 3_000_000 + round * 200_000;
  if (tag[0] === "q") return 5_000_000 + round * 200_000;
  if (tag[0] === "h") return 8_000_000 + round * 200_000;
  return tag === "w" ? 7_000_000 : 2_000_000;
}
const ROUNDS = Math.min(5, Math.max(1, Number(process.env.BENCH_RUNTIME_ROUNDS ?? 3)));
/** HTTP requests open at once in the HTTP pass, as in the concurrent in-process pass (an SDK fleet flushes independently) */
const HTTP_IN_FLIGHT = 8;
/** the HTTP pass's client, run in a worker thread */
const HTTP_CLIENT = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, authorization, bodies, inFlight } = workerData;
(async () => {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < bodies.length) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: bodies[next++],
      });
      if (response.status !== 200) throw new Error("HTTP " + response.status + ": " + (await response.text()));
      await response.arrayBuffer();
    }
  }));
  parentPort.postMessage({ ms: performance.now() - started });
})().catch((error) => parentPort.postMessage({ error: String(error && error.message || error) }));
`;
interface OutboxRow {
  key: string;
  profile_id: string;
  destination: string;
  command: string;
  created_at: number;
  due_at: number;
}

function shopper(i: number, at: number, tag = "s", timezone = "UTC"): Record<string, unknown>[] {
  const userId = `${tag}${i}`;
  const timestamp = new Date(at).toISOString();
  return [
    {
      type: "identify",
      messageId: `${tag}-id-${i}`,
      userId,
      anonymousId: `anon-${tag}${i}`,
      timestamp,
      context: { timezone },
      traits: {
        email: `${userId}@example.com`,
        phone: `+1415${phoneBase(tag) + i}`,
        sms_opt_in: true,
        first_name: "Sam",
      },
    },
    {
      type: "track",
      event: "Product Added",
      messageId: `${tag}-add-${i}`,
      userId,
      anonymousId: `anon-${tag}${i}`,
      timestamp,
      context: { timezone },
      properties: {
        cart_id: `cart-${tag}${i}`,
        product_id: "shirt",
        name: "Linen shirt",
        price: 90,
        quantity: 1,
        currency: "USD",
      },
    },
  ];
}

async function ingestBench(dir: string) {
  const path = join(dir, "ingest.db");
  const sqlite = sqliteStore({ path });
  // how many times each profile was saved: one save per transaction, and the raw side replays each
  const saves = new Map<string, number>();
  const store: Store = {
    ...sqlite,
    transact: (ids, fn) =>
      sqlite.transact(ids, (tx) =>
        fn({
          ...tx,
          save(write) {
            saves.set(write.profile.id, (saves.get(write.profile.id) ?? 0) + 1);
            tx.save(write);
          },
        }),
      ),
  };
  const clock = createManualClock(T0 + 60_000);
  const engine = createEngine({ store, journeys, destinations: [], clock, plan: BENCH_PLAN });
  // the same engine behind cartback's HTTP API, configured and served as `cartback serve` does (the
  // adapter reads each body within the configured limit): what a RudderStack SDK's batches go through
  const config = resolveConfig({ writeKey: "bench", emulators: true }, {});
  const server = await serveNode(createHandler({ engine, store, logger: silentLogger, config }), {
    port: 0,
    host: "127.0.0.1",
    maxBodyBytes: config.server.maxBodyBytes,
  });
  const authorization = `Basic ${Buffer.from("bench:").toString("base64")}`;
  /**
   * POST /v1/batch, 100 messages a request, `inFlight` requests open at once, from a worker thread:
   * a server's clients are other machines, so their HTTP work does not run on the server's event
   * loop. Wall ms from the first request to the last response.
   */
  const postAll = (messages: unknown[], inFlight: number) => {
    const bodies: string[] = [];
    for (let i = 0; i < messages.length; i += BATCH)
      bodies.push(JSON.stringify({ batch: messages.slice(i, i + BATCH) }));
    const worker = new Worker(HTTP_CLIENT, {
      eval: true,
      workerData: { url: `${server.url}/v1/batch`, authorization, bodies, inFlight },
    });
    return new Promise<number>((resolve, reject) => {
      worker.once("message", (result: { ms?: number; error?: string }) => {
        if (result.error !== undefined) reject(new Error(result.error));
        else resolve(result.ms as number);
        void worker.terminate();
      });
      worker.once("error", reject);
    });
  };
  const ingestAll = async (messages: unknown[]) => {
    const started = performance.now();
    for (let i = 0; i < messages.length; i += BATCH) await engine.ingest(messages.slice(i, i + BATCH));
    return performance.now() - started;
  };
  // a server ingests for hours: one pass warms the JIT up, the rounds after it are measured (the best
  // counts, as in the other benchmarks). The warm-up pass is printed too: the cold start.
  const warmup = Array.from({ length: WARMUP }, (_, i) => shopper(i, T0, "w")).flat();
  const coldMs = await ingestAll(warmup);
  // the HTTP path warms up too, on shoppers of its own
  await postAll(
    Array.from({ length: Math.min(WARMUP, 2_000) }, (_, i) => shopper(i, T0, "hw")).flat(),
    HTTP_IN_FLIGHT,
  );

  // The same rows, written raw: every save the engine made wrote a shopper's document, wake-up,
  // identity keys and outbox rows; replay those writes with prepared statements, in transactions of
  // the saves of 100 messages. Into the store's own schema (the same tables and indexes: the
  // comparison), and into bare tables without secondary indexes (shown for reference).
  const written = new Database(path, { readonly: true });
  const rowsOf = (tag: string) => {
    // ids are `p:user:<tag><n>`; no tag is another tag followed by digits
    const like = `p:user:${tag}%`;
    const docs = written
      .prepare(
        "SELECT p.id, p.doc, s.wake_at FROM profiles p LEFT JOIN schedule s ON s.profile_id = p.id WHERE p.id LIKE ?",
      )
      .all(like) as { id: string; doc: string; wake_at: number | null }[];
    const keys = written
      .prepare("SELECT key, profile_id FROM identity_keys WHERE profile_id LIKE ?")
      .all(like) as { key: string; profile_id: string }[];
    const outbox = written
      .prepare(
        "SELECT key, profile_id, destination, command, created_at, due_at FROM outbox WHERE profile_id LIKE ?",
      )
      .all(like) as OutboxRow[];
    const keysOf = new Map<string, string[]>();
    for (const k of keys) keysOf.set(k.profile_id, [...(keysOf.get(k.profile_id) ?? []), k.key]);
    const outOf = new Map<string, OutboxRow[]>();
    for (const o of outbox) outOf.set(o.profile_id, [...(outOf.get(o.profile_id) ?? []), o]);
    return docs.flatMap((d) => {
      const write = { ...d, keys: keysOf.get(d.id) ?? [], outbox: outOf.get(d.id) ?? [] };
      return Array.from({ length: saves.get(d.id) ?? 0 }, () => write);
    });
  };
  type Write = ReturnType<typeof rowsOf>[number];

  const own = new Database(join(dir, "raw-schema.db"));
  own.pragma("journal_mode = WAL");
  own.pragma("synchronous = NORMAL");
  migrateSqlite(own);
  const ownProfile = own.prepare(
    `INSERT INTO profiles (id, doc, version, updated_at) VALUES (?, ?, 1, ?)
     ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, version = version + 1, updated_at = excluded.updated_at`,
  );
  const ownSchedule = own.prepare(
    `INSERT INTO schedule (profile_id, wake_at, due_at) VALUES (?, ?, ?)
     ON CONFLICT (profile_id) DO UPDATE SET wake_at = excluded.wake_at, due_at = excluded.due_at`,
  );
  const ownKey = own.prepare(
    "INSERT INTO identity_keys (key, profile_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
  );
  const ownOutbox = own.prepare(
    `INSERT INTO outbox (key, profile_id, destination, command, state, created_at, due_at, available_at)
     VALUES (?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
  );
  const ownBatch = own.transaction((slice: Write[]) => {
    for (const d of slice) {
      ownProfile.run(d.id, d.doc, T0);
      if (d.wake_at !== null) ownSchedule.run(d.id, d.wake_at, d.wake_at);
      for (const k of d.keys) ownKey.run(k, d.id);
      for (const o of d.outbox)
        ownOutbox.run(o.key, o.profile_id, o.destination, o.command, o.created_at, o.due_at, o.due_at);
    }
  });

  const bare = new Database(join(dir, "raw-bare.db"));
  bare.pragma("journal_mode = WAL");
  bare.pragma("synchronous = NORMAL");
  bare.exec(`CREATE TABLE p (id TEXT PRIMARY KEY, doc TEXT NOT NULL, wake_at INTEGER);
    CREATE TABLE k (key TEXT PRIMARY KEY, profile_id TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE o (key TEXT PRIMARY KEY, profile_id TEXT NOT NULL, command TEXT NOT NULL)`);
  const bareProfile = bare.prepare(
    "INSERT INTO p (id, doc, wake_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, wake_at = excluded.wake_at",
  );
  const bareKey = bare.prepare("INSERT INTO k (key, profile_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING");
  const bareOutbox = bare.prepare(
    "INSERT INTO o (key, profile_id, command) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
  );
  const bareBatch = bare.transaction((slice: Write[]) => {
    for (const d of slice) {
      bareProfile.run(d.id, d.doc, d.wake_at);
      for (const k of d.keys) bareKey.run(k, d.id);
      for (const o of d.outbox) bareOutbox.run(o.key, o.profile_id, o.command);
    }
  });

  /** the saves of each 100 messages in one transaction, as the engine's group commit does */
  const replay = (batch: (slice: Write[]) => void, writes: Write[], messages: number) => {
    const perBatch = Math.max(1, Math.round((writes.length / messages) * BATCH));
    const started = performance.now();
    for (let i = 0; i < writes.length; i += perBatch) batch(writes.slice(i, i + perBatch));
    return performance.now() - started;
  };
  // the raw side warms up on the warm-up pass's rows, so both sides run compiled code
  const warmWrites = rowsOf("w");
  replay(ownBatch, warmWrites, warmup.length);
  replay(bareBatch, warmWrites, warmup.length);

  // engine and raw alternate, each round with new shoppers, so a slow moment on a shared machine
  // does not land on one side only
  let engineMs = Number.POSITIVE_INFINITY;
  let concurrentMs = Number.POSITIVE_INFINITY;
  let ownMs = Number.POSITIVE_INFINITY;
  let bareMs = Number.POSITIVE_INFINITY;
  let httpMs = Number.POSITIVE_INFINITY;
  let measured = 0;
  let transactions = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const messages = Array.from({ length: SHOPPERS }, (_, i) => shopper(i, T0, `r${round}`)).flat();
    measured = messages.length;
    engineMs = Math.min(engineMs, await ingestAll(messages));
    // the same volume of new shoppers with 8 batches in flight, as concurrent HTTP requests would be
    const more = Array.from({ length: SHOPPERS }, (_, i) => shopper(i, T0, `q${round}`)).flat();
    const batches: unknown[][] = [];
    for (let i = 0; i < more.length; i += BATCH) batches.push(more.slice(i, i + BATCH));
    const concurrentStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < batches.length) await engine.ingest(batches[next++] as unknown[]);
      }),
    );
    concurrentMs = Math.min(concurrentMs, performance.now() - concurrentStarted);
    // and as many again over HTTP
    const web = Array.from({ length: SHOPPERS }, (_, i) => shopper(i, T0, `h${round}`)).flat();
    httpMs = Math.min(httpMs, await postAll(web, HTTP_IN_FLIGHT));
    const writes = rowsOf(`r${round}`);
    if (new Set(writes.map((w) => w.id)).size !== SHOPPERS) {
      throw new Error(`round ${round}: expected ${SHOPPERS} stored shoppers`);
    }
    transactions = writes.length;
    ownMs = Math.min(ownMs, replay(ownBatch, writes, measured));
    bareMs = Math.min(bareMs, replay(bareBatch, writes, measured));
  }
  written.close();
  own.close();
  bare.close();
  await server.close();
  await engine.stop();
  await store.close();

  const engineRate = (measured / engineMs) * 1000;
  const ownRate = (measured / ownMs) * 1000;
  const bareRate = (measured / bareMs) * 1000;
  const pct = (r: number) => Math.round((r / ownRate) * 100);
  console.log(
    `engine.ingest on SQLite, first ${warmup.length.toLocaleString("en-US")} messages of a fresh process (warm-up, cold JIT): ${rate(warmup.length, coldMs)} messages/s`,
  );
  console.log(
    `engine.ingest on SQLite, ${measured.toLocaleString("en-US")} new messages (${SHOPPERS.toLocaleString("en-US")} shoppers, ${transactions.toLocaleString("en-US")} transactions) in batches of ${BATCH}, best of ${ROUNDS} rounds: ${rate(measured, engineMs)} messages/s`,
  );
  console.log(
    `  with 8 batches in flight: ${rate(measured, concurrentMs)} messages/s — ${pct((measured / concurrentMs) * 1000)} % of raw`,
  );
  console.log(
    `  over HTTP (POST /v1/batch of ${BATCH}, ${HTTP_IN_FLIGHT} in flight): ${rate(measured, httpMs)} messages/s — ${pct((measured / httpMs) * 1000)} % of raw`,
  );
  console.log(
    `  raw batched upsert of the same rows into the store's schema, best of ${ROUNDS} rounds alternating with the engine's: ${Math.round(ownRate).toLocaleString("en-US")} messages/s — engine at ${pct(engineRate)} % (target ≥ 25 %)`,
  );
  console.log(
    `  (into bare tables without secondary indexes: ${Math.round(bareRate).toLocaleString("en-US")} messages/s — engine at ${Math.round((engineRate / bareRate) * 100)} %)`,
  );
}

/** one shopper's stored state after abandonment, as a JSON template with `TPL` where the id goes */
async function profileTemplate(timezone: string) {
  const store = memoryStore();
  const clock = createManualClock(T0);
  const engine = createEngine({ store, journeys, destinations: [], clock, plan: BENCH_PLAN });
  await engine.ingest(shopper(0, T0, "TPL", timezone));
  const stored = await store.load("p:user:TPL0");
  await store.close();
  if (!stored || stored.wakeAt === null) throw new Error("template shopper has no wake-up");
  return { doc: JSON.stringify(stored.profile), keys: stored.keys, wakeAt: stored.wakeAt };
}

/** fills `path` with `n` shoppers waiting for their wake-up, written straight into the store's tables */
async function fillProfiles(path: string, n: number, wakeAt: (i: number) => number, timezone = "UTC") {
  const template = await profileTemplate(timezone);
  const created = sqliteStore({ path });
  await created.stats(0); // creates the file and its schema
  await created.close();
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const profile = db.prepare("INSERT INTO profiles (id, doc, version, updated_at) VALUES (?, ?, 1, ?)");
  const wake = db.prepare("INSERT INTO schedule (profile_id, wake_at, due_at) VALUES (?, ?, ?)");
  // the template's phone number is shared, so only its first profile owns that key
  const key = db.prepare("INSERT OR IGNORE INTO identity_keys (key, profile_id) VALUES (?, ?)");
  const fill = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const id = `p:user:TPL${i}`;
      profile.run(id, template.doc.replaceAll("TPL0", `TPL${i}`), T0);
      const at = wakeAt(i);
      wake.run(id, at, at);
      for (const k of template.keys) key.run(k.replace("TPL0", `TPL${i}`), id);
    }
  });
  for (let i = 0; i < n; i += 10_000) fill(i, Math.min(n, i + 10_000));
  db.close();
  return template;
}

async function schedulerBench(dir: string) {
  const path = join(dir, "scheduler.db");
  const started = performance.now();
  const template = await fillProfiles(path, PROFILES, () => T0 + 15 * 60_000);
  console.log(
    `filled ${PROFILES.toLocaleString("en-US")} profiles (${template.doc.length} B documents) with due wake-ups in ${Math.round((performance.now() - started) / 1000)} s`,
  );
  const store = sqliteStore({ path });
  const clock = createManualClock(template.wakeAt + 1);
  const deps = {
    store,
    journeys: journeys.map(resolveJourney),
    context: {},
    clock,
    logger: silentLogger,
    metrics: createMetricsRecorder(),
    worker: "bench",
    batch: 200,
    leaseMs: 60_000,
    concurrency: 32,
  };
  const total = Math.min(20_000, PROFILES);
  const t = performance.now();
  let woke = 0;
  while (woke < total) woke += await runSchedulerPass(deps);
  const elapsed = performance.now() - t;
  console.log(
    `scheduler (claim, plan, save; the first nudge's commands to the outbox) with ${PROFILES.toLocaleString("en-US")} pending wake-ups: ${rate(woke, elapsed)} wake-ups/s`,
  );

  // resident memory of a running engine over this database: profiles stay on disk
  global.gc?.();
  const engine = createEngine({
    store,
    journeys,
    destinations: [],
    clock: createManualClock(template.wakeAt + 2),
    plan: BENCH_PLAN,
  });
  await engine.ingest(shopper(0, T0, "mem"));
  await engine.tick();
  global.gc?.();
  console.log(
    `resident memory with ${PROFILES.toLocaleString("en-US")} profiles on SQLite: ${mb(process.memoryUsage().rss)} RSS (${mb(process.memoryUsage().heapUsed)} heap)`,
  );
  await engine.stop();
  await store.close();
}

async function latencyBench(dir: string) {
  const path = join(dir, "lateness.db");
  const seconds = 20;
  const perSecond = 500;
  const start = Date.now() + 3_000;
  // on the real clock: shoppers where it is early afternoon, so quiet hours do not change the work
  // each wake-up does with the hour the benchmark runs at
  await fillProfiles(
    path,
    seconds * perSecond,
    (i) => start + Math.floor((i / perSecond) * 1000),
    afternoonZone(Date.now()),
  );
  const store = sqliteStore({ path });
  const engine = createEngine({ store, journeys, destinations: [], clock: systemClock, plan: BENCH_PLAN });
  engine.start();
  // ingest load at the same time: batches of 100 messages, back to back
  let ingested = 0;
  let batchNo = 0;
  const until = start + seconds * 1000 + 1_000;
  while (Date.now() < until) {
    const messages = Array.from({ length: BATCH / 2 }, (_, k) =>
      shopper(batchNo * 50 + k, Date.now(), "load"),
    ).flat();
    batchNo++;
    await engine.ingest(messages);
    ingested += messages.length;
  }
  // every planted wake-up counts, also those the load held back
  const deadline = Date.now() + 30_000;
  while (engine.metrics().wakeUps < seconds * perSecond && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await engine.stop();
  const m = engine.metrics();
  console.log(
    `wake lateness, ${m.lateness.count.toLocaleString("en-US")} wake-ups (${perSecond}/s) under ${rate(ingested, until - start + 3_000)} ingested messages/s: p50 ${Math.round(m.lateness.p50Ms ?? 0)} ms, p99 ${Math.round(m.lateness.p99Ms ?? 0)} ms, max ${Math.round(m.lateness.maxMs ?? 0)} ms (target p99 < 1 s)`,
  );
  await store.close();
}

export async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "cartback-bench-runtime-"));
  try {
    await ingestBench(dir);
    await latencyBench(dir);
    await schedulerBench(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
