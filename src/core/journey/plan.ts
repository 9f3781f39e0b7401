/**
 * The rule engine's entry for one journey: given a resolved journey, one shopper's profile and `now`,
 * it returns the next journey-instance state, the commands to execute now and when to look again.
 * For each cart: exits first (`exit.ts`), then the start of an instance (`start.ts`), then the walk
 * over the stages (`walk.ts`). Every condition is evaluated on the state at the moment a step is
 * due, so nothing is sent on stale information.
 */
import type { Command } from "../commands.js";
import { type Cart, copyProfile, type Profile } from "../profile.js";
import { endInstance, exitReason, lateRecovery } from "./exit.js";
import { instanceKey, isTerminal, type JourneyInstance } from "./instance.js";
import { pickTimezone } from "./local-time.js";
import type { ResolvedJourney } from "./resolve.js";
import type { PlanContext, Run } from "./run.js";
import { followCartChange, startInstance } from "./start.js";
import { thresholdTable } from "./thresholds.js";
import { advance } from "./walk.js";

export type { PlanContext } from "./run.js";
export { COMPLETION_DELAY } from "./timing.js";

export interface JourneyPlan {
  /** the profile with its journey instances advanced; the same object when nothing changed */
  profile: Profile;
  /** the instances that changed */
  instances: JourneyInstance[];
  /** commands to execute now, in order */
  commands: Command[];
  /** when to plan this profile again; null when nothing is pending */
  wakeAt: number | null;
}

/**
 * a copy of an object keyed by ids, made a hash table from the start: adding an id that no other
 * object has to a plain object creates a new hidden class every time, which costs more than the
 * whole lookup it serves (V8 keeps such objects as dictionaries once a property other than the last
 * one added is deleted)
 */
function keyedCopy<T>(source: Record<string, T>): Record<string, T> {
  const copy: Record<string, unknown> = { a: 0, b: 0 };
  delete copy.a;
  delete copy.b;
  for (const key in source) copy[key] = source[key];
  return copy as Record<string, T>;
}

/**
 * Plans one shopper over a resolved journey: starts, advances or ends the journey instance of each of
 * their carts. `planJourney` checks and resolves a journey first; this is for a journey known to be
 * valid (`resolveCheckedJourney`), as the paste bundles run it.
 */
export function planResolvedJourney(
  journey: ResolvedJourney,
  profile: Profile,
  now: number,
  context: PlanContext = {},
): JourneyPlan {
  const run: Run = {
    journey,
    profile,
    now,
    context,
    tz: pickTimezone(profile.timezone, context.storeTimezone),
    commands: [],
    wakeAt: null,
    ledger: null,
  };
  let journeys = profile.journeys;
  const changed: JourneyInstance[] = [];
  const update = (next: JourneyInstance, key: string) => {
    if (journeys === profile.journeys) {
      journeys = keyedCopy(profile.journeys);
      run.profile = copyProfile(profile);
      run.profile.journeys = journeys;
    }
    journeys[key] = next;
    changed.push(next);
  };
  // this journey's instances, found in one pass over the profile's: looking each cart's up by a
  // freshly built `journey:cart` key costs more (the key has to be hashed and interned every time)
  const keys: string[] = [];
  const instances: JourneyInstance[] = [];
  for (const key in journeys) {
    const instance = journeys[key] as JourneyInstance;
    if (instance.journey !== journey.id) continue;
    keys.push(key);
    instances.push(instance);
  }
  for (const cart of profile.carts) {
    let found = -1;
    for (let i = 0; i < instances.length; i++) {
      if ((instances[i] as JourneyInstance).cartId === cart.id) {
        found = i;
        break;
      }
    }
    const before = found < 0 ? undefined : instances[found];
    const next = planCart(run, cart, before, journeys);
    if (next && next !== before)
      update(next, found < 0 ? instanceKey(journey.id, cart.id) : (keys[found] as string));
  }
  // carts the profile no longer keeps end their journeys
  for (let i = 0; i < instances.length; i++) {
    const instance = instances[i] as JourneyInstance;
    if (isTerminal(instance.status)) continue;
    if (profile.carts.some((cart) => cart.id === instance.cartId)) continue;
    update(endInstance(run, instance, null, "exited", "cart_gone"), keys[i] as string);
  }
  return { profile: run.profile, instances: changed, commands: run.commands, wakeAt: run.wakeAt };
}

function planCart(
  run: Run,
  cart: Cart,
  existing: JourneyInstance | undefined,
  journeys: Record<string, JourneyInstance>,
): JourneyInstance | undefined {
  if (existing && isTerminal(existing.status)) return lateRecovery(run, existing, cart) ?? existing;
  // exits come first, and on the current state: nothing is sent after an order
  const reason = exitReason(run, cart, existing !== undefined);
  if (reason !== null) return existing ? endInstance(run, existing, cart, "exited", reason) : undefined;
  const table = thresholdTable(run.journey.thresholds, cart.currency);
  const instance = existing
    ? followCartChange(run, cart, table, existing)
    : startInstance(run, cart, table, journeys);
  if (!instance || instance.status === "suppressed") return instance;
  return advance(run, cart, table, instance);
}
