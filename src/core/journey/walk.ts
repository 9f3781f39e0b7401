/**
 * The walk over a journey's stages for one cart: when each stage starts, which of its steps are due,
 * and — for a due step — the checks that decide on the current state whether it is sent or skipped
 * (skip blackout, stage and step conditions, channel gate, one text per stage, pacing, quiet hours).
 * A step not yet due asks for a wake-up at its time. Once every step is done and a day has passed
 * since the last message, the instance completes.
 *
 * Timing (docs/journeys.md, "Pacing"): a stage starts at its designed time plus how late the last
 * stage that sent went out against its design, so held stages keep their spacing. A message's time
 * is its due time, moved by pacing (`pacing.ts`), then by send time, pauses and quiet hours. A held
 * message of a stage that has started is `stale` once the next stage is due before it; any message
 * later than its designed time by more than `pacing.maxDrift` is `too_late`.
 */
import type { Channel } from "../events.js";
import type { Cart } from "../profile.js";
import { type Assigned, stageVariants } from "./ab.js";
import { activePause, addJourneyTime, skipWindowAt } from "./blackout.js";
import { channelBlock } from "./channel-gate.js";
import { NO_TEMPLATE, stepContentSid } from "./content-template.js";
import { toMs } from "./duration.js";
import { emitStep, type Held, hasLink } from "./emit-step.js";
import { endInstance } from "./exit.js";
import { HOLDOUT_REASON } from "./holdout.js";
import { copyInstance, isStepDone, type JourneyInstance, withSkipped } from "./instance.js";
import { stepKey } from "./keys.js";
import { buildLedger, isText, pacingBound } from "./pacing.js";
import { evaluatePredicate, type PredicateContext, stageStartedAt } from "./predicates.js";
import { isInSendWindow, nextSendWindowOpen } from "./quiet-hours.js";
import { instanceOrigin, predicateContext, type Run, wake } from "./run.js";
import type { Stage, Step } from "./schema.js";
import { assignSegment } from "./segments.js";
import { analyticsCommand, NO_LINK, textNeedsLink } from "./step-commands.js";
import type { ThresholdTable } from "./thresholds.js";
import { COMPLETION_DELAY, sendTime, stageDelay, triggerTime } from "./timing.js";

/** skips that pacing decides: reported to the warehouse, since nothing else explains them */
const PACING_SKIPS = new Set(["paced", "stale", "too_late"]);

function stepChannel(step: Step): Channel | null {
  return step.channel === "task" ? null : step.channel;
}

// a stage's steps with its texts last, so a text can wait for its stage's email
const walkOrder = new WeakMap<Stage, Step[]>();
function stepsInWalkOrder(stage: Stage): Step[] {
  let steps = walkOrder.get(stage);
  if (steps === undefined) {
    steps = [
      ...stage.steps.filter((s) => !isText(stepChannel(s))),
      ...stage.steps.filter((s) => isText(stepChannel(s))),
    ];
    walkOrder.set(stage, steps);
  }
  return steps;
}

/** the offset of a step after its stage's start, an experiment's first */
function stepOffset(step: Step, assigned: Assigned[] | undefined): number {
  const offset =
    assigned?.find((a) => a.variant.offsets?.[step.id] !== undefined)?.variant.offsets?.[step.id] ??
    step.offset;
  return offset !== undefined ? toMs(offset) : 0;
}

/** when a stage starts by design: its delay after abandonment (shifted by experiments), blackouts paused */
function designedStart(
  run: Run,
  stage: Stage,
  instance: JourneyInstance,
  abandonedAt: number,
  assigned: Assigned[] | undefined,
): number {
  const shift =
    assigned?.reduce((sum, a) => sum + (a.variant.shift !== undefined ? toMs(a.variant.shift) : 0), 0) ?? 0;
  return addJourneyTime(
    abandonedAt,
    Math.max(0, stageDelay(stage, instance.segment, instance.intent) + shift),
    run.journey.blackouts,
  );
}

/** the first message a stage sent (tasks are not messages), or null */
function firstMessage(instance: JourneyInstance, stage: number) {
  let first: JourneyInstance["sent"][number] | null = null;
  for (const s of instance.sent)
    if (s.stage === stage && s.channel !== null && (first === null || s.at < first.at)) first = s;
  return first;
}

/**
 * when the next stage whose condition holds now starts, counted from the first message `sent` of the
 * stage at `index` (designed to start at `designed`); null when no stage follows
 */
function nextStageStart(
  run: Run,
  cart: Cart,
  instance: JourneyInstance,
  index: number,
  sent: JourneyInstance["sent"][number],
  designed: number,
  drift: number,
  ctx: PredicateContext,
): number | null {
  const { journey } = run;
  const stage = journey.stages[index] as Stage;
  const step = stage.steps.find((s) => s.id === sent.step);
  const variants = journey.timedExperiments ? stageVariants(journey, stage, cart, ctx) : undefined;
  const own = Math.max(drift, sent.at - (designed + (step ? stepOffset(step, variants) : 0)));
  for (let j = index + 1; j < journey.stages.length; j++) {
    const later = journey.stages[j] as Stage;
    if (later.when && !evaluatePredicate(later.when, ctx)) continue;
    const laterVariants = journey.timedExperiments ? stageVariants(journey, later, cart, ctx) : undefined;
    return designedStart(run, later, instance, instance.abandonedAt ?? run.now, laterVariants) + own;
  }
  return null;
}

