/**
 * The statistics behind the report: intervals for a recovery rate and for the difference of two,
 * the two-proportion z-test, the Bayesian probability that one variant beats another, and the rule
 * that calls an experiment's winner. Reference values for all of them are in
 * `test/core/analytics/statistics.test.ts`.
 */
import { errorFunction, gammaln } from "simple-statistics";

/** the 97.5 % quantile of the standard normal distribution: two-sided 95 % intervals */
export const Z_95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** the standard normal distribution function */
export function normalCdf(z: number): number {
  return 0.5 * (1 + errorFunction(z / Math.SQRT2));
}

/**
 * Wilson's score interval for a proportion (95 % by default): unlike the textbook p ± z·se it stays
 * inside [0, 1] and keeps its coverage for small counts and rates near 0, where recovery rates live.
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval {
  if (trials <= 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval for the difference of two proportions p₁ − p₂ (his method 10,
 * Statistics in Medicine 1998), built from the two Wilson intervals: good coverage with small counts,
 * which the Wald interval lacks.
 */
export function differenceInterval(x1: number, n1: number, x2: number, n2: number, z = Z_95): Interval {
  const p1 = n1 > 0 ? x1 / n1 : 0;
  const p2 = n2 > 0 ? x2 / n2 : 0;
  const a = wilsonInterval(x1, n1, z);
  const b = wilsonInterval(x2, n2, z);
  const d = p1 - p2;
  return {
    low: d - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2),
    high: d + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2),
  };
}

/**
 * The two-sided two-proportion z-test with the pooled standard error (the same p-value as a χ² test
 * of the 2×2 table without continuity correction). `pValue` is 1 when there is nothing to compare.
 */
export function twoProportionTest(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
): { z: number; pValue: number } {
  if (n1 <= 0 || n2 <= 0) return { z: 0, pValue: 1 };
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (x1 / n1 - x2 / n2) / se;
  return { z, pValue: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))) };
}

function logBeta(a: number, b: number): number {
  return gammaln(a) + gammaln(b) - gammaln(a + b);
}

/**
 * The probability that variant B's true rate is higher than A's, each with a uniform prior, so the
 * posteriors are Beta(1 + successes, 1 + failures). Exact: the closed-form sum over B's successes
 * (Evan Miller, "Formulas for Bayesian A/B Testing", 2015), which runs one term per success of B.
 */
export function probabilityToBeat(xA: number, nA: number, xB: number, nB: number): number {
  const alphaA = 1 + xA;
  const betaA = 1 + nA - xA;
  const alphaB = 1 + xB;
  const betaB = 1 + nB - xB;
  const base = logBeta(alphaA, betaA);
  let total = 0;
  for (let i = 0; i < alphaB; i++) {
    total += Math.exp(
      logBeta(alphaA + i, betaA + betaB) - Math.log(betaB + i) - logBeta(1 + i, betaB) - base,
    );
  }
  return Math.min(1, Math.max(0, total));
}

/** what an experiment's numbers say, by the winner rule */
export type VerdictStatus = "collecting" | "winner" | "control_wins" | "no_clear_winner";

export interface WinnerRule {
  /** carts every variant needs before anything is called (Klaviyo: 500 recipients per variant) */
  minCarts: number;
  /** the probability to beat the control a winner needs (Klaviyo: 90 %) */
  confidence: number;
}

export const DEFAULT_WINNER_RULE: Readonly<WinnerRule> = { minCarts: 500, confidence: 0.9 };

export interface ArmCounts {
  id: string;
  carts: number;
  recovered: number;
}

export interface ArmVerdict extends ArmCounts {
  rate: number | null;
  /** relative change of the recovery rate over the control's; null for the control or a 0 % control */
  uplift: number | null;
  /** P(this variant's rate > the control's); null for the control */
  probabilityToBeatControl: number | null;
  /** two-proportion z-test against the control; null for the control */
  pValue: number | null;
}

export interface Verdict {
  status: VerdictStatus;
  /** the winning variant (`control_wins`: the control) */
  winner: string | null;
  /** one sentence for people */
  summary: string;
  arms: ArmVerdict[];
}

/**
 * Calls an experiment by the documented rule (docs/analytics.md): the first arm is the control; until
 * every arm has `minCarts` carts nothing is called; then the variant most likely to beat the control
 * wins when that probability reaches `confidence`, the control wins when every variant's is at most
 * 1 − `confidence`, and otherwise there is no clear winner yet.
 */
export function experimentVerdict(
  arms: readonly ArmCounts[],
  rule: WinnerRule = DEFAULT_WINNER_RULE,
): Verdict {
  const control = arms[0];
  const rate = (a: ArmCounts) => (a.carts > 0 ? a.recovered / a.carts : null);
  const judged: ArmVerdict[] = arms.map((arm, i) => {
    if (i === 0 || control === undefined) {
      return { ...arm, rate: rate(arm), uplift: null, probabilityToBeatControl: null, pValue: null };
    }
    const controlRate = rate(control);
    const armRate = rate(arm);
    const compared = control.carts > 0 && arm.carts > 0;
    return {
      ...arm,
      rate: armRate,
      uplift: controlRate && armRate !== null ? armRate / controlRate - 1 : null,
      // with no carts on either side there is nothing to compare
      probabilityToBeatControl: compared
        ? probabilityToBeat(control.recovered, control.carts, arm.recovered, arm.carts)
        : null,
      pValue: compared
        ? twoProportionTest(arm.recovered, arm.carts, control.recovered, control.carts).pValue
        : null,
    };
  });
  if (control === undefined || arms.length < 2) {
    return { status: "collecting", winner: null, summary: "an experiment needs two arms", arms: judged };
  }
  const short = arms.filter((a) => a.carts < rule.minCarts);
  if (short.length > 0) {
    const need = short.map((a) => `${a.id} ${a.carts}/${rule.minCarts}`).join(", ");
    return {
      status: "collecting",
      winner: null,
      summary: `collecting: every variant needs ${rule.minCarts} carts (${need})`,
      arms: judged,
    };
  }
  const challengers = judged.slice(1);
  let best = challengers[0] as ArmVerdict;
  for (const arm of challengers)
    if ((arm.probabilityToBeatControl ?? 0) > (best.probabilityToBeatControl ?? 0)) best = arm;
  const percent = (p: number) => `${(p * 100).toFixed(1)} %`;
  if ((best.probabilityToBeatControl ?? 0) >= rule.confidence) {
    return {
      status: "winner",
      winner: best.id,
      summary: `${best.id} beats ${control.id} with ${percent(best.probabilityToBeatControl ?? 0)} probability`,
      arms: judged,
    };
  }
  if (challengers.every((a) => (a.probabilityToBeatControl ?? 0) <= 1 - rule.confidence)) {
    return {
      status: "control_wins",
      winner: control.id,
      summary: `${control.id} (the control) beats every variant with at least ${percent(rule.confidence)} probability`,
      arms: judged,
    };
  }
  return {
    status: "no_clear_winner",
    winner: null,
    summary: `no clear winner yet: the best, ${best.id}, beats ${control.id} with ${percent(best.probabilityToBeatControl ?? 0)} probability (${percent(rule.confidence)} needed)`,
    arms: judged,
  };
}
