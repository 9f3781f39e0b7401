/**
 * Transformations: what one batch costs each paste bundle as RudderStack's executor runs it. The
 * executor builds a new isolate for every batch, compiles and evaluates the file in it and then runs
 * the events, so the cost per batch includes compile and evaluation. Each bundle is measured against
 * the identity transformation (`export function transformEvent(e){return e}`) in the same run, at
 * batch sizes 1 and 200, identity and bundle alternating round by round; the median round counts.
 * Targets at 200 events: normalize, mailerlite and twilio within 2× the identity, journey within 4×,
 * and every batch under 5 % of the executor's 4 s limit (200 ms).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { withBundleSettings } from "../src/cli/bundle-settings.js";
import { emptyProfile } from "../src/core/reduce.js";
import { makeCart, makeProfile } from "../test/core/journey/helpers.js";
import { afternoonZone } from "../test/helpers/time-zones.js";
import { asEvents, createSandbox, type Sandbox, type SandboxEvent } from "../test/transformations/sandbox.js";
import { JOURNEY_DEFAULTS, MAILERLITE_DEFAULTS, TWILIO_DEFAULTS } from "../transformations/src/catalog.js";
import { toDueMessages } from "../transformations/src/lib/due-events.js";
import { BENCH_PLAN, generateMessages } from "./generate-stream.js";

const ROOT = resolve(import.meta.dirname, "..");
const BATCH = 200;
const IDENTITY = "export function transformEvent(e){return e}";
const LIMIT_MS = 4000;
/** batches timed together in one round at each size, so a 1-event round is not one timer tick */
const PER_ROUND: Record<number, number> = { 1: 5, 200: 1 };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** wall and CPU ms of one batch, averaged over the round's batches */
async function timeBatches(
  sandbox: Sandbox,
  batches: SandboxEvent[][],
): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const batch of batches) await sandbox.run(batch);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wall: wall / batches.length, cpu: (used.user + used.system) / 1000 / batches.length };
}

interface Measured {
  identity: { wall: number; cpu: number };
  bundle: { wall: number; cpu: number };
}

/**
 * Median per-batch cost of the identity and the bundle over `rounds` alternating rounds, each batch
 * in a new isolate as the executor runs it; one round first to warm the host side up, not counted.
 */
async function perBatch(
  bundle: string,
  batches: SandboxEvent[][],
  size: number,
  rounds: number,
): Promise<Measured> {
  const options = { credentials: { MAILERLITE_API_TOKEN: "bench-token" } };
  const sandboxes = [await createSandbox(IDENTITY, options), await createSandbox(bundle, options)];
  const samples = { wall: [[], []] as number[][], cpu: [[], []] as number[][] };
  const n = PER_ROUND[size] ?? 1;
  let next = 0;
  for (let round = 0; round <= rounds; round++) {
    const roundBatches = Array.from({ length: n }, () => {
      const batch = batches[next++ % batches.length] as SandboxEvent[];
      return size === BATCH ? batch : batch.slice(0, size);
    });
    // the two sides take turns going first
    const order = round % 2 ? [1, 0] : [0, 1];
    for (const i of order) {
      const t = await timeBatches(sandboxes[i] as Sandbox, roundBatches);
      if (round === 0) continue;
      samples.wall[i]?.push(t.wall);
      samples.cpu[i]?.push(t.cpu);
    }
  }
  for (const sandbox of sandboxes) sandbox.dispose();
  const side = (i: number) => ({ wall: median(samples.wall[i] ?? []), cpu: median(samples.cpu[i] ?? []) });
  return { identity: side(0), bundle: side(1) };
}

function chunk<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

