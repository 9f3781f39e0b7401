/** The recoveries a plan recorded, labelled for the metrics. */
import type { Profile } from "../core/profile.js";

export interface RecordedRecovery {
  journey: string;
  group: "treated" | "holdout";
  /** the stage and channel of the last message before the order, or `none` */
  stage: string;
  channel: string;
  value: number;
  currency: string;
}

/** the recoveries `after` records that `before` did not have */
export function recoveriesRecorded(before: Profile, after: Profile): RecordedRecovery[] {
  if (before.journeys === after.journeys) return [];
  const out: RecordedRecovery[] = [];
  for (const [key, instance] of Object.entries(after.journeys)) {
    const recovery = instance.recovery;
    if (!recovery || before.journeys[key]?.recovery) continue;
    const last = instance.sent.find((s) => s.key === recovery.lastTouch);
    out.push({
      journey: instance.journey,
      group: instance.holdout ? "holdout" : "treated",
      stage: last ? String(last.stage) : "none",
      channel: last?.channel ?? "none",
      value: recovery.value,
      currency: recovery.currency ?? "unknown",
    });
  }
  return out;
}
