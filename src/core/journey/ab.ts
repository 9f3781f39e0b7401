/**
 * Deterministic A/B assignment: a cart's variant is a hash of the experiment and the cart, so every
 * replay, worker and bundle puts the same cart in the same arm without storing anything.
 */
import type { Cart } from "../profile.js";
import { hashToUnit } from "./hash.js";
import { evaluatePredicate, type PredicateContext } from "./predicates.js";
import type { ResolvedJourney } from "./resolve.js";
import type { Experiment, Stage } from "./schema.js";

export type Variant = Experiment["variants"][number];

/** the variant of `experiment` for `cartId`, weighted (default weight 1) */
export function assignVariant(experiment: Experiment, cartId: string): Variant {
  const total = experiment.variants.reduce((sum, v) => sum + (v.weight ?? 1), 0);
  let point = hashToUnit(`${experiment.id}:${cartId}`) * total;
  for (const v of experiment.variants) {
    point -= v.weight ?? 1;
    if (point < 0) return v;
  }
  return experiment.variants[experiment.variants.length - 1] as Variant;
}

/** a cart's variant in one experiment */
export interface Assigned {
  experiment: string;
  variant: Variant;
}

/** the variants a cart takes part in for a stage (experiments of that stage whose condition holds) */
export function stageVariants(
  journey: ResolvedJourney,
  stage: Stage,
  cart: Cart,
  ctx: PredicateContext,
): Assigned[] {
  const out: Assigned[] = [];
  for (const e of journey.experiments) {
    if (e.stages && !e.stages.includes(stage.stage)) continue;
    if (e.when && !evaluatePredicate(e.when, ctx)) continue;
    out.push({ experiment: e.id, variant: assignVariant(e, cart.id) });
  }
  return out;
}
