/**
 * One process of the side-by-side benchmark (`bench/peer.ts` forks it): one system (the BullMQ
 * reference, or cartback's engine on SQLite or PostgreSQL) doing one phase, reporting over IPC.
 * Phases: `ingest` (the generated stream as fast as it goes, on a virtual clock that follows the
 * messages, wake-ups not running), `fill` (pending wake-ups up to the target, written straight into
 * the system's storage from one abandoned shopper's state), `wake` (wake the due ones with the rest
 * pending) and `replay` (the stream on an accelerated clock with wake-ups running).
 * Protocol: the parent sends `{ go: realStart }` after `{ ready: true }`; the child answers `{ result }`.
 */
import Database from "better-sqlite3";
import pg from "pg";
import type { Command } from "../src/core/commands.js";
import { COMMAND_TYPES } from "../src/core/commands.js";
import { playbookJourney, resolveJourney } from "../src/core/journey/index.js";
import type { Destination } from "../src/destinations/types.js";
import { type Clock, createManualClock, type ManualClock } from "../src/runtime/clock.js";
import { createEngine } from "../src/runtime/engine.js";
import { silentLogger } from "../src/runtime/logger.js";
import { createMetricsRecorder } from "../src/runtime/metrics.js";
import { runSchedulerPass } from "../src/runtime/scheduler.js";
import type { ScheduledCommand, Store } from "../src/runtime/store.js";
import { memoryStore } from "../src/stores/memory.js";
import { postgresStore } from "../src/stores/postgres.js";
import { sqliteStore } from "../src/stores/sqlite.js";
import { BENCH_PLAN, generateMessages } from "./generate-stream.js";
import { createPeer } from "./peer-bullmq.js";

export interface NodeConfig {
  system: "bullmq" | "sqlite" | "pg";
  phase: "ingest" | "fill" | "wake" | "replay";
  part: number;
  parts: number;
  carts: number;
  lateOrders: number;
  redisUrl: string;
  ns: string;
  dbPath: string;
  pgUrl: string;
  schema: string;
  /** fill: pending wake-ups in total, and how many of them are due at `wakeNow` */
  pending: number;
  due: number;
  /**
   * replay clock: from the stream's start to `streamEnd` at `speed` virtual ms per real ms, then to
   * `replayEnd` at `tailSpeed`
   */
  speed: number;
  streamEnd: number;
  tailSpeed: number;
  replayEnd: number;
}

export interface NodeResult {
  messages: number;
  ms: number;
  woke: number;
  cpuMs: number;
  maxRssBytes: number;
  /** real ms late, per wake-up (replay) */
  lateness: number[];
  /** message commands planned */
  produced: number;
  /** BullMQ: messages sent (due ones, and delayed ones whose time came and whose cart was not ordered) */
  sent: number;
  afterOrder: number;
  filled: number;
  pendingBefore: number;
  /** replay: real ms from the start until the last message up to the stream's end was ingested */
  feedMs: number;
}

export const STREAM_START = Date.parse("2026-03-02T00:00:00.000Z");
/** the template shopper abandons two days before the stream starts: its wake-ups are due before any of the stream's */
const TEMPLATE_AT = STREAM_START - 2 * 86_400_000;
/** pending wake-ups that are not measured lie two months ahead */
const FAR = STREAM_START + 60 * 86_400_000;
const BATCH = 100;
const journeys = [playbookJourney()];
const resolved = journeys.map(resolveJourney);

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** this process's share of the stream: one shopper's messages all go to one process, in order */
function* myMessages(config: NodeConfig): Generator<Record<string, unknown>> {
  for (const message of generateMessages({ carts: config.carts, lateOrders: config.lateOrders })) {
    if (config.parts > 1 && hash(String(message.anonymousId)) % config.parts !== config.part) continue;
    yield message;
  }
}

const atOf = (message: Record<string, unknown>) => Date.parse(String(message.timestamp));