/**
 * the first check a step fails now, as its skip reason — stage and step conditions, a WhatsApp
 * template, the channel gate, a link for a text that shows one (not timing) — or null when it would pass
 */
function failedCheck(
  run: Run,
  cart: Cart,
  table: ThresholdTable,
  instance: JourneyInstance,
  stage: Stage,
  step: Step,
  ctx: PredicateContext,
): string | null {
  if (stage.when && !evaluatePredicate(stage.when, ctx)) return "stage_condition";
  if (step.when && !evaluatePredicate(step.when, ctx)) return "step_condition";
  // a WhatsApp message without an approved template would only fail at Twilio
  if (step.channel === "whatsapp" && stepContentSid(step, ctx) === null) return NO_TEMPLATE;
  const channel = stepChannel(step);
  const blocked =
    channel === null
      ? null
      : channelBlock(run.journey, channel, stage.stage, run.profile, cart, instance, table);
  if (blocked !== null) return blocked;
  // a text that shows the link, about a cart with none: the shopper would have no way back to it
  return !hasLink(run, cart) && textNeedsLink(step) ? NO_LINK : null;
}

/** why a text step gives way under one text per stage, or null */
function textChoice(
  run: Run,
  cart: Cart,
  table: ThresholdTable,
  instance: JourneyInstance,
  stage: Stage,
  step: Step,
  ctx: PredicateContext,
): string | null {
  const channel = stepChannel(step);
  if (!run.journey.pacing.oneTextPerStage || !isText(channel)) return null;
  for (const s of instance.sent)
    if (s.stage === stage.stage && isText(s.channel) && s.channel !== channel) return "one_text_per_stage";
  const preferred = run.journey.pacing.preferText;
  if (channel === preferred) return null;
  for (const other of stage.steps) {
    if (other.channel !== preferred || other.after) continue;
    if (isStepDone(instance, stage.stage, other.id, preferred)) continue;
    if (failedCheck(run, cart, table, instance, stage, other, ctx) === null) return "other_text_channel";
  }
  return null;
}

/** the instance with the step skipped for `reason`; pacing's skips are reported to the warehouse */
function skip(
  run: Run,
  cart: Cart,
  instance: JourneyInstance,
  stage: Stage,
  step: Step,
  key: string,
  reason: string,
): JourneyInstance {
  const { journey, now } = run;
  const channel = stepChannel(step);
  const skipped = withSkipped(instance, { stage: stage.stage, step: step.id, channel, at: now, key, reason });
  if (journey.analytics && PACING_SKIPS.has(reason)) {
    run.commands.push(
      analyticsCommand(
        run.profile,
        instanceOrigin(run, skipped, stage.stage, step.id, channel),
        "Cart Recovery Message Skipped",
        {
          journey: journey.id,
          cart_id: cart.id,
          stage: stage.stage,
          step: step.id,
          channel,
          reason,
          message_key: key,
        },
        `${key}:skipped`,
      ),
    );
  }
  return skipped;
}

