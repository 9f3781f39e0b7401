/**
 * What the shoppers of the generated stream receive, as a whole: how close together their messages
 * come. Replays `generate-stream.ts` (five time zones) through a preset and reports, per shopper who
 * gets any message: messages of different stages less than 3 h apart, texts less than 4 h and 6 h
 * apart, the most messages in any 24 h, and the distribution of the gaps between a shopper's
 * consecutive messages of different stages. docs/journeys.md quotes its output.
 *
 *   npx tsx bench/pacing.ts [carts] [preset]     (defaults: 5000 playbook)
 */
import { runSimulation } from "../src/cli/simulation.js";
import type { Command } from "../src/core/commands.js";
import type { CartEvent } from "../src/core/events.js";
import { PRESETS } from "../src/core/journey/index.js";
import { normalizeEvent } from "../src/core/normalize/index.js";
import { BENCH_PLAN, generateMessages } from "./generate-stream.js";

const HOUR = 3_600_000;

export interface PacingReport {
  carts: number;
  shoppersMessaged: number;
  messages: number;
  stagesWithin3h: number;
  textsWithin4h: number;
  textsWithin6h: number;
  textsSameMinute: number;
  maxIn24h: number;
  /** consecutive messages of different stages or carts, by gap */
  gaps: Record<string, number>;
}

const BUCKETS: [string, number][] = [
  ["< 1 h", HOUR],
  ["1–3 h", 3 * HOUR],
  ["3–6 h", 6 * HOUR],
  ["6–12 h", 12 * HOUR],
  ["12–24 h", 24 * HOUR],
  ["≥ 24 h", Number.POSITIVE_INFINITY],
];

export function pacingReport(carts: number, preset = "playbook"): PacingReport {
  const events: CartEvent[] = [];
  for (const message of generateMessages({ carts })) {
    const result = normalizeEvent(message);
    if (result.success) events.push(...result.data);
  }
  events.sort((a, b) => a.at - b.at);
  const byShopper = new Map<string, { at: number; command: Command }[]>();
  runSimulation(events, {
    journeys: [(PRESETS[preset] as () => never)()],
    until: (events.at(-1)?.at ?? 0) + 40 * 24 * HOUR,
    context: BENCH_PLAN,
    onCommand: ({ at, command }) => {
      if (command.kind !== "message") return;
      const list = byShopper.get(command.profileId) ?? [];
      list.push({ at, command });
      byShopper.set(command.profileId, list);
    },
  });
  const report: PacingReport = {
    carts,
    shoppersMessaged: byShopper.size,
    messages: 0,
    stagesWithin3h: 0,
    textsWithin4h: 0,
    textsWithin6h: 0,
    textsSameMinute: 0,
    maxIn24h: 0,
    gaps: Object.fromEntries(BUCKETS.map(([name]) => [name, 0])),
  };
  const isText = (c: Command) => c.channel === "sms" || c.channel === "whatsapp";
  const group = (c: Command) => `${c.journey}:${c.cartId}:${c.stage}`;
  for (const list of byShopper.values()) {
    report.messages += list.length;
    let stages3 = false;
    let texts4 = false;
    let texts6 = false;
    let sameMinute = false;
    for (let i = 0; i < list.length; i++) {
      const a = list[i] as (typeof list)[number];
      let inDay = 0;
      for (let j = i; j < list.length; j++) {
        const b = list[j] as (typeof list)[number];
        const gap = b.at - a.at;
        if (gap < 24 * HOUR) inDay++;
        if (j === i) continue;
        if (group(a.command) !== group(b.command) && gap < 3 * HOUR) stages3 = true;
        if (isText(a.command) && isText(b.command)) {
          if (gap < 4 * HOUR) texts4 = true;
          if (gap < 6 * HOUR) texts6 = true;
          if (gap < 60_000) sameMinute = true;
        }
      }
      report.maxIn24h = Math.max(report.maxIn24h, inDay);
      const next = list[i + 1];
      if (next && group(next.command) !== group(a.command)) {
        const gap = next.at - a.at;
        const bucket = BUCKETS.find(([, limit]) => gap < limit) as [string, number];
        report.gaps[bucket[0]] = (report.gaps[bucket[0]] ?? 0) + 1;
      }
    }
    if (stages3) report.stagesWithin3h++;
    if (texts4) report.textsWithin4h++;
    if (texts6) report.textsWithin6h++;
    if (sameMinute) report.textsSameMinute++;
  }
  return report;
}

const percent = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(1)} %`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const carts = Number(process.argv[2] ?? 5000);
  const preset = process.argv[3] ?? "playbook";
  const r = pacingReport(carts, preset);
  const of = r.shoppersMessaged;
  console.log(`${preset}, ${r.carts} generated carts: ${of} shoppers got ${r.messages} messages`);
  console.log(
    `  messages of different stages < 3 h apart: ${r.stagesWithin3h} shoppers (${percent(r.stagesWithin3h, of)})`,
  );
  console.log(`  two texts < 4 h apart: ${r.textsWithin4h} (${percent(r.textsWithin4h, of)})`);
  console.log(`  two texts < 6 h apart: ${r.textsWithin6h} (${percent(r.textsWithin6h, of)})`);
  console.log(`  two texts in the same minute: ${r.textsSameMinute} (${percent(r.textsSameMinute, of)})`);
  console.log(`  most messages in any 24 h: ${r.maxIn24h}`);
  const total = Object.values(r.gaps).reduce((a, b) => a + b, 0);
  console.log("  gaps between consecutive messages of different stages:");
  for (const [name, n] of Object.entries(r.gaps))
    console.log(`    ${name.padEnd(8)} ${String(n).padStart(6)}  ${percent(n, total)}`);
}
