/**
 * The predicate language: conditions in journey JSON evaluated against the current profile and cart.
 */
import type { Engagement } from "../events.js";
import type { Cart, EngagementRecord, Profile } from "../profile.js";
import { HOUR, MINUTE } from "./duration.js";
import type { JourneyInstance } from "./instance.js";
import type { Comparison, CountComparison, Intent, Predicate } from "./schema.js";
import { resolveAmount, type ThresholdTable } from "./thresholds.js";

export interface PredicateContext {
  journeyId: string;
  profile: Profile;
  cart: Cart;
  /** thresholds in the cart's currency */
  table: ThresholdTable;
  segment: string | null;
  intent: Intent | null;
  instance: JourneyInstance | null;
  now: number;
}

const ENGAGED: readonly Engagement[] = ["opened", "clicked", "replied"];

function numericTrait(profile: Profile, ...keys: string[]): number {
  let best = 0;
  for (const key of keys) {
    const value = Number(profile.traits[key]);
    if (Number.isFinite(value) && value > best) best = value;
  }
  return best;
}

/** orders seen by cartback, or the shop's own count when a source sent it as a trait (`orders_count`) */
export function orderCount(profile: Profile): number {
  return Math.max(profile.orders.count, numericTrait(profile, "orders_count"));
}

/** lifetime value seen by cartback, or the shop's own (`lifetime_value`, `total_spent`) */
export function lifetimeValue(profile: Profile): number {
  return Math.max(profile.orders.lifetimeValue, numericTrait(profile, "lifetime_value", "total_spent"));
}

function compare(value: number, cmp: Comparison, table: ThresholdTable): boolean {
  if (cmp.gte !== undefined && !(value >= resolveAmount(cmp.gte, table))) return false;
  if (cmp.gt !== undefined && !(value > resolveAmount(cmp.gt, table))) return false;
  if (cmp.lte !== undefined && !(value <= resolveAmount(cmp.lte, table))) return false;
  if (cmp.lt !== undefined && !(value < resolveAmount(cmp.lt, table))) return false;
  return true;
}

function compareCount(value: number, cmp: CountComparison): boolean {
  if (cmp.gte !== undefined && !(value >= cmp.gte)) return false;
  if (cmp.gt !== undefined && !(value > cmp.gt)) return false;
  if (cmp.lte !== undefined && !(value <= cmp.lte)) return false;
  if (cmp.lt !== undefined && !(value < cmp.lt)) return false;
  return true;
}

/** engagement that answers this cart's messages (records without a cart or key count for any cart) */
export function engagementForCart(
  ctx: Pick<PredicateContext, "journeyId" | "profile" | "cart">,
): EngagementRecord[] {
  const prefix = `${ctx.journeyId}:${ctx.cart.id}:`;
  return ctx.profile.engagement.filter((e) =>
    e.cartId !== undefined ? e.cartId === ctx.cart.id : e.key !== undefined ? e.key.startsWith(prefix) : true,
  );
}

/** when the first message of a stage went out, or null */
export function stageStartedAt(instance: JourneyInstance | null, stage: number): number | null {
  let first: number | null = null;
  for (const s of instance?.sent ?? [])
    if (s.stage === stage && (first === null || s.at < first)) first = s.at;
  return first;
}

type Check = (ctx: PredicateContext) => boolean;

// journeys are long-lived and their predicates are evaluated on every plan: each is turned into a
// function once, instead of finding its kind again on every evaluation
const compiled = new WeakMap<Predicate, Check>();

/** evaluates a condition on the current state */
export function evaluatePredicate(p: Predicate, ctx: PredicateContext): boolean {
  let check = compiled.get(p);
  if (check === undefined) {
    check = compile(p);
    compiled.set(p, check);
  }
  return check(ctx);
}

function compile(p: Predicate): Check {
  if ("all" in p) {
    const parts = p.all.map(compile);
    return (ctx) => parts.every((part) => part(ctx));
  }
  if ("any" in p) {
    const parts = p.any.map(compile);
    return (ctx) => parts.some((part) => part(ctx));
  }
  if ("not" in p) {
    const inner = compile(p.not);
    return (ctx) => !inner(ctx);
  }
  if ("cartValue" in p) return (ctx) => compare(ctx.cart.value, p.cartValue, ctx.table);
  if ("lifetimeValue" in p) return (ctx) => compare(lifetimeValue(ctx.profile), p.lifetimeValue, ctx.table);
  if ("orders" in p) return (ctx) => compareCount(orderCount(ctx.profile), p.orders);
  if ("segment" in p) return (ctx) => ctx.segment !== null && p.segment.includes(ctx.segment);
  if ("intent" in p) return (ctx) => ctx.intent !== null && p.intent.includes(ctx.intent);
  if ("consent" in p) {
    const channel = p.consent;
    return (ctx) => {
      const status = ctx.profile.consent[channel]?.status ?? "unknown";
      return channel === "email" ? status !== "denied" : status === "granted";
    };
  }
  if ("engaged" in p) {
    const { sinceStage } = p.engaged;
    const kinds = p.engaged.kinds ?? ENGAGED;
    return (ctx) => {
      const since = stageStartedAt(ctx.instance, sinceStage) ?? ctx.instance?.abandonedAt ?? null;
      if (since === null) return false;
      return engagementForCart(ctx).some(
        (e) => e.at >= since && e.at <= ctx.now && kinds.includes(e.engagement),
      );
    };
  }
  if ("unopenedFor" in p) {
    const { channel, hours } = p.unopenedFor;
    return (ctx) => {
      let last: number | null = null;
      for (const s of ctx.instance?.sent ?? [])
        if (s.channel === channel && (last === null || s.at > last)) last = s.at;
      if (last === null || ctx.now - last < hours * HOUR) return false;
      const since = last;
      return !engagementForCart(ctx).some(
        (e) => e.channel === channel && e.at >= since && e.at <= ctx.now && ENGAGED.includes(e.engagement),
      );
    };
  }
  if ("device" in p)
    return (ctx) => ctx.profile.device !== undefined && p.device.includes(ctx.profile.device);
  if ("sinceAbandonment" in p) {
    return (ctx) => {
      const at = ctx.instance?.abandonedAt;
      return at != null && compareCount((ctx.now - at) / MINUTE, p.sinceAbandonment);
    };
  }
  if ("trait" in p) {
    const { key, exists, equals } = p.trait;
    return (ctx) => {
      const value = ctx.profile.traits[key];
      const present = value !== undefined && value !== null && value !== "" && value !== false;
      if (exists !== undefined && present !== exists) return false;
      if (equals !== undefined && value !== equals) return false;
      return true;
    };
  }
  if ("checkoutStarted" in p) {
    const started = p.checkoutStarted;
    return (ctx) => (ctx.cart.checkoutStartedAt !== undefined) === started;
  }
  return () => false;
}
