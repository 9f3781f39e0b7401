/**
 * Journey benchmarks: planning throughput (profiles/s) and a full `cartback simulate` of a generated
 * stream of 100,000 carts, with peak memory, against the time to JSON.parse the same input.
 * BENCH_CARTS sets the number of carts (default 100,000).
 */
import { spawn } from "node:child_process";
import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createProfileBook } from "../src/core/identity.js";
import { planJourney, playbookJourney } from "../src/core/journey/index.js";
import { normalizeEvent } from "../src/core/normalize/index.js";
import type { Profile } from "../src/core/profile.js";
import { BENCH_PLAN, generateLines } from "./generate-stream.js";

const START = Date.parse("2026-03-02T00:00:00.000Z");
const ZONES = ["Asia/Kolkata", "America/New_York", "Europe/London", "UTC", "Australia/Sydney"];
const PRODUCTS = [
  "Block-print kurta",
  "Linen shirt",
  "Trail running shoe",
  "Silk dupatta",
  "Ceramic mug",
  "Wool scarf",
];

/** a small deterministic PRNG so every run measures the same stream */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * RudderStack messages for `carts` shoppers over two weeks: identify with opt-ins, adds, some
 * checkouts, clicks and orders (the planning benchmark needs engagement, which the shared stream lacks)
 */
export function generateStream(carts: number, seed = 42): string[] {
  const rand = prng(seed);
  const lines: string[] = [];
  let id = 0;
  for (let i = 0; i < carts; i++) {
    const user = `u${i}`;
    const zone = ZONES[Math.floor(rand() * ZONES.length)] as string;
    const inr = zone === "Asia/Kolkata";
    const context = { timezone: zone, library: { name: "RudderLabs JavaScript SDK", version: "3.7.0" } };
    let t = START + Math.floor(rand() * 14 * 86_400_000);
    const ts = () => new Date(t).toISOString();
    const traits: Record<string, unknown> = { email: `${user}@example.com`, first_name: `Shopper${i}` };
    if (rand() < 0.6) {
      traits.phone = inr
        ? `+9198${String(10_000_000 + i).slice(-8)}`
        : `+1415${String(5_550_000 + (i % 1_000_000)).padStart(7, "0")}`;
      if (rand() < 0.5) traits.sms_opt_in = true;
      if (rand() < 0.3) traits.whatsapp_opt_in = true;
    }
    if (rand() < 0.2) traits.orders_count = 1 + Math.floor(rand() * 5);
    lines.push(
      JSON.stringify({
        type: "identify",
        messageId: `m${id++}`,
        userId: user,
        anonymousId: `a${i}`,
        timestamp: ts(),
        context,
        traits,
      }),
    );
    const items = 1 + Math.floor(rand() * 4);
    for (let k = 0; k < items; k++) {
      t += Math.floor(rand() * 300_000);
      const price = inr ? 300 + Math.floor(rand() * 6000) : 10 + Math.floor(rand() * 200);
      lines.push(
        JSON.stringify({
          type: "track",
          event: "Product Added",
          messageId: `m${id++}`,
          userId: user,
          anonymousId: `a${i}`,
          timestamp: ts(),
          context,
          properties: {
            cart_id: `cart${i}`,
            product_id: `p${k}`,
            name: PRODUCTS[(i + k) % PRODUCTS.length],
            price,
            quantity: 1 + Math.floor(rand() * 2),
            currency: inr ? "INR" : "USD",
          },
        }),
      );
    }
    if (rand() < 0.3) {
      t += Math.floor(rand() * 600_000);
      lines.push(
        JSON.stringify({
          type: "track",
          event: "Checkout Started",
          messageId: `m${id++}`,
          userId: user,
          timestamp: ts(),
          context,
          properties: { cart_id: `cart${i}`, currency: inr ? "INR" : "USD" },
        }),
      );
    }
    if (rand() < 0.15) {
      t += 2 * 3_600_000 + Math.floor(rand() * 20 * 3_600_000);
      lines.push(
        JSON.stringify({
          type: "track",
          event: "Email Link Clicked",
          messageId: `m${id++}`,
          userId: user,
          timestamp: ts(),
          context,
          properties: { cart_id: `cart${i}`, stage: 1 },
        }),
      );
    }
    if (rand() < 0.25) {
      t += Math.floor(rand() * 3 * 86_400_000);
      lines.push(
        JSON.stringify({
          type: "track",
          event: "Order Completed",
          messageId: `m${id++}`,
          userId: user,
          timestamp: ts(),
          context,
          properties: { cart_id: `cart${i}`, order_id: `o${i}`, total: 100, currency: inr ? "INR" : "USD" },
        }),
      );
    }
  }
  return lines;
}

function time<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const value = fn();
  return [value, performance.now() - start];
}

/** the published entry point (`npm run bench` builds dist/ first) */
const CLI = resolve(fileURLToPath(new URL("..", import.meta.url)), "bin", "cartback.js");

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

