/** Segments: the first segment whose condition holds names the shopper's path through the journey. */
import type { ResolvedJourney } from "./define.js";
import { evaluatePredicate, type PredicateContext } from "./predicates.js";

/** `ctx.segment` is ignored: segments cannot depend on themselves */
export function assignSegment(journey: ResolvedJourney, ctx: PredicateContext): string | null {
  const own: PredicateContext = {
    journeyId: ctx.journeyId,
    profile: ctx.profile,
    cart: ctx.cart,
    table: ctx.table,
    segment: null,
    intent: ctx.intent,
    instance: ctx.instance,
    now: ctx.now,
  };
  for (const segment of journey.segments) {
    if (!segment.when || evaluatePredicate(segment.when, own)) return segment.id;
  }
  return null;
}
