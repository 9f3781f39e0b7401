/**
 * Prometheus text exposition (format 0.0.4) of what the server and engine counted: the engine's and
 * store's counters mapped to metrics, and the server's own count of requests by route and status. A
 * request is labelled by the route table's path (`other` for any path not in it), so the number of
 * series stays bounded whatever paths clients send.
 */
import type { EngineMetrics } from "../runtime/metrics.js";
import { LATENESS_BUCKETS_S } from "../runtime/metrics.js";
import type { ServerEngine } from "./context.js";

export interface MetricSample {
  /** `_bucket`, `_sum`, `_count` for histogram lines */
  suffix?: string;
  labels?: Record<string, string>;
  value: number;
}

export interface Metric {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  samples: MetricSample[];
}

const escapeLabel = (value: string): string =>
  value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** renders metrics as Prometheus text */
export function renderMetrics(metrics: readonly Metric[]): string {
  const lines: string[] = [];
  for (const metric of metrics) {
    lines.push(`# HELP ${metric.name} ${metric.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    lines.push(`# TYPE ${metric.name} ${metric.type}`);
    for (const sample of metric.samples) {
      const labels = Object.entries(sample.labels ?? {});
      const suffix =
        labels.length === 0 ? "" : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
      lines.push(`${metric.name}${sample.suffix ?? ""}${suffix} ${formatValue(sample.value)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** requests by route label and status; the labels come from the route table only */
export interface RequestCounter {
  count(route: string, status: number): void;
  metric(): Metric;
}

export function createRequestCounter(): RequestCounter {
  const counts = new Map<string, Map<number, number>>();
  return {
    count(route, status) {
      let byStatus = counts.get(route);
      if (!byStatus) {
        byStatus = new Map();
        counts.set(route, byStatus);
      }
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    },
    metric: () => ({
      name: "cartback_http_requests_total",
      help: "HTTP requests by route and status",
      type: "counter",
      samples: [...counts].flatMap(([route, byStatus]) =>
        [...byStatus].map(([status, value]) => ({ labels: { route, status: String(status) }, value })),
      ),
    }),
  };
}

/** `GET /metrics`: the engine's metrics and the request counts as Prometheus text */
export async function metricsResponse(engine: ServerEngine, requests: RequestCounter): Promise<Response> {
  const list = engineMetrics(await engine.collectMetrics());
  list.push(requests.metric());
  return new Response(renderMetrics(list), {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
  });
}

/** the engine's counters and the store's depths as Prometheus metrics */
export function engineMetrics(m: EngineMetrics): Metric[] {
  const destinations = Object.entries(m.commands);
  const outcome = (what: "sent" | "failed" | "dead" | "dropped") =>
    destinations.map(([destination, c]) => ({ labels: { destination }, value: c[what] }));
  const gauge = (name: string, help: string, value: number | null): Metric[] =>
    value === null ? [] : [{ name, help, type: "gauge", samples: [{ value }] }];
  const lateness = m.lateness;
  return [
    {
      name: "cartback_messages_accepted_total",
      help: "incoming messages accepted",
      type: "counter",
      samples: [{ value: m.messages.accepted }],
    },
    {
      name: "cartback_messages_rejected_total",
      help: "incoming messages rejected as invalid",
      type: "counter",
      samples: [{ value: m.messages.rejected }],
    },
    {
      name: "cartback_events_accepted_total",
      help: "cart events applied to profiles",
      type: "counter",
      samples: [{ value: m.events.accepted }],
    },
    {
      name: "cartback_events_rejected_total",
      help: "incoming messages that produced no event because they were rejected",
      type: "counter",
      samples: [{ value: m.events.rejected }],
    },
    {
      name: "cartback_commands_enqueued_total",
      help: "commands put into the outbox",
      type: "counter",
      samples: [{ value: m.enqueued }],
    },
    {
      name: "cartback_commands_sent_total",
      help: "commands delivered, by destination",
      type: "counter",
      samples: outcome("sent"),
    },
    {
      name: "cartback_commands_failed_total",
      help: "delivery attempts that failed and will be retried, by destination",
      type: "counter",
      samples: outcome("failed"),
    },
    {
      name: "cartback_commands_dead_lettered_total",
      help: "commands moved to the dead-letter queue, by destination",
      type: "counter",
      samples: outcome("dead"),
    },
    {
      name: "cartback_commands_dropped_total",
      help: "commands not sent because they no longer applied, by destination",
      type: "counter",
      samples: outcome("dropped"),
    },
    {
      name: "cartback_wake_lateness_seconds",
      help: "how late scheduled wake-ups ran",
      type: "histogram",
      samples: [
        ...LATENESS_BUCKETS_S.map((le, i) => ({
          suffix: "_bucket",
          labels: { le: String(le) },
          value: lateness.buckets[i] ?? 0,
        })),
        { suffix: "_bucket", labels: { le: "+Inf" }, value: lateness.count },
        { suffix: "_sum", value: lateness.sumMs / 1000 },
        { suffix: "_count", value: lateness.count },
      ],
    },
    ...gauge(
      "cartback_wake_lateness_p99_seconds",
      "99th percentile of the latest wake-ups' lateness",
      lateness.p99Ms === null ? null : lateness.p99Ms / 1000,
    ),
    {
      name: "cartback_outbox_depth",
      help: "outbox entries by destination and state",
      type: "gauge",
      samples: Object.entries(m.outboxByDestination ?? {}).flatMap(([destination, states]) =>
        Object.entries(states).map(([state, value]) => ({ labels: { destination, state }, value })),
      ),
    },
    {
      name: "cartback_recoveries_total",
      help: "carts recovered (ordered while their journey ran or within its attribution window), by journey, group and the last message's stage and channel",
      type: "counter",
      samples: m.recoveries.map((r) => ({
        labels: { journey: r.journey, group: r.group, stage: r.stage, channel: r.channel },
        value: r.count,
      })),
    },
    {
      name: "cartback_recovered_revenue_total",
      help: "revenue of recovered carts, by journey, group, the last message's stage and channel, and currency",
      type: "counter",
      samples: m.recoveries.flatMap((r) =>
        Object.entries(r.revenue).map(([currency, value]) => ({
          labels: { journey: r.journey, group: r.group, stage: r.stage, channel: r.channel, currency },
          value,
        })),
      ),
    },
    ...gauge(
      "cartback_due_profiles",
      "profiles whose wake-up time has come and which no worker holds",
      m.dueProfiles,
    ),
    ...gauge("cartback_profiles", "profiles stored", m.profiles),
  ];
}
