/**
 * The targets the recovery playbook sets for its metrics, and how a journey's numbers compare. The
 * report shows each next to the actual number, so a store sees at a glance where it stands.
 */
import type { JourneyResult } from "./report.js";

export interface Target {
  /** what is measured, e.g. `recovery_rate`, `stage_share:1`, `unsubscribes_per_send:2` */
  metric: string;
  label: string;
  /** lower and upper bounds; null for none */
  low: number | null;
  high: number | null;
  unit: "ratio" | "money";
  /** for money targets: the currency the bound is in */
  currency?: string;
  /** where the number comes from */
  source: string;
}

export interface TargetCheck extends Target {
  actual: number | null;
  status: "met" | "below" | "above" | "no_data";
}

const PLAYBOOK = "the cart-recovery playbook's metrics table";

/** the playbook's targets, for a journey of up to four stages */
export const PLAYBOOK_TARGETS: readonly Target[] = [
  {
    metric: "recovery_rate",
    label: "Recovery rate",
    low: 0.12,
    high: 0.2,
    unit: "ratio",
    source: `${PLAYBOOK} (best in class)`,
  },
  {
    metric: "stage_share:1",
    label: "Share of recoveries, stage 1",
    low: 0.4,
    high: 0.55,
    unit: "ratio",
    source: PLAYBOOK,
  },
  {
    metric: "stage_share:2",
    label: "Share of recoveries, stage 2",
    low: 0.25,
    high: 0.35,
    unit: "ratio",
    source: PLAYBOOK,
  },
  {
    metric: "stage_share:3",
    label: "Share of recoveries, stage 3",
    low: 0.15,
    high: 0.25,
    unit: "ratio",
    source: PLAYBOOK,
  },
  {
    metric: "stage_share:4",
    label: "Share of recoveries, stage 4",
    low: 0.05,
    high: 0.15,
    unit: "ratio",
    source: PLAYBOOK,
  },
  {
    metric: "revenue_per_email",
    label: "Revenue per email",
    low: 3.65,
    high: null,
    unit: "money",
    currency: "USD",
    source: "Klaviyo's 2024 benchmark for abandoned-cart flows (per recipient)",
  },
  ...[1, 2, 3, 4].map(
    (stage): Target => ({
      metric: `unsubscribes_per_send:${stage}`,
      label: `Unsubscribes per send, stage ${stage}`,
      low: null,
      high: 0.005,
      unit: "ratio",
      source: PLAYBOOK,
    }),
  ),
];

type Measured = Pick<JourneyResult, "treated" | "stages" | "channels">;

function actualOf(target: Target, journey: Measured): number | null {
  const [metric, arg] = target.metric.split(":");
  const stage = journey.stages.find((s) => String(s.stage) === arg);
  switch (metric) {
    case "recovery_rate":
      return journey.treated.rate;
    case "stage_share":
      return stage ? stage.share : null;
    case "unsubscribes_per_send":
      return stage ? stage.unsubscribesPerSend : null;
    case "revenue_per_email": {
      const email = journey.channels.find((c) => c.channel === "email");
      if (!email || email.sent === 0) return null;
      return target.currency !== undefined ? (email.revenuePerMessage[target.currency] ?? null) : null;
    }
    default:
      return null;
  }
}

/** each target with the journey's actual number; targets for stages the journey lacks are left out */
export function checkTargets(targets: readonly Target[], journey: Measured): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const target of targets) {
    const [metric, arg] = target.metric.split(":");
    if (arg !== undefined && !journey.stages.some((s) => String(s.stage) === arg)) continue;
    if (metric === "revenue_per_email" && !journey.channels.some((c) => c.channel === "email")) continue;
    const actual = actualOf(target, journey);
    const status =
      actual === null
        ? "no_data"
        : target.low !== null && actual < target.low
          ? "below"
          : target.high !== null && actual > target.high
            ? "above"
            : "met";
    out.push({ ...target, actual, status });
  }
  return out;
}
