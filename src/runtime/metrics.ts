/**
 * The engine's counters, kept in memory and read by `/metrics`: events in, commands out per
 * destination, wake-up lateness, outbox depth.
 */
import type { RecordedRecovery } from "./recoveries.js";
import type { OutboxState } from "./store.js";

/** upper bounds (seconds) of the wake-lateness histogram buckets, Prometheus style */
export const LATENESS_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] as const;

export interface LatenessSummary {
  /** wake-ups measured since start */
  count: number;
  sumMs: number;
  /** cumulative counts per bucket of `LATENESS_BUCKETS_S` (the `le` label), then +Inf = count */
  buckets: number[];
  /** percentiles over the latest (up to 10,000) wake-ups; null before the first */
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface DestinationCounters {
  sent: number;
  /** attempts that failed and will be retried */
  failed: number;
  dead: number;
  /** messages not sent because their cart was ordered meanwhile, or similar */
  dropped: number;
}

export interface EngineMetrics {
  events: { accepted: number; rejected: number };
  /** messages (RudderStack payloads) accepted and rejected by `ingest` */
  messages: { accepted: number; rejected: number };
  commands: Record<string, DestinationCounters>;
  /** commands put into the outbox */
  enqueued: number;
  wakeUps: number;
  lateness: LatenessSummary;
  /** outbox entries per state, as of the last `collectMetrics` (or the running loop's refresh) */
  outbox: Record<OutboxState, number> | null;
  outboxByDestination: Record<string, Record<OutboxState, number>> | null;
  dueProfiles: number | null;
  profiles: number | null;
  /** recoveries this process recorded, by journey, group and the last message's stage and channel */
  recoveries: RecoveryCounter[];
}

export interface RecoveryCounter {
  journey: string;
  group: "treated" | "holdout";
  stage: string;
  channel: string;
  count: number;
  /** recovered revenue per currency */
  revenue: Record<string, number>;
}

const RESERVOIR = 10_000;

export function createMetricsRecorder() {
  const events = { accepted: 0, rejected: 0 };
  const messages = { accepted: 0, rejected: 0 };
  const commands: Record<string, DestinationCounters> = {};
  const buckets = LATENESS_BUCKETS_S.map(() => 0);
  const recent = new Float64Array(RESERVOIR);
  let latenessCount = 0;
  let latenessSum = 0;
  let latenessMax = 0;
  let enqueued = 0;
  const recoveries = new Map<string, RecoveryCounter>();
  let stats: Pick<EngineMetrics, "outbox" | "outboxByDestination" | "dueProfiles" | "profiles"> = {
    outbox: null,
    outboxByDestination: null,
    dueProfiles: null,
    profiles: null,
  };

  const destination = (name: string): DestinationCounters => {
    commands[name] ??= { sent: 0, failed: 0, dead: 0, dropped: 0 };
    return commands[name];
  };

  function percentile(sorted: Float64Array, q: number): number {
    const index = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return sorted[Math.max(0, index)] as number;
  }

  return {
    events,
    messages,
    count(name: string, what: keyof DestinationCounters, n = 1) {
      destination(name)[what] += n;
    },
    enqueued(n: number) {
      enqueued += n;
    },
    recovered(r: RecordedRecovery) {
      const key = [r.journey, r.group, r.stage, r.channel].join("\u0000");
      let counter = recoveries.get(key);
      if (!counter) {
        counter = {
          journey: r.journey,
          group: r.group,
          stage: r.stage,
          channel: r.channel,
          count: 0,
          revenue: {},
        };
        recoveries.set(key, counter);
      }
      counter.count++;
      counter.revenue[r.currency] =
        Math.round(((counter.revenue[r.currency] ?? 0) + r.value) * 10_000) / 10_000;
    },
    lateness(ms: number) {
      const value = Math.max(0, ms);
      recent[latenessCount % RESERVOIR] = value;
      latenessCount++;
      latenessSum += value;
      if (value > latenessMax) latenessMax = value;
      const seconds = value / 1000;
      for (let i = 0; i < LATENESS_BUCKETS_S.length; i++) {
        if (seconds <= (LATENESS_BUCKETS_S[i] as number)) buckets[i] = (buckets[i] as number) + 1;
      }
    },
    setStats(next: typeof stats) {
      stats = next;
    },
    snapshot(): EngineMetrics {
      const kept = recent.slice(0, Math.min(latenessCount, RESERVOIR)).sort();
      const copy: Record<string, DestinationCounters> = {};
      for (const [name, c] of Object.entries(commands)) copy[name] = { ...c };
      return {
        events: { ...events },
        messages: { ...messages },
        commands: copy,
        enqueued,
        wakeUps: latenessCount,
        recoveries: [...recoveries.values()].map((c) => ({ ...c, revenue: { ...c.revenue } })),
        lateness: {
          count: latenessCount,
          sumMs: latenessSum,
          buckets: [...buckets],
          p50Ms: kept.length > 0 ? percentile(kept, 0.5) : null,
          p99Ms: kept.length > 0 ? percentile(kept, 0.99) : null,
          maxMs: latenessCount > 0 ? latenessMax : null,
        },
        ...stats,
      };
    },
  };
}

export type MetricsRecorder = ReturnType<typeof createMetricsRecorder>;