function openStore(config: NodeConfig): Store {
  if (config.system === "sqlite") return sqliteStore({ path: config.dbPath });
  return postgresStore({ connectionString: config.pgUrl, schema: config.schema, max: 10 });
}

/** one abandoned shopper's stored state, with `TPL0` where each copy's number goes */
async function template() {
  const store = memoryStore();
  const engine = createEngine({
    store,
    journeys,
    destinations: [],
    clock: createManualClock(TEMPLATE_AT),
    plan: BENCH_PLAN,
  });
  const timestamp = new Date(TEMPLATE_AT).toISOString();
  const contact = { userId: "TPL0", anonymousId: "anon-TPL0", timestamp, context: { timezone: "UTC" } };
  await engine.ingest([
    {
      type: "identify",
      messageId: "tpl-id",
      ...contact,
      traits: { email: "TPL0@example.com", phone: "+14155550100", sms_opt_in: true, first_name: "Sam" },
    },
    {
      type: "track",
      event: "Product Added",
      messageId: "tpl-add",
      ...contact,
      properties: {
        cart_id: "cart-TPL0",
        product_id: "shirt",
        name: "Shirt",
        price: 90,
        quantity: 1,
        currency: "USD",
      },
    },
  ]);
  const stored = await store.load("p:user:TPL0");
  await store.close();
  if (!stored || stored.wakeAt === null) throw new Error("template shopper has no wake-up");
  return { doc: JSON.stringify(stored.profile), keys: stored.keys, wakeAt: stored.wakeAt };
}

/** counts every message a save puts in the outbox, and those whose own state already had the cart ordered */
function counting(store: Store, counts: { produced: number; afterOrder: number }): Store {
  return {
    ...store,
    transact: (ids, fn) =>
      store.transact(ids, (tx) =>
        fn({
          ...tx,
          save(write) {
            for (const c of write.commands ?? []) {
              const command: Command = (c as ScheduledCommand).command ?? (c as Command);
              if (command.kind !== "message") continue;
              counts.produced++;
              const cart = write.profile.carts.find((x) => x.id === command.cartId);
              if (cart?.orderedAt !== undefined) counts.afterOrder++;
            }
            tx.save(write);
          },
        }),
      ),
  };
}

/** real ms late at claim time, per wake-up */
function timingClaims(store: Store, realAt: (virtual: number) => number, lateness: number[]): Store {
  return {
    ...store,
    async claimDue(now, limit, lease) {
      const claims = await store.claimDue(now, limit, lease);
      const at = realNow();
      for (const claim of claims) lateness.push(Math.max(0, at - realAt(claim.wakeAt)));
      return claims;
    },
  };
}

/** delivers nothing: the benchmark measures scheduling, not providers */
const recorder: Destination = {
  name: "recorder",
  handles: COMMAND_TYPES,
  idempotent: true,
  execute: async () => ({}),
};

async function pendingCount(config: NodeConfig): Promise<number> {
  if (config.system === "sqlite") {
    const db = new Database(config.dbPath, { readonly: true });
    const n = (db.prepare("SELECT count(*) AS n FROM schedule").get() as { n: number }).n;
    db.close();
    return n;
  }
  const client = new pg.Client({ connectionString: config.pgUrl });
  await client.connect();
  const n = Number((await client.query(`SELECT count(*) AS n FROM "${config.schema}".schedule`)).rows[0].n);
  await client.end();
  return n;
}

