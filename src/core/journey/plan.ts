/**
 * `planJourney`: the rule engine. Given a journey, one shopper's profile and `now`, it returns the next
 * journey-instance state, the commands to execute now and when to look again. Every condition is
 * evaluated on the state at the moment a step is due, so nothing is sent on stale information.
 */
import type { Command, CommandMeta } from "../commands.js";
import type { Channel } from "../events.js";
import { type Cart, copyProfile, type Profile } from "../profile.js";
import { assignVariant, type Variant } from "./ab.js";
import { checkAbandonment, classifyIntent, isOpenCart } from "./abandonment.js";
import { activePause, addJourneyTime, skipWindowAt } from "./blackout.js";
import { channelBlock } from "./channel-gate.js";
import { issueDiscountCode } from "./discounts.js";
import { toMs } from "./duration.js";
import { copyInstance, instanceKey, isTerminal, type JourneyInstance } from "./instance.js";
import { journeyKey, stepKey } from "./keys.js";
import { checkoutLinkUrl, createCheckoutToken } from "./links.js";
import { pickTimezone } from "./local-time.js";
import { engagementForCart, evaluatePredicate, type PredicateContext, stageStartedAt } from "./predicates.js";
import { isInSendWindow, nextSendWindowOpen } from "./quiet-hours.js";
import type { ResolvedJourney } from "./resolve.js";
import type { Intent, Stage, Step } from "./schema.js";
import { assignSegment } from "./segments.js";
import { alignToHour, mostEngagedHour } from "./send-time.js";
import { analyticsCommand, commandHead, makeCommand, renderStep } from "./step-commands.js";
import { type ThresholdTable, thresholdTable } from "./thresholds.js";

/** what the journey JSON must not hold: secrets and deployment settings */
export interface PlanContext {
  secrets?: {
    /** signs checkout links; without it messages carry the shop's own checkout URL */
    links?: string;
    /** derives unique discount codes */
    discounts?: string;
  };
  /** where the runtime serves `/r/<token>`, e.g. `https://shop.example.com/cart` */
  linkBaseUrl?: string;
  /** used when the shopper's timezone is unknown; default UTC */
  storeTimezone?: string;
  storeName?: string;
}

export interface JourneyPlan {
  /** the profile with its journey instances advanced; the same object when nothing changed */
  profile: Profile;
  /** the instances that changed */
  instances: JourneyInstance[];
  /** commands to execute now, in order */
  commands: Command[];
  /** when to plan this profile again; null when nothing is pending */
  wakeAt: number | null;
}

/**
 * a copy of an object keyed by ids, made a hash table from the start: adding an id that no other
 * object has to a plain object creates a new hidden class every time, which costs more than the
 * whole lookup it serves (V8 keeps such objects as dictionaries once a property other than the last
 * one added is deleted)
 */
function keyedCopy<T>(source: Record<string, T>): Record<string, T> {
  const copy: Record<string, unknown> = { a: 0, b: 0 };
  delete copy.a;
  delete copy.b;
  for (const key in source) copy[key] = source[key];
  return copy as Record<string, T>;
}

interface Run {
  journey: ResolvedJourney;
  profile: Profile;
  now: number;
  context: PlanContext;
  tz: string;
  commands: Command[];
  wakeAt: number | null;
}

function wake(run: Run, at: number): void {
  if (run.wakeAt === null || at < run.wakeAt) run.wakeAt = at;
}

/**
 * Plans one shopper over a resolved journey: starts, advances or ends the journey instance of each of
 * their carts. `planJourney` checks and resolves a journey first; this is for a journey known to be
 * valid (`resolveCheckedJourney`), as the paste bundles run it.
 */
