/**
 * `planShopper`: the one planning entry of the runtime, `cartback simulate` and the journey bundle.
 * Every journey of the deployment plans the shopper in turn, each seeing what the ones before it
 * changed, so the shopper's journeys, carts and messages are decided together.
 */
import type { Command } from "../commands.js";
import type { Profile } from "../profile.js";
import type { JourneyInstance } from "./instance.js";
import { type PlanContext, planResolvedJourney } from "./plan.js";
import type { ResolvedJourney } from "./resolve.js";

export interface ShopperPlan {
  /** the profile with its journey instances advanced; the same object when nothing changed */
  profile: Profile;
  /** the instances that changed, in every journey */
  instances: JourneyInstance[];
  /** commands to execute now, in order */
  commands: Command[];
  /** when to plan this profile again; null when nothing is pending */
  wakeAt: number | null;
}

/**
 * Plans one shopper at `now` over resolved journeys (`resolveJourney` checks one first).
 * @example
 * const journeys = [resolveJourney(playbookJourney())];
 * const { profile: next, commands, wakeAt } = planShopper(journeys, profile, now, { storeTimezone: "Europe/London" });
 */
export function planShopper(
  journeys: readonly ResolvedJourney[],
  profile: Profile,
  now: number,
  context: PlanContext = {},
): ShopperPlan {
  if (journeys.length === 1)
    return planResolvedJourney(journeys[0] as ResolvedJourney, profile, now, context);
  let current = profile;
  let instances: JourneyInstance[] = [];
  let commands: Command[] = [];
  let wakeAt: number | null = null;
  for (const journey of journeys) {
    const plan = planResolvedJourney(journey, current, now, context);
    current = plan.profile;
    if (plan.instances.length > 0) instances = instances.concat(plan.instances);
    if (plan.commands.length > 0)
      commands = commands.length === 0 ? plan.commands : commands.concat(plan.commands);
    if (plan.wakeAt !== null && (wakeAt === null || plan.wakeAt < wakeAt)) wakeAt = plan.wakeAt;
  }
  return { profile: current, instances, commands, wakeAt };
}
