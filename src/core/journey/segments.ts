/** Segments: the first segment whose condition holds names the shopper's path through the journey. */
import type { ResolvedJourney } from "./define.js";
import { evaluatePredicate, type PredicateContext } from "./predicates.js";

export function assignSegment(
  journey: ResolvedJourney,
  ctx: Omit<PredicateContext, "segment">,
): string | null {
  for (const segment of journey.segments) {
    if (!segment.when || evaluatePredicate(segment.when, { ...ctx, segment: null })) return segment.id;
  }
  return null;
}