export function planResolvedJourney(
  journey: ResolvedJourney,
  profile: Profile,
  now: number,
  context: PlanContext = {},
): JourneyPlan {
  const run: Run = {
    journey,
    profile,
    now,
    context,
    tz: pickTimezone(profile.timezone, context.storeTimezone),
    commands: [],
    wakeAt: null,
  };
  let journeys = profile.journeys;
  const changed: JourneyInstance[] = [];
  const update = (next: JourneyInstance, key: string) => {
    if (journeys === profile.journeys) {
      journeys = keyedCopy(profile.journeys);
      run.profile = copyProfile(profile);
      run.profile.journeys = journeys;
    }
    journeys[key] = next;
    changed.push(next);
  };
  // this journey's instances, found in one pass over the profile's: looking each cart's up by a
  // freshly built `journey:cart` key costs more (the key has to be hashed and interned every time)
  const keys: string[] = [];
  const instances: JourneyInstance[] = [];
  for (const key in journeys) {
    const instance = journeys[key] as JourneyInstance;
    if (instance.journey !== journey.id) continue;
    keys.push(key);
    instances.push(instance);
  }
  for (const cart of profile.carts) {
    let found = -1;
    for (let i = 0; i < instances.length; i++) {
      if ((instances[i] as JourneyInstance).cartId === cart.id) {
        found = i;
        break;
      }
    }
    const before = found < 0 ? undefined : instances[found];
    const next = planCart(run, cart, before, journeys);
    if (next && next !== before)
      update(next, found < 0 ? instanceKey(journey.id, cart.id) : (keys[found] as string));
  }
  // carts the profile no longer keeps end their journeys
  for (let i = 0; i < instances.length; i++) {
    const instance = instances[i] as JourneyInstance;
    if (isTerminal(instance.status)) continue;
    if (profile.carts.some((cart) => cart.id === instance.cartId)) continue;
    update(endInstance(run, instance, null, "exited", "cart_gone"), keys[i] as string);
  }
  return { profile: run.profile, instances: changed, commands: run.commands, wakeAt: run.wakeAt };
}

function baseMeta(run: Run, cart: Cart, instance: JourneyInstance): Omit<CommandMeta, "kind" | "key"> {
  return {
    channel: null,
    profileId: run.profile.id,
    cartId: cart.id,
    journey: run.journey.id,
    stage: null,
    step: null,
    segment: instance.segment,
    variant: null,
    discountPercent: null,
  };
}

function predicateContext(
  run: Run,
  cart: Cart,
  table: ThresholdTable,
  instance: JourneyInstance | null,
): PredicateContext {
  return {
    journeyId: run.journey.id,
    profile: run.profile,
    cart,
    table,
    segment: instance?.segment ?? null,
    intent: instance?.intent ?? null,
    instance,
    now: run.now,
  };
}

/** ends an instance: removes the MailerLite groups it added and reports why */
function endInstance(
  run: Run,
  instance: JourneyInstance,
  cart: Cart | null,
  status: "exited" | "completed",
  reason: string,
): JourneyInstance {
  const { journey, profile, now } = run;
  const meta = {
    channel: null,
    profileId: profile.id,
    cartId: instance.cartId,
    journey: journey.id,
    stage: instance.stage,
    step: null,
    segment: instance.segment,
    variant: null,
    discountPercent: null,
  };
  if (profile.email) {
    for (const group of instance.groups ?? []) {
      const head = commandHead(
        meta,
        "support",
        stepKey(journey.id, instance.cartId, "exit", `ungroup-${group}`, "email"),
      );
      head.channel = "email";
      run.commands.push(
        makeCommand(head, { type: "mailerlite.removeFromGroup", email: profile.email, group }),
      );
    }
  }
  if (journey.analytics && instance.status !== "suppressed") {
    const event =
      reason === "ordered"
        ? "Cart Recovered"
        : status === "completed"
          ? "Cart Recovery Completed"
          : "Cart Recovery Exited";
    run.commands.push(
      analyticsCommand(
        profile,
        meta,
        event,
        {
          journey: journey.id,
          cart_id: instance.cartId,
          reason,
          stage: instance.stage,
          messages: instance.sent.length,
          recovered_value: reason === "ordered" && cart ? cart.value : null,
          currency: cart?.currency ?? null,
        },
        journeyKey(journey.id, instance.cartId, "exit", "track"),
      ),
    );
  }
  const next = copyInstance(instance);
  next.status = status;
  next.exitedAt = now;
  if (status === "exited") next.exitReason = reason;
  return next;
}

