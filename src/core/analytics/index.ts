/** Recovery analytics: attribution, the statistics of holdouts and experiments, and the report. */
export {
  type Attribution,
  type AttributionInput,
  type AttributionWindows,
  attributeOrder,
  type ClickThrough,
  DEFAULT_ATTRIBUTION_WINDOWS,
  type RecoveredBy,
  resolveAttributionWindows,
  type Touch,
} from "./attribution.js";
export * from "./report.js";
export {
  type ArmCounts,
  type ArmVerdict,
  DEFAULT_WINNER_RULE,
  differenceInterval,
  experimentVerdict,
  type Interval,
  normalCdf,
  probabilityToBeat,
  twoProportionTest,
  type Verdict,
  type VerdictStatus,
  type WinnerRule,
  wilsonInterval,
  Z_95,
} from "./statistics.js";
export { checkTargets, PLAYBOOK_TARGETS, type Target, type TargetCheck } from "./targets.js";
