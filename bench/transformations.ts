/**
 * Transformations: per-event cost of each paste bundle inside the RudderStack sandbox (isolated-vm,
 * JSON in and out as the transformer does), against an identity transformation of the same kind
 * (transformEvent or transformBatch) over the same batches in the same sandbox. Target: at most 2×
 * the identity cost. CPU time of the process (the isolate's threads included); the identity and the
 * bundle alternate round by round and the best round of each counts.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { withBundleSettings } from "../src/cli/bundle-settings.js";
import { emptyProfile } from "../src/core/reduce.js";
import { makeCart, makeProfile } from "../test/core/journey/helpers.js";
import { afternoonZone } from "../test/helpers/time-zones.js";
import { asEvents, createSandbox, type SandboxEvent } from "../test/transformations/sandbox.js";
import { JOURNEY_DEFAULTS, MAILERLITE_DEFAULTS, TWILIO_DEFAULTS } from "../transformations/src/catalog.js";
import { toDueMessages } from "../transformations/src/lib/due-events.js";
import { generateMessages } from "./generate-stream.js";

const ROOT = resolve(import.meta.dirname, "..");
const BATCH = 200;
/** passes over the batches before measuring: the planner needs a few thousand events to be compiled */
const WARMUP_PASSES = Number(process.env.BENCH_TRANSFORMATION_WARMUP ?? 3);

function cpuMs(started: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

/**
 * CPU µs per event of `identity` and `bundle` over the same batches, each in its own sandbox. The two
 * alternate round by round and the best round of each counts, so a slow moment of a shared machine
 * does not land on one side only.
 */
async function perEventMicros(
  identity: string,
  bundle: string,
  batches: SandboxEvent[][],
  rounds: number,
): Promise<{ identity: number; bundle: number }> {
  const options = { credentials: { MAILERLITE_API_TOKEN: "bench-token" } };
  const sandboxes = [await createSandbox(identity, options), await createSandbox(bundle, options)];
  try {
    // a transformer keeps its isolates and runs the same code for hours: warm the JIT up first
    for (const sandbox of sandboxes)
      for (let pass = 0; pass < WARMUP_PASSES; pass++) for (const batch of batches) await sandbox.run(batch);
    const best = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
    for (let round = 0; round < rounds; round++) {
      for (const [i, sandbox] of sandboxes.entries()) {
        const started = process.cpuUsage();
        for (const batch of batches) await sandbox.run(batch);
        best[i] = Math.min(best[i] as number, cpuMs(started));
      }
    }
    const events = batches.reduce((n, b) => n + b.length, 0);
    return { identity: ((best[0] as number) * 1000) / events, bundle: ((best[1] as number) * 1000) / events };
  } finally {
    for (const sandbox of sandboxes) sandbox.dispose();
  }
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
  "journey (events)": { file: "journey", settings: { ...JOURNEY_DEFAULTS, output: "events" } },
  "journey (webhook)": {
    file: "journey",
    settings: { ...JOURNEY_DEFAULTS, mailerlite: { ...MAILERLITE_DEFAULTS, groupIds: GROUP_IDS } },
  },
  "journey (HTTP)": {
    file: "journey",
    settings: { ...JOURNEY_DEFAULTS, twilio: TWILIO_SENDERS },
  },
};

export async function bench(): Promise<void> {
  const batches = Number(process.env.BENCH_TRANSFORMATION_BATCHES ?? 10);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const loads = workloads(batches);
  console.log(
    `${batches} batches of ${BATCH} events per transformation, best of ${rounds} rounds (identity and bundle alternating), CPU µs per event`,
  );
  console.log("transformation          | identity µs | bundle µs | ratio | target ≤ 2×");
  for (const [name, load] of Object.entries(loads)) {
    const { file, settings } = CASES[name] as { file: string; settings?: object };
    let code = readFileSync(resolve(ROOT, "transformations", `${file}.js`), "utf8");
    if (settings) code = withBundleSettings(code, settings);
    const identity = code.includes("export function transformBatch(")
      ? "export function transformBatch(events) { return events; }"
      : "export function transformEvent(event) { return event; }";
    const sandboxBatches = chunk(asEvents(load.messages, load.destinationType));
    const { identity: base, bundle: mine } = await perEventMicros(identity, code, sandboxBatches, rounds);
    const ratio = mine / base;
    console.log(
      `${name.padEnd(23)} | ${base.toFixed(1).padStart(11)} | ${mine.toFixed(1).padStart(9)} | ${ratio.toFixed(2).padStart(5)} | ${ratio <= 2 ? "met" : "NOT met"}`,
    );
  }
}
