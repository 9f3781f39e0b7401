/**
 * One shopper transaction: resolve the events' identity keys, lock the profiles they point at, join
 * them by the core's merge rule (`joinProfiles`, as the profile book does), reduce the events in
 * order, plan the shopper (`planShopper`), and save profile, wake-up, keys and outbox commands in one
 * store step.
 */
import type { CartEvent } from "../core/events.js";
import { eventIdentityKeys, joinProfiles, profileIdFor } from "../core/identity.js";
import { type PlanContext, planShopper, type ResolvedJourney } from "../core/journey/index.js";
import { emptyProfile, reduceProfile } from "../core/reduce.js";
import { type RecordedRecovery, recoveriesRecorded } from "./recoveries.js";
import { type Store, type StoredProfile, transactByKeys } from "./store.js";

export interface ApplyOutcome {
  profileId: string;
  /** idempotency keys that entered the outbox */
  enqueued: string[];
  /** profiles merged into this one */
  absorbed: string[];
  saved: boolean;
  /** recoveries the plan recorded (counted by the metrics once the save committed) */
  recoveries: RecordedRecovery[];
}

/**
 * Applies `events` (all with the same identity keys, in order) as one transaction. Retries when an
 * identity key moves to another profile meanwhile.
 */
export async function applyEvents(
  store: Store,
  events: readonly CartEvent[],
  journeys: readonly ResolvedJourney[],
  context: PlanContext,
  now: number,
  maxAttempts = 5,
): Promise<ApplyOutcome> {
  const head = events[0];
  if (head === undefined) throw new Error("applyEvents: no events");
  const keys = eventIdentityKeys(head);
  const fresh = profileIdFor(keys);
  const ownUser = head.contact.userId;
  const newId = () => fresh;
  const { value, saved } = await transactByKeys(store, keys, { newId, maxAttempts }, async (tx, ids) => {
    const loaded: StoredProfile[] = [];
    for (const id of ids) {
      const stored = await tx.load(id);
      if (stored) loaded.push(stored);
    }
    let chosen = joinProfiles(loaded, (s) => s.profile, ownUser);
    if (chosen === null) {
      // the keys' owners are another user's: the event's shopper gets (or has) a profile of their own
      const existing = await tx.load(fresh);
      chosen =
        existing && (!existing.profile.userId || existing.profile.userId === ownUser)
          ? { profile: existing.profile, members: [existing], absorbed: [] }
          : { profile: emptyProfile(fresh, head.at), members: [], absorbed: [] };
    }
    const before = chosen.profile;
    let profile = before;
    for (const event of events) profile = reduceProfile(profile, event);
    const planned = planShopper(journeys, profile, now, context);
    const keySet = new Set<string>();
    for (const member of chosen.members) for (const key of member.keys) keySet.add(key);
    const knownKeys = keySet.size;
    for (const key of keys) keySet.add(key);
    const self = chosen.members.find((m) => m.profile.id === planned.profile.id);
    const unchanged =
      planned.profile === before &&
      chosen.absorbed.length === 0 &&
      planned.commands.length === 0 &&
      self !== undefined &&
      self.wakeAt === planned.wakeAt &&
      keySet.size === knownKeys;
    if (!unchanged) {
      tx.save({
        profile: planned.profile,
        wakeAt: planned.wakeAt,
        keys: [...keySet],
        commands: planned.commands,
        absorbed: chosen.absorbed,
        now,
      });
    }
    return {
      profileId: planned.profile.id,
      absorbed: chosen.absorbed,
      saved: !unchanged,
      recoveries: unchanged ? [] : recoveriesRecorded(before, planned.profile),
    };
  });
  return { ...value, enqueued: saved?.enqueued ?? [] };
}
