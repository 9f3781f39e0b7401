/**
 * The state of one journey for one cart, kept in the shopper's profile and advanced only by the planner.
 */
import type { Channel } from "../events.js";

export type JourneyStatus = "waiting" | "active" | "paused" | "completed" | "exited" | "suppressed";

export interface SentStep {
  stage: number;
  step: string;
  channel: Channel | null;
  at: number;
  key: string;
  variant: string | null;
  /** when it was due by design, if it went out later than that */
  due?: number;
  /**
   * what held it from `due` to `at`, in the order they applied: `spacing` (its stage keeps its
   * spacing after a held stage), `after_email`, `paced`, `send_time`, `blackout`, `quiet_hours`
   */
  heldBy?: string[];
}

/**
 * a step that was not sent, and why (e.g. `no_consent`, `cap_reached`, `quiet_hours`; pacing:
 * `paced`, `stale`, `too_late`, `other_text_channel`, `one_text_per_stage`)
 */
export interface SkippedStep {
  stage: number;
  step: string;
  channel: Channel | null;
  at: number;
  key: string;
  reason: string;
}

export interface JourneyInstance {
  journey: string;
  cartId: string;
  status: JourneyStatus;
  segment: string | null;
  /** when the cart was judged abandoned; stage delays count from here */
  abandonedAt: number | null;
  stage: number | null;
  sent: SentStep[];
  exitReason?: string;
  exitedAt?: number;
  /** intent at abandonment: picks the inactivity threshold and stage timing */
  intent?: "high" | "medium" | "low";
  /** when the planner started the instance */
  startedAt?: number;
  /** the cart's `updatedAt` the timing is based on; a newer one means the cart changed */
  cartUpdatedAt?: number;
  /** MailerLite groups added, removed again on exit */
  groups?: string[];
  skipped?: SkippedStep[];
  /** discount issued per stage, so every message of a stage carries the same code */
  discounts?: Record<string, { percent: number; code: string }>;
  /** in the journey's holdout group: its messages are skipped (reason `holdout`), never sent */
  holdout?: boolean;
  /** the order of this cart that recovered it, recorded when the planner saw it */
  recovery?: RecoveryRecord;
}

/** an order credited to a journey, kept with the instance so reports outlive the cart */
export interface RecoveryRecord {
  orderedAt: number;
  orderId?: string;
  value: number;
  currency?: string;
  /** the key of the last message that went out before the order (last touch), if any */
  lastTouch: string | null;
  /** the key of the message whose link the shopper came back through, if any */
  clickThrough: string | null;
}

/** the key of an instance in `profile.journeys` */
export function instanceKey(journey: string, cartId: string): string {
  return `${journey}:${cartId}`;
}

export function isTerminal(status: JourneyStatus): boolean {
  return status === "completed" || status === "exited" || status === "suppressed";
}

/**
 * a shallow copy to change (explicit fields: `{ ...instance, x }` is a slow path in V8 and the
 * planner copies instances on every step)
 */
export function copyInstance(i: JourneyInstance): JourneyInstance {
  const copy: JourneyInstance = {
    journey: i.journey,
    cartId: i.cartId,
    status: i.status,
    segment: i.segment,
    abandonedAt: i.abandonedAt,
    stage: i.stage,
    sent: i.sent,
  };
  if (i.exitReason !== undefined) copy.exitReason = i.exitReason;
  if (i.exitedAt !== undefined) copy.exitedAt = i.exitedAt;
  if (i.intent !== undefined) copy.intent = i.intent;
  if (i.startedAt !== undefined) copy.startedAt = i.startedAt;
  if (i.cartUpdatedAt !== undefined) copy.cartUpdatedAt = i.cartUpdatedAt;
  if (i.groups !== undefined) copy.groups = i.groups;
  if (i.skipped !== undefined) copy.skipped = i.skipped;
  if (i.discounts !== undefined) copy.discounts = i.discounts;
  if (i.holdout !== undefined) copy.holdout = i.holdout;
  if (i.recovery !== undefined) copy.recovery = i.recovery;
  return copy;
}

/**
 * true when the instance already sent or skipped this step. Within one instance (one journey, one
 * cart) stage, step and channel identify a step's key, so no key string is built to look it up.
 */
export function isStepDone(
  instance: JourneyInstance,
  stage: number,
  step: string,
  channel: Channel | null,
): boolean {
  for (const s of instance.sent)
    if (s.stage === stage && s.step === step && s.channel === channel) return true;
  const skipped = instance.skipped;
  if (skipped)
    for (const s of skipped) if (s.stage === stage && s.step === step && s.channel === channel) return true;
  return false;
}

/** the instance with one more step recorded as not sent, and why */
export function withSkipped(instance: JourneyInstance, skip: SkippedStep): JourneyInstance {
  const next = copyInstance(instance);
  next.skipped = [...(instance.skipped ?? []), skip];
  return next;
}
