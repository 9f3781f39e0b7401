/**
 * Side by side with what a store's team would build instead: the `playbook` journey's scheduling on
 * BullMQ + Redis (bench/peer-bullmq.ts) against cartback's engine on SQLite, and on PostgreSQL with
 * one engine process and with two, all driven by the same generated stream (bench/generate-stream.ts,
 * with a share of the orders arriving hours or days later, between stages). Each system runs in
 * processes of its own (bench/peer-node.ts), one after the other, in four phases:
 *
 * 1. ingest: the whole stream (`--carts`, default 100,000 carts, about 6.5 messages each) in batches of
 *    100 as fast as the system takes them, on a virtual clock that follows the messages' timestamps;
 *    wake-ups do not run. With two engines, each process takes the shoppers hashed to it (RudderStack
 *    delivers one user's events in order), both at once.
 * 2. fill: the wake-ups the ingest left pending are topped up to `--pending` (default 1,000,000) with
 *    copies of one abandoned shopper, written straight into the system's storage (rows in the store's
 *    tables; documents, identity keys and delayed jobs in Redis); `--due` of them (default 20,000,
 *    added even when the ingest left more than `--pending`) are due, the rest lie two months ahead.
 * 3. wake: the due wake-ups are claimed, planned and saved with the rest pending (BullMQ: one worker
 *    process, concurrency 50; cartback: scheduler passes of 200, 32 at a time, per process).
 * 4. replay: the first `--replay-carts` carts of the same stream (default 5,000) on an accelerated
 *    clock, with the wake-ups running: the sessions arrive at `--replay-rate` messages/s (default
 *    2,000; a system that cannot keep up takes them back to back, and the rate it managed is
 *    printed), then two virtual days pass in `--replay-tail` seconds (default 20), past the first three
 *    stages. Wake lateness is real milliseconds between a wake-up's due time and when the system
 *    claimed it (the machinery's delay, not the accelerated clock's); messages after an order are
 *    counted here (cartback: a message planned from a state in which its cart was already ordered;
 *    the BullMQ design: a message sent, atomically checked in Redis, after the cart's order was
 *    recorded).
 *
 * Memory: each system's peak resident memory over its processes (two engines: the sum), plus Redis's
 * `used_memory` growth at its peak (sampled every 250 ms) or the PostgreSQL schema's size on disk.
 * CPU: user + system seconds of the system's processes, plus the Redis server's CPU (INFO) or the
 * PostgreSQL server processes' CPU (/proc) over the same phases; both servers are shared with whatever
 * else runs on the machine.
 *
 * Run: `npm run bench -- peer [--carts N] [--pending N] [--due N] [--replay-carts N]
 * [--replay-rate R] [--replay-tail S] [--only bullmq,sqlite,pg1,pg2]`. Redis: REDIS_URL (default
 * redis://127.0.0.1:6379), keys under `cbpeer_<pid>:` removed at the end; PostgreSQL: DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test), schemas `cbpeer_<pid>_*` dropped at the end.
 */
import { fork } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { generateMessages } from "./generate-stream.js";
import type { NodeConfig, NodeResult } from "./peer-node.js";

const STREAM_START = Date.parse("2026-03-02T00:00:00.000Z");
const DAY = 86_400_000;
/** share of the carts not ordered at once that are ordered hours or days later */
const LATE_ORDERS = 0.25;

interface Options {
  carts: number;
  pending: number;
  due: number;
  replayCarts: number;
  replayRate: number;
  replayTail: number;
  only: string[];
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    carts: 100_000,
    pending: 1_000_000,
    due: 20_000,
    replayCarts: 5_000,
    replayRate: 2_000,
    replayTail: 20,
    only: ["bullmq", "sqlite", "pg1", "pg2"],
  };
  const numeric: Record<string, keyof Options> = {
    "--carts": "carts",
    "--pending": "pending",
    "--due": "due",
    "--replay-carts": "replayCarts",
    "--replay-rate": "replayRate",
    "--replay-tail": "replayTail",
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === "peer") continue;
    const value = argv[i + 1];
    if (flag === "--only") {
      const systems = (value ?? "").split(",").filter(Boolean);
      const unknown = systems.filter((s) => !["bullmq", "sqlite", "pg1", "pg2"].includes(s));
      if (systems.length === 0 || unknown.length > 0)
        throw new Error(`bench peer: --only takes a list of bullmq, sqlite, pg1, pg2; got "${value ?? ""}"`);
      options.only = systems;
      i++;
      continue;
    }
    const key = numeric[flag];
    if (!key)
      throw new Error(
        `bench peer: unknown flag "${flag}" (flags: ${Object.keys(numeric).join(", ")}, --only)`,
      );
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0)
      throw new Error(`bench peer: ${flag} needs a positive number, got "${value ?? ""}"`);
    (options[key] as number) = n;
    i++;
  }
  options.replayCarts = Math.min(options.replayCarts, options.carts);
  options.due = Math.min(options.due, options.pending);
  return options;
}

