/**
 * Deterministic A/B assignment: a cart's variant is a hash of the experiment and the cart, so every
 * replay, worker and bundle puts the same cart in the same arm without storing anything.
 */
import { hashToUnit } from "./hash.js";
import type { Experiment } from "./schema.js";

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
