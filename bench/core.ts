/**
 * Core path: parse → normalize → reduce for a generated stream of RudderStack messages, against
 * JSON.parse alone over the same lines in the same run. Target: the core path keeps at least half of
 * the JSON.parse-only throughput. Times are CPU time of this process (steadier than wall time on a
 * shared machine); the two paths alternate and the best of the rounds counts.
 */
// the compiled package, as users run it (`npm run bench` builds it first)
import { createProfileBook, normalizeEvent } from "../dist/index.js";
import { generateLines } from "./generate-stream.js";

function cpuMs(fn: () => void): number {
  const started = process.cpuUsage();
  fn();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en");

export async function bench(): Promise<void> {
  const carts = Number(process.env.BENCH_CARTS ?? 40_000);
  const lines = generateLines({ carts, seed: 11 });
  const bytes = lines.reduce((sum, l) => sum + l.length, 0);
  console.log(
    `stream: ${fmt(lines.length)} messages from ${fmt(carts)} shopper sessions, ${fmt(bytes / lines.length)} bytes each on average`,
  );

  let events = 0;
  let rejected = 0;
  let profiles = 0;
  const parseOnly = () => {
    for (const line of lines) JSON.parse(line);
  };
  const corePath = () => {
    const book = createProfileBook();
    events = 0;
    rejected = 0;
    for (const line of lines) {
      const result = normalizeEvent(JSON.parse(line));
      if (!result.success) {
        rejected++;
        continue;
      }
      for (const event of result.data) {
        book.apply(event);
        events++;
      }
    }
    profiles = book.size;
  };

  let bestParse = Number.POSITIVE_INFINITY;
  let bestCore = Number.POSITIVE_INFINITY;
  for (let round = 0; round < 4; round++) {
    bestParse = Math.min(bestParse, cpuMs(parseOnly));
    bestCore = Math.min(bestCore, cpuMs(corePath));
  }
  const parseRate = lines.length / (bestParse / 1000);
  const coreRate = lines.length / (bestCore / 1000);
  const ratio = coreRate / parseRate;
  console.log(`JSON.parse only:            ${fmt(parseRate)} messages/s`);
  console.log(
    `parse → normalize → reduce: ${fmt(coreRate)} messages/s (${fmt(events)} cart events into ${fmt(profiles)} profiles, ${rejected} rejected)`,
  );
  console.log(
    `ratio: ${ratio.toFixed(2)} of the JSON.parse-only throughput (target ≥ 0.50)${ratio >= 0.5 ? "" : " — below target"}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
