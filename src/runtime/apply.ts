/**
 * One shopper transaction: resolve the events' identity keys, lock the profiles they point at, merge
 * them by the core's identity rules (the same as `createProfileBook`), reduce the events in order,
 * plan every journey, and save profile, wake-up, keys and outbox commands in one store step.
 */
import type { CartEvent } from "../core/events.js";
import { eventIdentityKeys, mergeProfiles, profileIdFor } from "../core/identity.js";
import type { JourneySpec, PlanContext } from "../core/journey/index.js";
import type { Profile } from "../core/profile.js";
import { emptyProfile, reduceProfile } from "../core/reduce.js";
import { planAllJourneys, scheduleInOrder } from "./plan-all.js";
import { isStoreConflictError, type Store, StoreConflictError, type StoredProfile } from "./store.js";

export interface ApplyOutcome {
  profileId: string;
  /** idempotency keys that entered the outbox */
  enqueued: string[];
  /** profiles merged into this one */
  absorbed: string[];
  saved: boolean;
}

/** picks the profile the events belong to among the ones their keys point at (see `core/identity.ts`) */
function chooseTarget(
  owners: readonly StoredProfile[],
  ownUser: string | undefined,
): { profile: Profile; members: StoredProfile[]; absorbed: string[] } | null {
  const mergeable = owners.filter((s) => !s.profile.userId || !ownUser || s.profile.userId === ownUser);
  const first = mergeable[0];
  if (first === undefined) return null;
  const knownUsers = new Set(mergeable.map((s) => s.profile.userId).filter(Boolean));
  const group = knownUsers.size > 1 ? mergeable.filter((s) => !s.profile.userId || s === first) : mergeable;
  let profile = first.profile;
  const absorbed: string[] = [];
  for (const other of group.slice(1)) {
    const merged = mergeProfiles(profile, other.profile);
    absorbed.push(merged.id === profile.id ? other.profile.id : profile.id);
    profile = merged;
  }
  return { profile, members: group, absorbed };
}

/**
 * Applies `events` (all with the same identity keys, in order) as one transaction. Retries when an
 * identity key moves to another profile meanwhile.
 */
export async function applyEvents(
  store: Store,
  events: readonly CartEvent[],
  journeys: readonly JourneySpec[],
  context: PlanContext,
  now: number,
  maxAttempts = 5,
): Promise<ApplyOutcome> {
  const head = events[0];
  if (head === undefined) throw new Error("applyEvents: no events");
  const keys = eventIdentityKeys(head);
  const fresh = profileIdFor(keys);
  let lastConflict: unknown;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const owners = await store.resolve(keys);
    // the id a new profile would get is locked too: a shared device can need one next to the owners
    const ids = owners.includes(fresh) ? owners : [...owners, fresh];
    try {
      const { value, saved } = await store.transact(ids, async (tx) => {
        const current = await tx.resolve(keys);
        const outside = current.find((id) => !ids.includes(id));
        if (outside !== undefined) {
          throw new StoreConflictError(`an identity key moved to profile ${outside}`, { ownerId: outside });
        }
        const loaded: StoredProfile[] = [];
        for (const id of current) {
          const stored = await tx.load(id);
          if (stored) loaded.push(stored);
        }
        let chosen = chooseTarget(loaded, head.contact.userId);
        if (chosen === null) {
          const existing = await tx.load(fresh);
          chosen =
            existing && (!existing.profile.userId || existing.profile.userId === head.contact.userId)
              ? { profile: existing.profile, members: [existing], absorbed: [] }
              : { profile: emptyProfile(fresh, head.at), members: [], absorbed: [] };
        }
        const before = chosen.profile;
        let profile = before;
        for (const event of events) profile = reduceProfile(profile, event);
        const planned = planAllJourneys(journeys, profile, now, context);
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
            commands: scheduleInOrder(planned.commands, now),
            absorbed: chosen.absorbed,
            now,
          });
        }
        return { profileId: planned.profile.id, absorbed: chosen.absorbed, saved: !unchanged };
      });
      return { ...value, enqueued: saved?.enqueued ?? [] };
    } catch (error) {
      if (!isStoreConflictError(error)) throw error;
      lastConflict = error;
    }
  }
  throw new StoreConflictError(
    `identity keys ${JSON.stringify(keys)} kept moving: gave up after ${maxAttempts} attempts (last: ${String(lastConflict)})`,
  );
}