/** advances an instance whose cart is open: sends what is due, asks to wake for what is not */
export function advance(
  run: Run,
  cart: Cart,
  table: ThresholdTable,
  start: JourneyInstance,
): JourneyInstance {
  const { journey, now } = run;
  const { pacing } = journey;
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
  let pending = false;
  // how late the last stage that sent went out, against its design: later stages keep their spacing
  let drift = 0;

  const stages = journey.stages;
  for (let index = 0; index < stages.length; index++) {
    const stage = stages[index] as Stage;
    let ctx = predicateContext(run, cart, table, instance);
    // a stage's variants are hashes of the cart: worked out only when the stage's timing depends on
    // them or a step is sent, on the state at the stage's start either way
    const stageCtx = ctx;
    let assigned: Assigned[] | undefined = journey.timedExperiments
      ? stageVariants(journey, stage, cart, stageCtx)
      : undefined;
    const designed = designedStart(run, stage, instance, abandonedAt, assigned);
    const stageAt = designed + drift;
    let resolved = true;
    // once the stage has sent, when the next stage starts (worked out when first needed)
    let nextStart: number | null | undefined;
    // when the stage's email went or will go: its text follows it
    let emailAt: number | null = null;
    for (const s of instance.sent)
      if (s.stage === stage.stage && s.channel === "email" && (emailAt === null || s.at < emailAt))
        emailAt = s.at;

    for (const step of stepsInWalkOrder(stage)) {
      const channel = stepChannel(step);
      if (isStepDone(instance, stage.stage, step.id, channel)) continue;
      let due: number;
      let designedDue: number | null = null;
      if (step.after) {
        const since = stageStartedAt(instance, stage.stage);
        const at = since === null ? null : triggerTime(run, cart, step, since);
        if (at === null) continue;
        due = at;
      } else {
        resolved = false;
        if (!earlierResolved) continue;
        const offset = stepOffset(step, assigned);
        due = addJourneyTime(stageAt, offset, journey.blackouts);
        designedDue = addJourneyTime(designed, offset, journey.blackouts);
      }
      let at: number;
      // the due time moved by the stage's email (for a text) and by pacing, before the other holds
      let bound = due;
      let afterEmail = false;
      let paced = false;
      // with the `skip` policy, when pacing would let it go
      let pacedUntil = Number.NEGATIVE_INFINITY;
      // what send time, pauses and quiet hours did to it, learned while working out its time
      const timeHolds: string[] = [];
      // pacing's verdict when the message would go too late or beside the next stage
      let late: "too_late" | "stale" | null = null;
      if (channel === null) at = sendTime(run, null, due);
      else {
        const text = isText(channel);
        if (text && emailAt !== null && emailAt + pacing.textDelay > bound) {
          bound = emailAt + pacing.textDelay;
          afterEmail = true;
        }
        run.ledger ??= buildLedger(run.profile);
        const earliest = pacingBound(pacing, run.ledger, journey.id, cart.id, stage.stage, text);
        // a follow-up to an engagement is worth its moment only: pacing skips it rather than hold it
        if (pacing.policy === "skip" || step.after) pacedUntil = earliest;
        else if (earliest > bound) {
          bound = earliest;
          paced = true;
        }
        at = sendTime(run, channel, bound, timeHolds);
        if (designedDue !== null && Math.max(at, now) > designedDue + pacing.maxDrift) late = "too_late";
        // once the stage has sent, a message of it still held must not land beside the next stage
        if (nextStart === undefined) {
          const sent = firstMessage(instance, stage.stage);
          if (sent !== null)
            nextStart = nextStageStart(run, cart, instance, index, sent, designed, drift, ctx);
        }
        if (late === null && nextStart != null && at >= nextStart) late = "stale";
      }
      if (late === null && at > now) {
        wake(run, at);
        pending = true;
        if (channel === "email" && !step.after && (emailAt === null || at < emailAt)) emailAt = at;
        continue;
      }
      // the step is due (or pacing has given up on it): from here on it is sent or skipped, under its key
      const key = stepKey(journey.id, cart.id, stage.stage, step.id, step.channel);
      ctx = predicateContext(run, cart, table, instance);
      if (skipWindowAt(due, journey.blackouts)) {
        instance = skip(run, cart, instance, stage, step, key, "blackout");
        continue;
      }
      const failed =
        failedCheck(run, cart, table, instance, stage, step, ctx) ??
        textChoice(run, cart, table, instance, stage, step, ctx);
      if (failed) {
        instance = skip(run, cart, instance, stage, step, key, failed);
        continue;
      }
      if (channel !== null) {
        // too late or stale: skipped now, under the reason of the first check it would have failed
        if (late !== null) {
          instance = skip(run, cart, instance, stage, step, key, late);
          continue;
        }
        if (pacedUntil > now) {
          instance = skip(run, cart, instance, stage, step, key, "paced");
          continue;
        }
        const window = journey.channels[channel].quietHours;
        if (window && !isInSendWindow(now, window, run.tz)) {
          if (window.policy === "drop") instance = skip(run, cart, instance, stage, step, key, "quiet_hours");
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
      if (instance.holdout) {
        instance = skip(run, cart, instance, stage, step, key, HOLDOUT_REASON);
        continue;
      }
      assigned ??= stageVariants(journey, stage, cart, stageCtx);
      // what moved the message from its designed time: the stage's spacing after a held stage,
      // its email, pacing, send time, pauses, quiet hours
      let held: Held | null = null;
      const designedAt = designedDue ?? due;
      if (channel !== null && at > designedAt) {
        const by: string[] = [];
        if (due > designedAt) by.push("spacing");
        if (afterEmail) by.push("after_email");
        if (paced) by.push("paced");
        by.push(...timeHolds);
        held = { due: designedAt, by };
      }
      instance = emitStep(run, cart, instance, stage, step, key, assigned, ctx, held);
      if (channel === "email" && !step.after && (emailAt === null || now < emailAt)) emailAt = now;
    }
    if (!resolved) {
      resolved = stage.steps.every(
        (s) => s.after !== undefined || isStepDone(instance, stage.stage, s.id, stepChannel(s)),
      );
    }
    if (!resolved) earlierResolved = false;
    const sent = firstMessage(instance, stage.stage);
    if (sent !== null) {
      const step = stage.steps.find((s) => s.id === sent.step);
      drift = Math.max(drift, sent.at - (designed + (step ? stepOffset(step, assigned) : 0)));
    }
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