/** user + system CPU ms per process whose command line matches, from /proc */
function processCpuMs(match: (cmdline: string) => boolean): Map<string, number> {
  const tick = 10; // USER_HZ = 100 on Linux
  const cpu = new Map<string, number>();
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (!match(cmdline)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) * tick);
    } catch {
      // the process ended meanwhile
    }
  }
  return cpu;
}

/**
 * CPU the PostgreSQL server's processes spent since it was created, sampled: a backend's CPU counts up
 * to its last sample (connections close, and their processes end, with each phase)
 */
function postgresCpu() {
  const isPostgres = (cmdline: string) => cmdline.startsWith("postgres");
  const baseline = processCpuMs(isPostgres);
  const last = new Map<string, number>();
  return {
    sample() {
      for (const [pid, ms] of processCpuMs(isPostgres)) last.set(pid, ms);
    },
    /** ms since the baseline */
    total(): number {
      this.sample();
      let total = 0;
      for (const [pid, ms] of last) total += ms - (baseline.get(pid) ?? 0);
      return total;
    },
  };
}

async function redisInfo(redis: Redis) {
  const text = `${await redis.info("memory")}\n${await redis.info("cpu")}`;
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(text)?.[1] ?? 0);
  return {
    usedMemory: field("used_memory"),
    cpuMs: (field("used_cpu_user") + field("used_cpu_sys")) * 1000,
  };
}

interface PhaseOutcome {
  results: NodeResult[];
  wallMs: number;
}

/** the forked processes still running, killed when the comparison is interrupted */
const live = new Set<ReturnType<typeof fork>>();

