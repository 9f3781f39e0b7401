/**
 * When things fall due: a stage's start after abandonment, a triggered step's moment after an
 * engagement, and the holds that move a due message (send-time optimisation, blackout pauses, quiet
 * hours).
 */
import type { Channel } from "../events.js";
import type { Cart } from "../profile.js";
import { activePause } from "./blackout.js";
import { toMs } from "./duration.js";
import { engagementForCart } from "./predicates.js";
import { nextSendWindowOpen } from "./quiet-hours.js";
import type { Run } from "./run.js";
import type { Intent, Stage, Step } from "./schema.js";
import { alignToHour, mostEngagedHour } from "./send-time.js";

/** how long after its last message an instance is completed */
export const COMPLETION_DELAY = 24 * 3_600_000;

/** a stage's delay after abandonment: by segment, else by intent, else its `after` */
export function stageDelay(stage: Stage, segment: string | null, intent: Intent | undefined): number {
  const bySegment = segment !== null ? stage.afterBySegment?.[segment] : undefined;
  const byIntent = intent !== undefined ? stage.afterByIntent?.[intent] : undefined;
  return toMs(bySegment ?? byIntent ?? stage.after);
}

/** the first engagement that triggers a step, at or after the stage's first message, plus its delay */
export function triggerTime(run: Run, cart: Cart, step: Step, since: number): number | null {
  const after = step.after;
  if (!after) return null;
  let first: number | null = null;
  for (const e of engagementForCart({ journeyId: run.journey.id, profile: run.profile, cart })) {
    if (e.engagement !== after.engagement || e.at < since) continue;
    if (after.channel && e.channel !== after.channel) continue;
    if (first === null || e.at < first) first = e.at;
  }
  return first === null ? null : first + toMs(after.delay ?? 0);
}

/**
 * when a step due at `due` may go out: send-time optimisation, then pauses and quiet hours (hold).
 * `heldBy`, when given, receives what moved it (`send_time`, `blackout`, `quiet_hours`).
 */
export function sendTime(run: Run, channel: Channel | null, due: number, heldBy?: string[]): number {
  const { journey, tz } = run;
  let at = due;
  if (channel !== null && journey.sendTime.enabled) {
    const hour = mostEngagedHour(run.profile, tz, journey.sendTime.minSignals);
    if (hour !== null) at = alignToHour(at, hour, tz, journey.sendTime.maxDelay);
    if (heldBy && at > due) heldBy.push("send_time");
  }
  const window = channel !== null ? journey.channels[channel].quietHours : null;
  for (let i = 0; i < 4; i++) {
    const pause = activePause(at, journey.blackouts);
    if (pause) {
      at = pause.to;
      if (heldBy && !heldBy.includes("blackout")) heldBy.push("blackout");
    }
    if (window && window.policy === "hold") {
      const open = nextSendWindowOpen(at, window, tz);
      if (heldBy && open > at && !heldBy.includes("quiet_hours")) heldBy.push("quiet_hours");
      at = open;
    }
    if (!activePause(at, journey.blackouts)) break;
  }
  return at;
}