async function fill(config: NodeConfig, result: NodeResult) {
  const tpl = await template();
  const dueAt = tpl.wakeAt;
  if (config.system === "bullmq") {
    const peer = createPeer({
      redisUrl: config.redisUrl,
      ns: config.ns,
      journeys: resolved,
      now: () => dueAt + 1,
      realDelay: (due, now) => Math.max(0, due - now),
    });
    result.pendingBefore = await peer.pending();
    const missing = Math.max(config.due, config.pending - result.pendingBefore);
    // four chunks in flight, so the process builds the next while Redis runs the last one's scripts
    const chunks = Array.from({ length: Math.ceil(missing / 1_000) }, (_, c) => c * 1_000);
    const writeChunk = async (i: number) => {
      const pipeline = peer.redis.pipeline();
      const jobs = [];
      for (let k = i; k < Math.min(missing, i + 1_000); k++) {
        const id = `p:user:TPL${k}`;
        const wakeAt = k < config.due ? dueAt : FAR;
        pipeline.hset(
          `${config.ns}:p:${id}`,
          "v",
          1,
          "doc",
          tpl.doc.replaceAll("TPL0", `TPL${k}`),
          "wakeAt",
          wakeAt,
        );
        for (const key of tpl.keys) pipeline.set(`${config.ns}:k:${key.replace("TPL0", `TPL${k}`)}`, id);
        jobs.push({
          name: "wake",
          data: { profileId: id, wakeAt },
          // due ones wait in the queue; the others are delayed two months (real time)
          opts: {
            jobId: `${id.replaceAll(":", "_")}@${wakeAt}`,
            delay: k < config.due ? 0 : FAR - STREAM_START,
          },
        });
      }
      await Promise.all([pipeline.exec(), peer.queue.addBulk(jobs)]);
    };
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = chunks.shift(); i !== undefined; i = chunks.shift()) await writeChunk(i);
      }),
    );
    result.filled = missing;
    await peer.close();
    return;
  }
  result.pendingBefore = await pendingCount(config);
  const missing = Math.max(config.due, config.pending - result.pendingBefore);
  result.filled = missing;
  if (config.system === "sqlite") {
    const db = new Database(config.dbPath);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    const profile = db.prepare("INSERT INTO profiles (id, doc, version, updated_at) VALUES (?, ?, 1, ?)");
    const wake = db.prepare("INSERT INTO schedule (profile_id, wake_at, due_at) VALUES (?, ?, ?)");
    const key = db.prepare("INSERT OR IGNORE INTO identity_keys (key, profile_id) VALUES (?, ?)");
    const batch = db.transaction((from: number, to: number) => {
      for (let k = from; k < to; k++) {
        const id = `p:user:TPL${k}`;
        profile.run(id, tpl.doc.replaceAll("TPL0", `TPL${k}`), TEMPLATE_AT);
        const at = k < config.due ? dueAt : FAR;
        wake.run(id, at, at);
        for (const x of tpl.keys) key.run(x.replace("TPL0", `TPL${k}`), id);
      }
    });
    for (let k = 0; k < missing; k += 10_000) batch(k, Math.min(missing, k + 10_000));
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: config.pgUrl });
  await client.connect();
  const s = `"${config.schema}"`;
  for (let k = 0; k < missing; k += 50_000) {
    const to = Math.min(missing, k + 50_000) - 1;
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO ${s}.profiles (id, doc, version, updated_at)
       SELECT 'p:user:TPL' || i, replace($1, 'TPL0', 'TPL' || i), 1, $2 FROM generate_series($3::int, $4::int) i`,
      [tpl.doc, TEMPLATE_AT, k, to],
    );
    await client.query(
      `INSERT INTO ${s}.schedule (profile_id, wake_at, due_at)
       SELECT 'p:user:TPL' || i, w, w FROM generate_series($1::int, $2::int) i,
       LATERAL (SELECT CASE WHEN i < $3 THEN $4::bigint ELSE $5::bigint END AS w) t`,
      [k, to, config.due, dueAt, FAR],
    );
    for (const x of tpl.keys) {
      await client.query(
        `INSERT INTO ${s}.identity_keys (key, profile_id)
         SELECT replace($1, 'TPL0', 'TPL' || i), 'p:user:TPL' || i FROM generate_series($2::int, $3::int) i
         ON CONFLICT (key) DO NOTHING`,
        [x, k, to],
      );
    }
    await client.query("COMMIT");
  }
  await client.query(`ANALYZE ${s}.schedule`);
  await client.end();
}

/**
 * the ingest phase, the same for every system: this process's share of the stream in batches of
 * \`BATCH\`, the virtual clock at each batch's last message, the time inside \`ingest\` counted
 */
async function ingestAll(
  config: NodeConfig,
  result: NodeResult,
  manual: ManualClock,
  ingest: (batch: Record<string, unknown>[]) => Promise<unknown>,
): Promise<void> {
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    manual.set(Math.max(manual.now(), atOf(batch[batch.length - 1] as Record<string, unknown>)));
    const t = performance.now();
    await ingest(batch);
    result.ms += performance.now() - t;
    result.messages += batch.length;
    batch = [];
  };
  for (const message of myMessages(config)) {
    batch.push(message);
    if (batch.length === BATCH) await flush();
  }
  if (batch.length > 0) await flush();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const realNow = () => performance.timeOrigin + performance.now();

async function main() {
  // the parent went away (killed): so does this process
  process.once("disconnect", () => process.exit(1));
  const config = JSON.parse(process.argv[2] as string) as NodeConfig;
  const result: NodeResult = {
    messages: 0,
    ms: 0,
    woke: 0,
    cpuMs: 0,
    maxRssBytes: 0,
    lateness: [],
    produced: 0,
    sent: 0,
    afterOrder: 0,
    filled: 0,
    pendingBefore: 0,
    feedMs: 0,
  };
  const go = new Promise<number>((resolve) => {
    process.once("message", (m: { go: number }) => resolve(m.go));
  });
  const tpl = config.phase === "wake" ? await template() : null;
  const wakeNow = (tpl?.wakeAt ?? 0) + 1;
  // replay clock: the stream's start at the real time the parent gives, `speed` times faster up to
  // the stream's end, `tailSpeed` times after it
  let realStart = 0;
  const streamRealMs = (config.streamEnd - STREAM_START) / config.speed;
  const realAt = (virtual: number) =>
    virtual <= config.streamEnd
      ? realStart + (virtual - STREAM_START) / config.speed
      : realStart + streamRealMs + (virtual - config.streamEnd) / config.tailSpeed;
  const virtualAt = (real: number) =>
    real - realStart <= streamRealMs
      ? STREAM_START + (real - realStart) * config.speed
      : config.streamEnd + (real - realStart - streamRealMs) * config.tailSpeed;
  const accelerated: Clock = { now: () => Math.floor(virtualAt(realNow())) };
  const manual = createManualClock(config.phase === "wake" ? wakeNow : STREAM_START);
  const clock = config.phase === "replay" ? accelerated : manual;

  if (config.system === "bullmq") {
    const peer = createPeer({
      redisUrl: config.redisUrl,
      ns: config.ns,
      journeys: resolved,
      now: () => clock.now(),
      // outside the replay nothing may fall due by itself: the ingest's wake-ups wait a day more in
      // real time, so none of them joins the wake phase's measured ones on a slow machine
      realDelay: (due, now) =>
        config.phase === "replay"
          ? Math.max(0, Math.ceil(realAt(due) - realNow()))
          : Math.max(0, due - now) + 86_400_000,
    });
    process.send?.({ ready: true });
    realStart = await go;
    if (config.phase === "fill") {
      await peer.close();
      await fill(config, result);
    } else if (config.phase === "ingest") {
      await ingestAll(config, result, manual, (batch) => peer.ingest(batch));
    } else if (config.phase === "wake") {
      const t = performance.now();
      peer.start();
      let seen = 0;
      let stalled = performance.now();
      while (peer.stats.wakeUps < config.due) {
        if (peer.stats.wakeUps !== seen) {
          seen = peer.stats.wakeUps;
          stalled = performance.now();
        } else if (performance.now() - stalled > 60_000) {
          throw new Error(`bullmq wake: stuck at ${seen} of ${config.due} wake-ups for 60 s`);
        }
        await sleep(5);
      }
      // the last jobs' saves: wait until nothing is waiting or running
      while ((await peer.queue.getWaitingCount()) + (await peer.queue.getActiveCount()) > 0) await sleep(5);
      result.ms = performance.now() - t;
      result.woke = peer.stats.wakeUps;
    } else {
      peer.start();
      Object.assign(result, await feed(config, accelerated, realAt, (batch) => peer.ingest(batch)));
      await peer.stopWorker();
      result.lateness = peer.stats.lateness;
      result.woke = peer.stats.wakeUps;
      const counters = await peer.counters();
      result.produced = peer.stats.planned;
      result.sent = counters.sent;
      result.afterOrder = counters.afterOrder;
    }
    await peer.close();
  } else {
    const counts = { produced: 0, afterOrder: 0 };
    const lateness: number[] = [];
    const store = timingClaims(counting(openStore(config), counts), realAt, lateness);
    await store.stats(0); // creates the schema
    process.send?.({ ready: true });
    realStart = await go;
    if (config.phase === "fill") {
      await store.close();
      await fill(config, result);
    } else if (config.phase === "ingest") {
      const engine = createEngine({ store, journeys, destinations: [], clock: manual, plan: BENCH_PLAN });
      await ingestAll(config, result, manual, (batch) => engine.ingest(batch));
      await engine.stop();
    } else if (config.phase === "wake") {
      const deps = {
        store,
        journeys: resolved,
        context: {},
        clock: manual,
        logger: silentLogger,
        metrics: createMetricsRecorder(),
        worker: `bench-${config.part}`,
        batch: 200,
        leaseMs: 60_000,
        concurrency: 32,
      };
      const t = performance.now();
      for (;;) {
        const woke = await runSchedulerPass(deps);
        if (woke === 0) break;
        result.woke += woke;
      }
      result.ms = performance.now() - t;
    } else {
      // the wake-up's transaction writes its commands to the outbox: that is the recording the BullMQ
      // side does with its send script. Delivery (the dispatcher: claims, retries, exactly once) is
      // beyond scheduling, so its loop waits past the replay's end after a first empty pass.
      const engine = createEngine({
        store,
        journeys,
        destinations: [recorder],
        clock: accelerated,
        dispatcher: { intervalMs: 3_600_000 },
        plan: BENCH_PLAN,
      });
      engine.start();
      Object.assign(result, await feed(config, accelerated, realAt, (batch) => engine.ingest(batch)));
      await engine.stop();
      result.lateness = lateness;
      result.woke = lateness.length;
    }
    result.produced = counts.produced;
    result.afterOrder = counts.afterOrder;
    if (config.phase !== "fill") await store.close();
  }
  const usage = process.resourceUsage();
  result.cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  result.maxRssBytes = usage.maxRSS * 1024;
  process.send?.({ result });
}

/** feeds this process's messages when the accelerated clock reaches them (at once when behind), up to the replay's end */
async function feed(
  config: NodeConfig,
  clock: Clock,
  realAt: (virtual: number) => number,
  ingest: (batch: unknown[]) => Promise<unknown>,
): Promise<{ messages: number; feedMs: number }> {
  let messages = 0;
  let feedMs = 0;
  let batch: Record<string, unknown>[] = [];
  const started = realAt(STREAM_START);
  const flush = async (last: number) => {
    await ingest(batch);
    messages += batch.length;
    batch = [];
    if (last <= config.streamEnd) feedMs = realNow() - started;
  };
  let lastAt = STREAM_START;
  for (const message of myMessages(config)) {
    const at = atOf(message);
    if (at > config.replayEnd) break;
    if (batch.length === BATCH || (batch.length > 0 && at > clock.now())) await flush(lastAt);
    const wait = realAt(at) - realNow();
    if (wait > 0) await sleep(wait);
    batch.push(message);
    lastAt = at;
  }
  if (batch.length > 0) await flush(lastAt);
  const rest = realAt(config.replayEnd) - realNow();
  if (rest > 0) await sleep(rest);
  return { messages, feedMs };
}

await main();
process.exit(0);