/** forks `parts` processes for one phase, starts them together, waits for their results */
async function runPhase(base: Omit<NodeConfig, "part" | "parts">, parts: number): Promise<PhaseOutcome> {
  const script = new URL("./peer-node.ts", import.meta.url).pathname;
  const children = Array.from({ length: parts }, (_, part) =>
    fork(script, [JSON.stringify({ ...base, part, parts })], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
  for (const child of children) {
    live.add(child);
    child.once("exit", () => live.delete(child));
  }
  const ready = children.map(
    (child) =>
      new Promise<void>((resolve, reject) => {
        child.once("message", () => resolve());
        child.once("exit", (code) =>
          reject(new Error(`bench peer: ${base.system} ${base.phase} exited ${code}`)),
        );
      }),
  );
  try {
    await Promise.all(ready);
    const results = children.map(
      (child) =>
        new Promise<NodeResult>((resolve, reject) => {
          child.once("message", (m: { result: NodeResult }) => resolve(m.result));
          child.once("exit", (code) =>
            reject(new Error(`bench peer: ${base.system} ${base.phase} exited ${code} before its result`)),
          );
        }),
    );
    const started = performance.now();
    const realStart = performance.timeOrigin + performance.now() + 200;
    for (const child of children) child.send({ go: realStart });
    const out = await Promise.all(results);
    const wallMs = performance.now() - started;
    await Promise.all(
      children.map((child) =>
        child.exitCode !== null ? undefined : new Promise((resolve) => child.once("exit", resolve)),
      ),
    );
    return { results: out, wallMs };
  } finally {
    for (const child of children)
      if (child.exitCode === null && child.pid !== undefined) child.kill("SIGKILL");
  }
}

interface Row {
  name: string;
  ingestRate: number;
  ingestCpuS: number;
  wakeRate: number;
  pendingBefore: number;
  latenessP50: number;
  latenessP99: number;
  wakeUps: number;
  processRss: number;
  serverBytes: number;
  serverLabel: string;
  cpuS: number;
  serverCpuS: number;
  produced: number;
  sent: number;
  afterOrder: number;
  replayMessages: number;
  replayFedRate: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export async function bench(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const options = parseArgs(argv);
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const pgUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const tag = `cbpeer_${process.pid}`;
  const dir = mkdtempSync(join(tmpdir(), "cartback-bench-peer-"));
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  const schemas: string[] = [];
  const namespaces: string[] = [];
  // the replay's clock: the sessions at --replay-rate messages/s, then two days in --replay-tail seconds
  const streamEnd = STREAM_START + options.replayCarts * 6_000 + 15 * 60_000;
  const replayEnd = streamEnd + 2 * DAY;
  let streamMessages = 0;
  for (const message of generateMessages({ carts: options.replayCarts, lateOrders: LATE_ORDERS }))
    if (Date.parse(String(message.timestamp)) <= streamEnd) streamMessages++;
  const speed = (streamEnd - STREAM_START) / ((streamMessages / options.replayRate) * 1000);
  const tailSpeed = (2 * DAY) / (options.replayTail * 1000);
  const started = performance.now();
  console.log(
    `${options.carts.toLocaleString("en-US")} carts; ${options.pending.toLocaleString("en-US")} pending wake-ups, ${options.due.toLocaleString("en-US")} due; replay of ${options.replayCarts.toLocaleString("en-US")} carts (${streamMessages.toLocaleString("en-US")} messages) at ${Math.round(speed).toLocaleString("en-US")}× real time (${options.replayRate.toLocaleString("en-US")} messages/s), then two days in ${options.replayTail} s`,
  );

  const dropAll = async () => {
    for (const ns of namespaces.splice(0)) {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${ns}:*`, "COUNT", 5_000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== "0");
    }
    for (const schema of schemas.splice(0)) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  };

  // Ctrl-C or a kill: stop the forked processes and remove what the run wrote, then exit
  const interrupted = (signal: NodeJS.Signals) => {
    for (const child of live) child.kill("SIGKILL");
    console.error(`\nbench peer: ${signal}, cleaning up`);
    void dropAll()
      .catch(() => {})
      .finally(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(130);
      });
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);

  const rows: Row[] = [];
  try {
    for (const name of options.only) {
      const system: NodeConfig["system"] = name === "bullmq" ? "bullmq" : name === "sqlite" ? "sqlite" : "pg";
      const parts = name === "pg2" ? 2 : 1;
      const base = {
        system,
        carts: options.carts,
        lateOrders: LATE_ORDERS,
        redisUrl,
        pgUrl,
        pending: options.pending,
        due: options.due,
        speed,
        streamEnd,
        tailSpeed,
        replayEnd,
      };
      const main = {
        ...base,
        ns: `${tag}:${name}`,
        dbPath: join(dir, `${name}.db`),
        schema: `${tag}_${name}`,
      };
      const replay = {
        ...base,
        ns: `${tag}:${name}r`,
        dbPath: join(dir, `${name}-replay.db`),
        schema: `${tag}_${name}_replay`,
        carts: options.replayCarts,
      };
      namespaces.push(main.ns, replay.ns);
      if (system === "pg") schemas.push(main.schema, replay.schema);

      // server-side numbers over this system's phases
      const baseline = await redisInfo(redis);
      let redisPeak = baseline.usedMemory;
      const pgCpu = postgresCpu();
      const sampler = setInterval(() => {
        if (system === "pg") pgCpu.sample();
        void redisInfo(redis).then(
          (info) => {
            redisPeak = Math.max(redisPeak, info.usedMemory);
          },
          () => {},
        );
      }, 250);

      const t0 = performance.now();
      const ingest = await runPhase({ ...main, phase: "ingest" }, parts);
      const pgCpuIngest = system === "pg" ? pgCpu.total() : 0;
      const redisAfterIngest = await redisInfo(redis);
      const filled = await runPhase({ ...main, phase: "fill" }, 1);
      const wake = await runPhase({ ...main, phase: "wake" }, parts);
      let serverBytes = 0;
      if (system === "pg") {
        const size = await admin.query(
          `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) AS bytes FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
          [main.schema],
        );
        serverBytes = Number(size.rows[0].bytes);
      }
      // the pending wake-ups go before the replay: it measures lateness, not a full server
      await dropAll();
      namespaces.push(replay.ns);
      if (system === "pg") schemas.push(replay.schema);
      const replayed = await runPhase({ ...replay, phase: "replay" }, parts);
      clearInterval(sampler);
      const after = await redisInfo(redis);
      const pgCpuAll = system === "pg" ? pgCpu.total() : 0;
      await dropAll();

      const sum = (list: NodeResult[], f: (r: NodeResult) => number) => list.reduce((s, r) => s + f(r), 0);
      const all = [...ingest.results, ...filled.results, ...wake.results, ...replayed.results];
      const lateness = replayed.results.flatMap((r) => r.lateness).sort((a, b) => a - b);
      const ingestMessages = sum(ingest.results, (r) => r.messages);
      const ingestMs = Math.max(...ingest.results.map((r) => r.ms));
      const wokeMs = Math.max(...wake.results.map((r) => r.ms));
      const phaseRss = (o: PhaseOutcome) => sum(o.results, (r) => r.maxRssBytes);
      rows.push({
        name:
          name === "bullmq"
            ? "BullMQ + Redis"
            : name === "sqlite"
              ? "cartback, SQLite"
              : `cartback, PostgreSQL, ${parts} engine${parts > 1 ? "s" : ""}`,
        ingestRate: (ingestMessages / ingestMs) * 1000,
        ingestCpuS:
          (sum(ingest.results, (r) => r.cpuMs) +
            (system === "bullmq" ? redisAfterIngest.cpuMs - baseline.cpuMs : 0) +
            pgCpuIngest) /
          1000,
        wakeRate: (sum(wake.results, (r) => r.woke) / wokeMs) * 1000,
        pendingBefore: filled.results[0]?.pendingBefore ?? 0,
        latenessP50: percentile(lateness, 50),
        latenessP99: percentile(lateness, 99),
        wakeUps: lateness.length,
        processRss: Math.max(phaseRss(ingest), phaseRss(wake), phaseRss(replayed)),
        serverBytes: system === "bullmq" ? redisPeak - baseline.usedMemory : serverBytes,
        serverLabel:
          system === "bullmq" ? "Redis used_memory growth" : system === "pg" ? "schema on disk" : "",
        cpuS: sum(all, (r) => r.cpuMs) / 1000,
        serverCpuS:
          system === "bullmq" ? (after.cpuMs - baseline.cpuMs) / 1000 : system === "pg" ? pgCpuAll / 1000 : 0,
        produced: sum(replayed.results, (r) => r.produced),
        sent: sum(replayed.results, (r) => r.sent),
        afterOrder: sum(replayed.results, (r) => r.afterOrder),
        replayMessages: sum(replayed.results, (r) => r.messages),
        replayFedRate:
          (sum(replayed.results, (r) => r.messages) / Math.max(...replayed.results.map((r) => r.feedMs))) *
          1000,
      });
      console.log(
        `${name}: done in ${Math.round((performance.now() - t0) / 1000)} s (ingest ${Math.round(ingest.wallMs / 1000)} s, fill ${Math.round(filled.wallMs / 1000)} s, wake ${Math.round(wake.wallMs / 1000)} s, replay ${Math.round(replayed.wallMs / 1000)} s)`,
      );
    }
  } finally {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    await dropAll().catch((error: unknown) => console.error("bench peer: cleanup failed:", error));
    await admin.end();
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows, options);
  console.log(`\nwhole comparison: ${Math.round((performance.now() - started) / 1000)} s`);
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–");
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024).toLocaleString("en-US")} MB`;

function printTable(rows: Row[], options: Options) {
  const header = [
    "system",
    "ingest msg/s",
    "ingest CPU s (proc + server)",
    `wake-ups/s, ${int(options.pending)} pending`,
    "lateness p50 / p99 ms (replay, at msg/s)",
    "peak memory: process + server",
    "CPU s (proc + server)",
    "messages after an order",
  ];
  const lines = rows.map((r) => [
    r.name,
    int(r.ingestRate),
    r.ingestCpuS.toFixed(1),
    int(r.wakeRate),
    `${int(r.latenessP50)} / ${int(r.latenessP99)} (${int(r.wakeUps)} wake-ups at ${int(r.replayFedRate)} msg/s)`,
    `${mb(r.processRss)}${r.serverLabel ? ` + ${mb(r.serverBytes)} ${r.serverLabel}` : ""}`,
    `${r.cpuS.toFixed(1)} + ${r.serverCpuS.toFixed(1)}`,
    r.name.startsWith("BullMQ")
      ? `${int(r.afterOrder)} of ${int(r.sent)} sent (${int(r.produced)} planned)`
      : `${int(r.afterOrder)} of ${int(r.produced)} planned`,
  ]);
  console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => " --- ").join("|")}|`);
  for (const line of lines) console.log(`| ${line.join(" | ")} |`);
  const peer = rows.find((r) => r.name.startsWith("BullMQ"));
  if (!peer) return;
  console.log("\nratios cartback / BullMQ (above 1: cartback higher)");
  const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : "–");
  const head = [
    "system",
    "ingest",
    "wake-ups/s",
    "lateness p50",
    "lateness p99",
    "process memory",
    "CPU (proc + server)",
  ];
  console.log(`| ${head.join(" | ")} |\n|${head.map(() => " --- ").join("|")}|`);
  for (const r of rows) {
    if (r === peer) continue;
    console.log(
      `| ${[
        r.name,
        ratio(r.ingestRate, peer.ingestRate),
        ratio(r.wakeRate, peer.wakeRate),
        ratio(r.latenessP50, peer.latenessP50),
        ratio(r.latenessP99, peer.latenessP99),
        ratio(r.processRss, peer.processRss),
        ratio(r.cpuS + r.serverCpuS, peer.cpuS + peer.serverCpuS),
      ].join(" | ")} |`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
