/**
 * The holdout group: a share of abandoned carts that enters the journey and receives nothing, so the
 * report can compare how many carts come back with messages and without. Chosen by a hash of the
 * journey and the cart, like A/B variants: every replay, worker and bundle holds out the same carts
 * without storing anything.
 */
import { hashToUnit } from "./hash.js";

/** the skip reason recorded for each message a held-out cart would have got */
export const HOLDOUT_REASON = "holdout";

/** whether `cartId` is in the journey's holdout of `percent` % (0–50) */
export function isHeldOut(journeyId: string, cartId: string, percent: number): boolean {
  if (!(percent > 0)) return false;
  // its own salt, so the holdout does not line up with any experiment's split of the same carts
  return hashToUnit(`holdout:${journeyId}:${cartId}`) * 100 < percent;
}
