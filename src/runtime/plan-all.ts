/** Runs every journey over one profile at `now`, the way `cartback simulate` does for one. */
import type { Command } from "../core/commands.js";
import { type JourneySpec, type PlanContext, planJourney } from "../core/journey/index.js";
import type { Profile } from "../core/profile.js";
import type { ScheduledCommand } from "./store.js";

export interface PlannedProfile {
  profile: Profile;
  commands: Command[];
  wakeAt: number | null;
}

export function planAllJourneys(
  journeys: readonly JourneySpec[],
  profile: Profile,
  now: number,
  context: PlanContext,
): PlannedProfile {
  let current = profile;
  let commands: Command[] = [];
  let wakeAt: number | null = null;
  for (const spec of journeys) {
    const plan = planJourney(spec, current, now, context);
    current = plan.profile;
    if (plan.commands.length > 0)
      commands = commands.length === 0 ? plan.commands : commands.concat(plan.commands);
    if (plan.wakeAt !== null && (wakeAt === null || plan.wakeAt < wakeAt)) wakeAt = plan.wakeAt;
  }
  return { profile: current, commands, wakeAt };
}

/**
 * outbox rows for commands planned together: one millisecond apart and ending at `now` (so all are
 * due at once), so the dispatcher, which claims in due order, runs a subscriber upsert before the
 * group add that sends the email
 */
export function scheduleInOrder(commands: readonly Command[], now: number): ScheduledCommand[] {
  const first = now - commands.length + 1;
  return commands.map((command, i) => ({ command, dueAt: first + i }));
}