function otherActiveInstance(run: Run, cart: Cart, journeys: Record<string, JourneyInstance>): boolean {
  const { journey } = run;
  for (const other of Object.values(journeys)) {
    if (other.status !== "active" && other.status !== "paused") continue;
    if (other.journey !== journey.id && journey.suppressOtherJourneys) return true;
    if (other.journey === journey.id && other.cartId !== cart.id && journey.suppressOtherCarts) return true;
  }
  return false;
}

function planCart(
  run: Run,
  cart: Cart,
  existing: JourneyInstance | undefined,
  journeys: Record<string, JourneyInstance>,
): JourneyInstance | undefined {
  const { journey, profile, now } = run;
  if (existing && isTerminal(existing.status)) return existing;
  const table = thresholdTable(journey.thresholds, cart.currency);
  const orderedSince =
    journey.onAnyOrder &&
    profile.orders.lastOrderAt !== undefined &&
    profile.orders.lastOrderAt >= cart.createdAt;

  // exits come first, and on the current state: nothing is sent after an order
  if (cart.status === "ordered" || cart.orderedAt !== undefined) {
    return existing ? endInstance(run, existing, cart, "exited", "ordered") : undefined;
  }
  if (orderedSince)
    return existing ? endInstance(run, existing, cart, "exited", "ordered_other_cart") : undefined;
  if (!isOpenCart(cart))
    return existing ? endInstance(run, existing, cart, "exited", `cart_${cart.status}`) : undefined;
  if (existing && (cart.items.length === 0 || cart.value <= 0)) {
    return endInstance(run, existing, cart, "exited", "cart_emptied");
  }

  let instance = existing;
  if (!instance) {
    const check = checkAbandonment(journey, profile, cart, table, now);
    if (!check.abandoned) {
      if (check.wakeAt !== null) wake(run, check.wakeAt);
      return undefined;
    }
    const draft: JourneyInstance = {
      journey: journey.id,
      cartId: cart.id,
      status: "active",
      segment: null,
      abandonedAt: check.at,
      stage: null,
      sent: [],
      intent: check.intent,
      startedAt: now,
      cartUpdatedAt: cart.updatedAt,
      groups: [],
      skipped: [],
    };
    draft.segment = assignSegment(journey, predicateContext(run, cart, table, draft));
    if (otherActiveInstance(run, cart, journeys)) {
      draft.status = "suppressed";
      draft.exitReason = "active_in_other_journey";
      draft.exitedAt = now;
      return draft;
    }
    if (journey.analytics) {
      run.commands.push(
        analyticsCommand(
          profile,
          baseMeta(run, cart, draft),
          "Cart Recovery Started",
          {
            journey: journey.id,
            cart_id: cart.id,
            segment: draft.segment,
            intent: draft.intent,
            cart_value: cart.value,
            currency: cart.currency ?? journey.thresholds.currency,
            abandoned_at: new Date(check.at).toISOString(),
          },
          journeyKey(journey.id, cart.id, "start", "track"),
        ),
      );
    }
    instance = draft;
  } else if (instance.cartUpdatedAt !== undefined && cart.updatedAt > instance.cartUpdatedAt) {
    // the cart changed after abandonment
    instance = copyInstance(instance);
    instance.cartUpdatedAt = cart.updatedAt;
    if (journey.cartChange === "restart") {
      const intent = classifyIntent(journey, cart, table);
      instance.intent = intent;
      instance.abandonedAt = cart.updatedAt + journey.inactivity[intent];
    }
  }
  return advance(run, cart, table, instance);
}

/** how long after its last message an instance is completed */
export const COMPLETION_DELAY = 24 * 3_600_000;

function stageDelay(stage: Stage, segment: string | null, intent: Intent | undefined): number {
  const bySegment = segment !== null ? stage.afterBySegment?.[segment] : undefined;
  const byIntent = intent !== undefined ? stage.afterByIntent?.[intent] : undefined;
  return toMs(bySegment ?? byIntent ?? stage.after);
}

interface Assigned {
  experiment: string;
  variant: Variant;
}