/** what each transformation receives in production */
function workloads(
  batches: number,
): Record<string, { destinationType: string; messages: Record<string, unknown>[] }> {
  const stream = [...generateMessages({ carts: batches * 60, seed: 7 })].slice(0, batches * BATCH) as Record<
    string,
    unknown
  >[];
  const now = Date.now();
  // shoppers where it is early afternoon: quiet hours would otherwise hold or drop messages depending
  // on the hour the benchmark runs, and change what it measures
  const zone = afternoonZone(now);
  const due: Record<string, unknown>[] = [];
  const profiles: Record<string, unknown>[] = [];
  for (let i = 0; i < batches * BATCH; i++) {
    const p = emptyProfile(`p${i}`, now);
    p.phone = "+14155550100";
    p.consent.sms = { status: "granted" };
    p.timezone = zone;
    const [message] = toDueMessages(
      [
        {
          key: `playbook:c${i}:2:sms:sms`,
          kind: "message",
          channel: "sms",
          profileId: p.id,
          cartId: `c${i}`,
          journey: "playbook",
          stage: 2,
          step: "sms",
          segment: null,
          variant: null,
          discountPercent: null,
          type: "twilio.sendSms",
          to: "+14155550100",
          body: "Your cart is waiting: https://shop.example.com/r/abc",
          encoding: "GSM-7",
          segments: 1,
        },
      ],
      p,
      now,
    );
    due.push({ ...message, messageId: `d${i}` });
    const shopper = makeProfile({
      id: `s${i}`,
      timezone: zone,
      carts: [
        makeCart({
          id: `cart-${i}`,
          refs: [`cart-${i}`],
          createdAt: now - 3 * 3_600_000,
          updatedAt: now - 2 * 3_600_000,
        }),
      ],
    });
    profiles.push({
      type: "track",
      event: "Cart Recovery Profile",
      messageId: `j${i}`,
      properties: { profile: shopper },
    });
  }
  return {
    "normalize-cart-events": { destinationType: "WEBHOOK", messages: stream },
    mailerlite: { destinationType: "WEBHOOK", messages: stream },
    twilio: { destinationType: "HTTP", messages: due },
    "journey (events)": { destinationType: "RS", messages: profiles },
    "journey (webhook)": { destinationType: "WEBHOOK", messages: profiles },
    "journey (HTTP)": { destinationType: "HTTP", messages: profiles },
  };
}

const GROUP_IDS = { "cartback-stage-1": "1" };
/** senders, or every message fails with "no SMS sender" instead of becoming a form */
const TWILIO_SENDERS = { ...TWILIO_DEFAULTS, from: "+15005550006", whatsappFrom: "+14155238886" };

/** the file and settings of each measured case */
const CASES: Record<string, { file: string; settings?: object }> = {
  "normalize-cart-events": { file: "normalize-cart-events" },
  mailerlite: { file: "mailerlite", settings: { ...MAILERLITE_DEFAULTS, groupIds: GROUP_IDS } },
  twilio: { file: "twilio", settings: TWILIO_SENDERS },
  "journey (events)": {
    file: "journey",
    settings: { ...JOURNEY_DEFAULTS, shopUrl: BENCH_PLAN.shopUrl, output: "events" },
  },
  "journey (webhook)": {
    file: "journey",
    settings: {
      ...JOURNEY_DEFAULTS,
      shopUrl: BENCH_PLAN.shopUrl,
      mailerlite: { ...MAILERLITE_DEFAULTS, groupIds: GROUP_IDS },
    },
  },
  "journey (HTTP)": {
    file: "journey",
    settings: { ...JOURNEY_DEFAULTS, shopUrl: BENCH_PLAN.shopUrl, twilio: TWILIO_SENDERS },
  },
};

/** the ratio each bundle must stay within at 200 events */
const TARGET: Record<string, number> = {
  "normalize-cart-events": 2,
  mailerlite: 2,
  twilio: 2,
  "journey (events)": 4,
  "journey (webhook)": 4,
  "journey (HTTP)": 4,
};

export async function bench(): Promise<void> {
  const batches = Number(process.env.BENCH_TRANSFORMATION_BATCHES ?? 10);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 11);
  const loads = workloads(batches);
  console.log(
    `each batch in a new isolate (compile + evaluate + run, as RudderStack's executor does); median of ${rounds} rounds, identity and bundle alternating`,
  );
  console.log(
    "transformation          | size | identity ms | bundle ms | ratio (wall) | ratio (CPU) | of 4 s | target",
  );
  for (const [name, load] of Object.entries(loads)) {
    const { file, settings } = CASES[name] as { file: string; settings?: object };
    let code = readFileSync(resolve(ROOT, "transformations", `${file}.js`), "utf8");
    if (settings) code = withBundleSettings(code, settings);
    const sandboxBatches = chunk(asEvents(load.messages, load.destinationType));
    const bytes = Buffer.byteLength(code);
    for (const size of [1, BATCH]) {
      const { identity, bundle } = await perBatch(code, sandboxBatches, size, rounds);
      const ratio = bundle.wall / identity.wall;
      const share = bundle.wall / LIMIT_MS;
      const target = TARGET[name] as number;
      const verdict =
        size === BATCH
          ? `≤ ${target}×: ${ratio <= target ? "met" : "NOT met"}; < 5 %: ${share < 0.05 ? "met" : "NOT met"}`
          : "";
      console.log(
        `${name.padEnd(23)} | ${String(size).padStart(4)} | ${identity.wall.toFixed(2).padStart(11)} | ${bundle.wall.toFixed(2).padStart(9)} | ${ratio.toFixed(2).padStart(12)} | ${(bundle.cpu / identity.cpu).toFixed(2).padStart(11)} | ${(share * 100).toFixed(2).padStart(5)} % | ${verdict}`,
      );
    }
    console.log(`${"".padEnd(23)} | file: ${bytes.toLocaleString("en")} bytes`);
  }
}
