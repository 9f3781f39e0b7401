/**
 * Report benchmarks: building the recovery report from profiles in memory, and from a SQLite store
 * (every profile read a page at a time, with its messages' outbox rows), against the time to
 * `JSON.parse` the same profile documents. BENCH_CARTS sets the number of carts (default 20,000).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { createSimulation } from "../src/cli/simulation.js";
import { createReportBuilder } from "../src/core/analytics/index.js";
import type { CartEvent } from "../src/core/events.js";
import { playbookJourney } from "../src/core/journey/index.js";
import { normalizeEvent } from "../src/core/normalize/index.js";
import type { Profile } from "../src/core/profile.js";
import { reportFromStore } from "../src/runtime/recovery-report.js";
import { sqliteStore } from "../src/stores/sqlite.js";
import { generateStream } from "./journey.js";

function time<T>(fn: () => T): [T, number] {
  const start = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(start);
  return [value, (used.user + used.system) / 1000];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

export async function bench(): Promise<void> {
  const carts = Number(process.env.BENCH_CARTS ?? 20_000);
  const journey = { ...playbookJourney(), holdout: { percent: 5 } };
  const events: CartEvent[] = [];
  for (const line of generateStream(carts)) {
    const result = normalizeEvent(JSON.parse(line));
    if (result.success) events.push(...result.data);
  }
  events.sort((a, b) => a.at - b.at);
  const last = events.at(-1)?.at ?? 0;
  const simulation = createSimulation({
    journeys: [journey],
    until: last + 30 * 86_400_000,
    onCommand: () => {},
  });
  for (const event of events) simulation.push(event);
  simulation.finish();
  const profiles = [...simulation.profiles()];
  const docs = profiles.map((p) => JSON.stringify(p));
  const now = last + 30 * 86_400_000;

  const dir = mkdtempSync(join(tmpdir(), "cartback-bench-report-"));
  const store = sqliteStore({ path: join(dir, "report.db") });
  for (let i = 0; i < profiles.length; i += 500) {
    await Promise.all(
      profiles
        .slice(i, i + 500)
        .map((profile) => store.transact(profile.id, (tx) => tx.save({ profile, wakeAt: null, now }))),
    );
  }

  // the floor for a report from the store: the same rows read and parsed straight from the file
  const raw = new Database(join(dir, "report.db"), { readonly: true });
  const page = raw.prepare("SELECT doc FROM profiles WHERE id > ? ORDER BY id LIMIT 500").pluck();
  const readRaw = () => {
    let after = "";
    for (;;) {
      const rows = page.all(after) as string[];
      if (rows.length === 0) return;
      const parsed = rows.map((r) => JSON.parse(r) as Profile);
      after = (parsed.at(-1) as Profile).id;
    }
  };
  const rounds: { parse: number; build: number; store: number; raw: number }[] = [];
  let recovered = 0;
  for (let round = 0; round < 4; round++) {
    const [, parse] = time(() => docs.map((d) => JSON.parse(d) as Profile));
    const [report, build] = time(() => {
      const builder = createReportBuilder({ journeys: [journey], now });
      for (const profile of profiles) builder.add(profile);
      return builder.finish();
    });
    recovered = report.totals.carts.recovered;
    const [, fromStore] = await timeAsync(() => reportFromStore(store, { journeys: [journey], now }));
    const [, rawRead] = await timeAsync(async () => readRaw());
    rounds.push({ parse, build, store: fromStore, raw: rawRead });
  }
  raw.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const best = (k: "parse" | "build" | "store" | "raw") => Math.min(...rounds.map((r) => r[k]));
  const rate = (ms: number) => Math.round((profiles.length / ms) * 1000).toLocaleString("en-US");
  console.log(`${profiles.length} profiles (${carts} carts, ${recovered} recovered), best of 4 rounds`);
  console.log(
    `JSON.parse of the profile documents: ${best("parse").toFixed(0)} ms CPU (${rate(best("parse"))}/s)`,
  );
  console.log(
    `report from profiles in memory: ${best("build").toFixed(0)} ms CPU (${rate(best("build"))}/s), ${(best("build") / best("parse")).toFixed(2)}× the parse`,
  );
  console.log(
    `report from SQLite (read, parse, outbox lookup, build): ${best("store").toFixed(0)} ms wall (${rate(best("store"))}/s)`,
  );
  console.log(
    `reading and parsing the same rows with better-sqlite3 alone: ${best("raw").toFixed(0)} ms wall; the report takes ${(best("store") / best("raw")).toFixed(2)}× that`,
  );
}