function variantsFor(run: Run, stage: Stage, cart: Cart, ctx: PredicateContext): Assigned[] {
  const out: Assigned[] = [];
  for (const e of run.journey.experiments) {
    if (e.stages && !e.stages.includes(stage.stage)) continue;
    if (e.when && !evaluatePredicate(e.when, ctx)) continue;
    out.push({ experiment: e.id, variant: assignVariant(e, cart.id) });
  }
  return out;
}

function stageDiscountPercent(stage: Stage, assigned: Assigned[], ctx: PredicateContext): number | null {
  const rule = stage.discount;
  if (!rule) return null;
  if (rule.when && !evaluatePredicate(rule.when, ctx)) return null;
  let percent: number | null = rule.percent;
  if (ctx.segment !== null && rule.bySegment && ctx.segment in rule.bySegment) {
    percent = rule.bySegment[ctx.segment] ?? null;
  }
  if (percent === null) return null;
  // an experiment may change the percent of a stage that offers one, never add one where it does not
  for (const a of assigned) if (a.variant.discountPercent !== undefined) percent = a.variant.discountPercent;
  return percent !== null && percent > 0 ? percent : null;
}

/** the first engagement that triggers a step, at or after the stage's first message */
function triggerTime(run: Run, cart: Cart, step: Step, since: number): number | null {
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

/** when a due step may go out: send-time optimisation, then pauses and quiet hours (hold) */
function sendTime(run: Run, channel: Channel | null, due: number): number {
  const { journey, tz } = run;
  let at = due;
  if (channel !== null && journey.sendTime.enabled) {
    const hour = mostEngagedHour(run.profile, tz, journey.sendTime.minSignals);
    if (hour !== null) at = alignToHour(at, hour, tz, journey.sendTime.maxDelay);
  }
  const window = channel !== null ? journey.channels[channel].quietHours : null;
  for (let i = 0; i < 4; i++) {
    const pause = activePause(at, journey.blackouts);
    if (pause) at = pause.to;
    if (window && window.policy === "hold") at = nextSendWindowOpen(at, window, tz);
    if (!activePause(at, journey.blackouts)) break;
  }
  return at;
}

/**
 * true when the instance already sent or skipped this step. Within one instance (one journey, one
 * cart) stage, step and channel identify a step's key, so no key string is built to look it up.
 */
function isDone(instance: JourneyInstance, stage: number, step: string, channel: Channel | null): boolean {
  for (const s of instance.sent)
    if (s.stage === stage && s.step === step && s.channel === channel) return true;
  const skipped = instance.skipped;
  if (skipped)
    for (const s of skipped) if (s.stage === stage && s.step === step && s.channel === channel) return true;
  return false;
}

function advance(run: Run, cart: Cart, table: ThresholdTable, start: JourneyInstance): JourneyInstance {
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
    const channel = step.channel === "task" ? null : step.channel;
    instance = copyInstance(instance);
    instance.skipped = [
      ...(instance.skipped ?? []),
      { stage: stage.stage, step: step.id, channel, at: now, key, reason },
    ];
  };

  for (const stage of journey.stages) {
    let ctx = predicateContext(run, cart, table, instance);
    // a stage's variants are hashes of the cart: worked out only when the stage's timing depends on
    // them or a step is sent, on the state at the stage's start either way
    const stageCtx = ctx;
    let assigned = journey.timedExperiments ? variantsFor(run, stage, cart, stageCtx) : undefined;
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
      const channel: Channel | null = step.channel === "task" ? null : step.channel;
      if (isDone(instance, stage.stage, step.id, channel)) continue;
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
      assigned ??= variantsFor(run, stage, cart, stageCtx);
      instance = emitStep(run, cart, instance, stage, step, key, assigned, ctx);
    }
    if (!resolved) {
      resolved = stage.steps.every(
        (s) =>
          s.after !== undefined ||
          isDone(instance, stage.stage, s.id, s.channel === "task" ? null : s.channel),
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

function emitStep(
  run: Run,
  cart: Cart,
  instance: JourneyInstance,
  stage: Stage,
  step: Step,
  key: string,
  assigned: Assigned[],
  ctx: PredicateContext,
): JourneyInstance {
  const { journey, profile, now, context } = run;
  const channel: Channel | null = step.channel === "task" ? null : step.channel;
  const alternate = step.alternates?.find((a) => evaluatePredicate(a.when, ctx));
  const labels = [
    ...(alternate ? [alternate.variant] : []),
    ...assigned.map((a) => `${a.experiment}:${a.variant.id}`),
  ];
  const variant = labels.length > 0 ? labels.join(",") : null;

  let discount: { percent: number; code: string } | null = null;
  let registerCommand: Command | null = null;
  if (channel !== null) {
    const stored = instance.discounts?.[String(stage.stage)];
    if (stored) discount = stored;
    else {
      const percent = stageDiscountPercent(stage, assigned, ctx);
      if (percent !== null && journey.discounts) {
        const issued = issueDiscountCode(
          journey.discounts,
          { journey: journey.id, cartId: cart.id, stage: stage.stage, percent },
          context.secrets?.discounts,
        );
        if (issued) {
          discount = { percent, code: issued.code };
          instance = copyInstance(instance);
          instance.discounts = Object.assign({}, instance.discounts, { [String(stage.stage)]: discount });
          if (issued.register) {
            const head = commandHead(
              baseMeta(run, cart, instance),
              "task",
              stepKey(journey.id, cart.id, stage.stage, "discount", "task"),
            );
            head.stage = stage.stage;
            head.step = step.id;
            head.discountPercent = percent;
            registerCommand = makeCommand(head, {
              type: "webhook.post",
              target: issued.register.target,
              event: "register_discount",
              payload: {
                code: issued.code,
                percent,
                cartId: cart.id,
                profileId: profile.id,
                currency: cart.currency ?? journey.thresholds.currency,
                expiresAt: new Date(now + journey.linkTtl).toISOString(),
              },
            });
          }
        }
      }
    }
  }

  let link: string | null = cart.checkoutUrl ?? null;
  if (context.linkBaseUrl && context.secrets?.links) {
    const token = createCheckoutToken(
      {
        journey: journey.id,
        profileId: profile.id,
        cartId: cart.id,
        step: `${stage.stage}:${step.id}:${step.channel}`,
        expiresAt: now + journey.linkTtl,
      },
      context.secrets.links,
    );
    link = checkoutLinkUrl(context.linkBaseUrl, token);
  }

  const variantGroup = assigned.find((a) => a.variant.groups?.[step.id])?.variant.groups?.[step.id];
  const variantTemplate = assigned.find((a) => a.variant.templates?.[step.id])?.variant.templates?.[step.id];
  const rendered = renderStep({
    journey,
    profile,
    cart,
    step,
    meta: {
      key,
      channel,
      profileId: profile.id,
      cartId: cart.id,
      journey: journey.id,
      stage: stage.stage,
      step: step.id,
      segment: instance.segment,
      variant,
      discountPercent: discount?.percent ?? null,
    },
    group: alternate?.group ?? variantGroup ?? null,
    template: alternate?.template ?? variantTemplate ?? null,
    contentSid: alternate?.contentSid ?? null,
    link,
    discount,
    storeName: context.storeName ?? null,
  });
  if (!rendered.ok) {
    const skipped = copyInstance(instance);
    skipped.skipped = [
      ...(instance.skipped ?? []),
      { stage: stage.stage, step: step.id, channel, at: now, key, reason: rendered.reason },
    ];
    return skipped;
  }
  if (registerCommand) run.commands.push(registerCommand);
  run.commands.push(...rendered.commands);
  const groups = [...(instance.groups ?? [])];
  for (const c of rendered.commands) {
    if (c.type === "mailerlite.addToGroup" && !groups.includes(c.group)) groups.push(c.group);
  }
  const next = copyInstance(instance);
  next.stage = Math.max(instance.stage ?? 0, stage.stage);
  next.groups = groups;
  next.sent = [...instance.sent, { stage: stage.stage, step: step.id, channel, at: now, key, variant }];
  return next;
}
