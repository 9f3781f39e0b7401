/** `planJourney`: the planner for a journey as the package's user gives it, checked before it runs. */

import type { Profile } from "../profile.js";
import { resolveJourney } from "./define.js";
import { type JourneyPlan, type PlanContext, planResolvedJourney } from "./plan.js";
import type { JourneySpec } from "./schema.js";

/**
 * Plans one shopper: starts, advances or ends the journey instance of each of their carts. The journey
 * is validated once (a `JourneyError` lists every problem) and its defaults filled in; both are cached.
 * @example
 * const { profile: next, commands, wakeAt } = planJourney(playbook(), profile, Date.now(), { storeTimezone: "Asia/Kolkata" });
 */
export function planJourney(
  spec: JourneySpec,
  profile: Profile,
  now: number,
  context: PlanContext = {},
): JourneyPlan {
  return planResolvedJourney(resolveJourney(spec), profile, now, context);
}
