/**
 * The walk over a journey's stages for one cart: when each stage starts, which of its steps are due,
 * and — for a due step — the checks that decide on the current state whether it is sent or skipped
 * (skip blackout, stage and step conditions, channel gate, quiet hours). A step not yet due asks for
 * a wake-up at its time. Once every step is done and a day has passed since the last message, the
 * instance completes.
 */
import type { Channel } from "../events.js";
import type { Cart } from "../profile.js";
import { type Assigned, stageVariants } from "./ab.js";
import { activePause, addJourneyTime, skipWindowAt } from "./blackout.js";
import { channelBlock } from "./channel-gate.js";
import { toMs } from "./duration.js";
import { emitStep } from "./emit-step.js";
import { endInstance } from "./exit.js";
import { copyInstance, isStepDone, type JourneyInstance, withSkipped } from "./instance.js";
import { stepKey } from "./keys.js";
import { evaluatePredicate, stageStartedAt } from "./predicates.js";
import { isInSendWindow, nextSendWindowOpen } from "./quiet-hours.js";
import { predicateContext, type Run, wake } from "./run.js";
import type { Stage, Step } from "./schema.js";
import { assignSegment } from "./segments.js";
import type { ThresholdTable } from "./thresholds.js";
import { COMPLETION_DELAY, sendTime, stageDelay, triggerTime } from "./timing.js";

function stepChannel(step: Step): Channel | null {
  return step.channel === "task" ? null : step.channel;
}

/** advances an instance whose cart is open: sends what is due, asks to wake for what is not */
export function advance(
  run: Run,
  cart: Cart,
  table: ThresholdTable,
  start: JourneyInstance,
): JourneyInstance {
  const { journey, now } = run;
  let instance = start;
  const abandonedAt = instance.abandonedAt ?? now;
  if (abandonedAt > now) {
    // a restarted cart waits for its new abandonment time
    wake(run, abandonedAt);
    return instance;
  }
  const segment = assignSegment(journey, predicateContext(run, cart, table, instance));
  if (segment !== instance.segment) {
    instance = copyInstance(instance);
    instance.segment = segment;
  }
  let earlierResolved = true;
  let previousStart: number | null = null;
  let pending = false;

  const skip = (stage: Stage, step: Step, key: string, reason: string) => {
    instance = withSkipped(instance, {
      stage: stage.stage,
      step: step.id,
      channel: stepChannel(step),
      at: now,
      key,
      reason,
    });
  };

  for (const stage of journey.stages) {
    let ctx = predicateContext(run, cart, table, instance);
    // a stage's variants are hashes of the cart: worked out only when the stage's timing depends on
    // them or a step is sent, on the state at the stage's start either way
    const stageCtx = ctx;
    let assigned: Assigned[] | undefined = journey.timedExperiments
      ? stageVariants(journey, stage, cart, stageCtx)
      : undefined;
    const shift =
      assigned?.reduce((sum, a) => sum + (a.variant.shift !== undefined ? toMs(a.variant.shift) : 0), 0) ?? 0;
    let stageAt = addJourneyTime(
      abandonedAt,
      Math.max(0, stageDelay(stage, instance.segment, instance.intent) + shift),
      journey.blackouts,
    );
    if (previousStart !== null) stageAt = Math.max(stageAt, previousStart + journey.stageGap);
    let resolved = true;

    for (const step of stage.steps) {
      const channel = stepChannel(step);
      if (isStepDone(instance, stage.stage, step.id, channel)) continue;
      let due: number;
      if (step.after) {
        const since = stageStartedAt(instance, stage.stage);
        const at = since === null ? null : triggerTime(run, cart, step, since);
        if (at === null) continue;
        due = at;
      } else {
        resolved = false;
        if (!earlierResolved) continue;
        const offset =
          assigned?.find((a) => a.variant.offsets?.[step.id] !== undefined)?.variant.offsets?.[step.id] ??
          step.offset;
        due = addJourneyTime(stageAt, offset !== undefined ? toMs(offset) : 0, journey.blackouts);
      }
      const at = sendTime(run, channel, due);
      if (at > now) {
        wake(run, at);
        pending = true;
        continue;
      }
      // the step is due: from here on it is sent or skipped, under its key
      const key = stepKey(journey.id, cart.id, stage.stage, step.id, step.channel);
      ctx = predicateContext(run, cart, table, instance);
      if (skipWindowAt(due, journey.blackouts)) {
        skip(stage, step, key, "blackout");
        continue;
      }
      if (stage.when && !evaluatePredicate(stage.when, ctx)) {
        skip(stage, step, key, "stage_condition");
        continue;
      }
      if (step.when && !evaluatePredicate(step.when, ctx)) {
        skip(stage, step, key, "step_condition");
        continue;
      }
      if (channel !== null) {
        const blocked = channelBlock(journey, channel, stage.stage, run.profile, cart, instance, table);
        if (blocked) {
          skip(stage, step, key, blocked);
          continue;
        }
        const window = journey.channels[channel].quietHours;
        if (window && !isInSendWindow(now, window, run.tz)) {
          if (window.policy === "drop") skip(stage, step, key, "quiet_hours");
          else {
            wake(run, nextSendWindowOpen(now, window, run.tz));
            pending = true;
          }
          continue;
        }
      }
      if (activePause(now, journey.blackouts)) {
        wake(run, sendTime(run, channel, now));
        pending = true;
        continue;
      }
      assigned ??= stageVariants(journey, stage, cart, stageCtx);
      instance = emitStep(run, cart, instance, stage, step, key, assigned, ctx);
    }
    if (!resolved) {
      resolved = stage.steps.every(
        (s) => s.after !== undefined || isStepDone(instance, stage.stage, s.id, stepChannel(s)),
      );
    }
    if (!resolved) earlierResolved = false;
    previousStart = stageStartedAt(instance, stage.stage) ?? previousStart;
  }

  const paused = activePause(now, journey.blackouts) !== undefined;
  if (earlierResolved && !pending) {
    // completion waits a day after the last message, so its automation is not cut short by the
    // group removal and a late click can still trigger a follow-up
    let last = instance.abandonedAt ?? now;
    for (const s of instance.sent) if (s.at > last) last = s.at;
    if (now >= last + COMPLETION_DELAY) return endInstance(run, instance, cart, "completed", "completed");
    wake(run, last + COMPLETION_DELAY);
  }
  const status = paused ? "paused" : "active";
  if (instance.status === status) return instance;
  instance = copyInstance(instance);
  instance.status = status;
  return instance;
}