export function planningThroughput(): void {
  const lines = generateStream(20_000, 7);
  const book = createProfileBook();
  for (const line of lines) {
    const result = normalizeEvent(JSON.parse(line));
    if (result.success) for (const event of result.data) book.apply(event);
  }
  const profiles: Profile[] = [...book.profiles()];
  const journey = playbookJourney();
  const rate = (n: number, ms: number) => Math.round((n / ms) * 1000).toLocaleString("en-US");
  // at abandonment, 2 h after the last event: the plan starts each journey and sends stage 1
  const atStart = (p: Profile) => p.lastSeenAt + 2 * 3_600_000;
  planJourney(journey, profiles[0] as Profile, atStart(profiles[0] as Profile), BENCH_PLAN); // warm-up
  let commands = 0;
  const started: { profile: Profile; wakeAt: number }[] = [];
  const [, startMs] = time(() => {
    for (const p of profiles) {
      const plan = planJourney(journey, p, atStart(p), BENCH_PLAN);
      commands += plan.commands.length;
      if (plan.wakeAt !== null) started.push({ profile: plan.profile, wakeAt: plan.wakeAt });
    }
  });
  console.log(
    `planJourney (playbook, starting journeys 2 h after the last event): ${profiles.length} profiles in ${startMs.toFixed(0)} ms → ${rate(profiles.length, startMs)} profiles/s (${commands} commands)`,
  );
  // each at the wake-up the first plan asked for, as the runtime does: what advances a journey
  commands = 0;
  const [, advanceMs] = time(() => {
    for (const { profile, wakeAt } of started)
      commands += planJourney(journey, profile, wakeAt, BENCH_PLAN).commands.length;
  });
  console.log(
    `planJourney (playbook, advancing them at their next wake-up): ${started.length} profiles in ${advanceMs.toFixed(0)} ms → ${rate(started.length, advanceMs)} profiles/s (${commands} commands)`,
  );
  // first planned a day late (events that arrived late, an engine that was down): pacing's worst case
  commands = 0;
  const [, lateMs] = time(() => {
    for (const p of profiles)
      commands += planJourney(journey, p, p.lastSeenAt + 26 * 3_600_000, BENCH_PLAN).commands.length;
  });
  console.log(
    `planJourney (playbook, first planned 26 h after the last event): ${profiles.length} profiles in ${lateMs.toFixed(0)} ms → ${rate(profiles.length, lateMs)} profiles/s (${commands} commands)`,
  );
}

/** JSON.parse of every line of an NDJSON file, streamed like the CLI reads it */
async function parseFile(path: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({
    input: createReadStream(path, { encoding: "utf8" }),
    crlfDelay: Infinity,
  })) {
    if (line !== "") n += JSON.parse(line) ? 1 : 0;
  }
  return n;
}

/** the time of `parseFile`, with the garbage of the parse collected after it */
async function timeParse(path: string): Promise<number> {
  const start = performance.now();
  await parseFile(path);
  const ms = performance.now() - start;
  globalThis.gc?.();
  return ms;
}

/** the peak resident memory (VmHWM) of a running process, in bytes; 0 once it has exited */
function peakRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

/** lines in a file, read in chunks */
function countLines(path: string): number {
  const fd = openSync(path, "r");
  const chunk = Buffer.alloc(1 << 20);
  let lines = 0;
  for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
    for (let i = chunk.indexOf(10); i >= 0 && i < n; i = chunk.indexOf(10, i + 1)) lines++;
  }
  closeSync(fd);
  return lines;
}

/**
 * `cartback simulate` on the shared generated stream, run as a user runs it: the installed CLI
 * (`bin/cartback.js`, the compiled package) in a process of its own, its output to a file. Its time
 * is wall time from start to exit; its memory the kernel's high-water mark of its resident set.
 */
async function fullSimulate(carts: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "cartback-bench-"));
  const path = join(dir, "stream.ndjson");
  const outPath = join(dir, "commands.ndjson");
  const lines = generateLines({ carts });
  // in chunks: the whole stream is longer than the longest string V8 allows
  const fd = openSync(path, "w");
  for (let i = 0; i < lines.length; i += 10_000) writeSync(fd, `${lines.slice(i, i + 10_000).join("\n")}\n`);
  closeSync(fd);
  const count = lines.length;
  lines.length = 0;
  globalThis.gc?.();
  const bytes = statSync(path).size;
  const parseBefore = await timeParse(path);

  const out = openSync(outPath, "w");
  const simStart = performance.now();
  const child = spawn(process.execPath, [CLI, "simulate", "--journey", "playbook", path], {
    stdio: ["ignore", out, "pipe"],
  });
  let errors = "";
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    errors += text;
  });
  // the kernel's high-water mark of the process's resident set, read every 20 ms while it runs: any
  // read after the peak sees it (the process is gone, and its numbers with it, once it has exited)
  let peak = 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, peakRss(child.pid as number));
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  const simMs = performance.now() - simStart;
  clearInterval(timer);
  closeSync(out);
  if (code !== 0) throw new Error(`simulate exited ${code}: ${errors.slice(0, 500)}`);
  const outBytes = statSync(outPath).size;
  const records = countLines(outPath);
  // the machine's speed drifts by more than 10 % within minutes: the parse is timed on both sides of
  // the simulate, and the ratio taken against their mean
  const parseAfter = await timeParse(path);
  const parseMs = (parseBefore + parseAfter) / 2;
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `cartback simulate (playbook): ${carts.toLocaleString("en-US")} carts, ${count.toLocaleString("en-US")} lines (${mb(bytes)}) → ${records.toLocaleString("en-US")} commands (${mb(outBytes)} of NDJSON)`,
  );
  console.log(
    `  JSON.parse of the input, streamed: ${parseMs.toFixed(0)} ms (${parseBefore.toFixed(0)} ms before the simulate, ${parseAfter.toFixed(0)} ms after)`,
  );
  console.log(
    `  full simulate (the CLI in its own process: start, read, normalize, reorder, identity, reduce, plan, write): ${simMs.toFixed(0)} ms = ${(simMs / parseMs).toFixed(1)}× the parse`,
  );
  console.log(`  peak RSS of the simulate process ${mb(peak)} (target < 1 GB)`);
}

export async function bench(): Promise<void> {
  planningThroughput();
  await fullSimulate(Number(process.env.BENCH_CARTS ?? 100_000));
}
