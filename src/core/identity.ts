/**
 * Identity stitching: which profile an event belongs to, and how two profiles become one.
 *
 * Rules (deterministic, whatever the arrival order of the profiles):
 * - an event's identity keys are `user:<userId>`, `anon:<anonymousId>`, `email:<email>`, `phone:<E.164>`
 *   (and for an alias, the `previousId` as both a user and an anonymous id);
 * - when the keys point at several profiles, they merge — except two profiles with different userIds,
 *   which are different people (a shared device): the event joins the profile of its own userId;
 * - the surviving profile is the one with a userId; otherwise the one seen first; ties go to the
 *   smaller id. Consent keeps the newest decision per channel (different decisions made at the same
 *   instant resolve to "denied"); carts, engagement and journeys are unioned; order history adds up,
 *   counting each order id once.
 */
import type { CartEvent, Contact } from "./events.js";
import type { Profile } from "./profile.js";
import { copyProfile, PROFILE_LIMITS } from "./profile.js";
import { emptyProfile, reduceProfile, resolveConsent } from "./reduce.js";

/** the identity keys of a contact, strongest first */
export function identityKeys(contact: Contact): string[] {
  const { userId, anonymousId, email, phone } = contact;
  // sized up front: pushing onto [] allocates room for 17 keys, and this runs for every message
  const keys = new Array<string>(
    (userId ? 1 : 0) + (anonymousId ? 1 : 0) + (email ? 1 : 0) + (phone ? 1 : 0),
  );
  let i = 0;
  if (userId) keys[i++] = `user:${userId}`;
  if (anonymousId) keys[i++] = `anon:${anonymousId}`;
  if (email) keys[i++] = `email:${email}`;
  if (phone) keys[i++] = `phone:${phone}`;
  return keys;
}

/** the identity keys of an event, including an alias's previous id */
export function eventIdentityKeys(event: CartEvent): string[] {
  const keys = identityKeys(event.contact);
  if (event.type === "identity_merged") keys.push(`user:${event.previousId}`, `anon:${event.previousId}`);
  return keys;
}

/** the identity keys a profile answers to */
export function profileIdentityKeys(profile: Profile): string[] {
  const keys: string[] = [];
  if (profile.userId) keys.push(`user:${profile.userId}`);
  for (const id of profile.anonymousIds) keys.push(`anon:${id}`);
  if (profile.email) keys.push(`email:${profile.email}`);
  if (profile.phone) keys.push(`phone:${profile.phone}`);
  return keys;
}

/** the id a new profile gets from its strongest key */
export function profileIdFor(keys: readonly string[]): string {
  return `p:${keys[0] ?? "unknown"}`;
}

/** which of two profiles survives a merge (see the module rules) */
export function survivorOf(a: Profile, b: Profile): [survivor: Profile, absorbed: Profile] {
  if (a.userId && !b.userId) return [a, b];
  if (b.userId && !a.userId) return [b, a];
  if (a.firstSeenAt !== b.firstSeenAt) return a.firstSeenAt < b.firstSeenAt ? [a, b] : [b, a];
  return a.id < b.id ? [a, b] : [b, a];
}

/**
 * The merge rule, applied wherever profiles are joined (the profile book, the runtime's stores): among
 * the profiles an event's keys point at, the ones that may join the event's shopper — all but those
 * of another known user (a shared device) — merged into one. When they name more than one known user,
 * only the first of them joins the ones without a userId. Null when none may join.
 */
export function joinProfiles<T>(
  candidates: readonly T[],
  profileOf: (candidate: T) => Profile,
  ownUser: string | undefined,
): { profile: Profile; members: T[]; absorbed: string[] } | null {
  const mergeable = candidates.filter((c) => {
    const userId = profileOf(c).userId;
    return !userId || !ownUser || userId === ownUser;
  });
  const first = mergeable[0];
  if (first === undefined) return null;
  const knownUsers = new Set(mergeable.map((c) => profileOf(c).userId).filter(Boolean));
  const members =
    knownUsers.size > 1 ? mergeable.filter((c) => !profileOf(c).userId || c === first) : mergeable;
  let profile = profileOf(first);
  const absorbed: string[] = [];
  for (let i = 1; i < members.length; i++) {
    const other = profileOf(members[i] as T);
    const merged = mergeProfiles(profile, other);
    absorbed.push(merged.id === profile.id ? other.id : profile.id);
    profile = merged;
  }
  return { profile, members, absorbed };
}

function union<T>(a: readonly T[], b: readonly T[], limit: number): T[] {
  const out = a.slice();
  for (const value of b) if (!out.includes(value)) out.push(value);
  return out.length > limit ? out.slice(out.length - limit) : out;
}

/** one profile from two that turned out to be the same shopper */
export function mergeProfiles(a: Profile, b: Profile): Profile {
  const [survivor, absorbed] = survivorOf(a, b);
  const newer = survivor.lastSeenAt >= absorbed.lastSeenAt ? survivor : absorbed;
  const older = newer === survivor ? absorbed : survivor;
  const consent = { ...survivor.consent };
  for (const channel of Object.keys(consent) as (keyof typeof consent)[]) {
    consent[channel] = resolveConsent(consent[channel], absorbed.consent[channel]);
  }
  const orderIds = union(survivor.orders.recentIds, absorbed.orders.recentIds, PROFILE_LIMITS.orderIds);
  const shared = absorbed.orders.recentIds.filter((id) => survivor.orders.recentIds.includes(id)).length;
  const carts = [
    ...survivor.carts,
    ...absorbed.carts.filter((c) => !survivor.carts.some((s) => s.id === c.id)),
  ]
    .sort((x, y) => x.createdAt - y.createdAt || (x.id < y.id ? -1 : 1))
    .slice(-PROFILE_LIMITS.carts);
  // the newer profile's details, and the older one's where the newer has none (optional fields are
  // present but undefined on profiles the reducer made, so a spread would copy the gaps too)
  const merged = copyProfile(newer);
  merged.id = survivor.id;
  merged.email = newer.email ?? older.email;
  merged.phone = newer.phone ?? older.phone;
  merged.invalidPhone = newer.invalidPhone ?? older.invalidPhone;
  merged.firstName = newer.firstName ?? older.firstName;
  merged.lastName = newer.lastName ?? older.lastName;
  merged.name = newer.name ?? older.name;
  merged.timezone = newer.timezone ?? older.timezone;
  merged.locale = newer.locale ?? older.locale;
  merged.device = newer.device ?? older.device;
  merged.anonymousIds = union(survivor.anonymousIds, absorbed.anonymousIds, PROFILE_LIMITS.anonymousIds);
  merged.traits = { ...older.traits, ...newer.traits };
  merged.consent = consent;
  merged.orders = {
    ...older.orders,
    ...newer.orders,
    // an order seen in both counts once (its value is taken from one side only)
    count: Math.max(0, survivor.orders.count + absorbed.orders.count - shared),
    lifetimeValue:
      shared > 0
        ? Math.max(survivor.orders.lifetimeValue, absorbed.orders.lifetimeValue)
        : survivor.orders.lifetimeValue + absorbed.orders.lifetimeValue,
    recentIds: orderIds,
  };
  merged.carts = carts;
  merged.engagement = [...survivor.engagement, ...absorbed.engagement]
    .sort((x, y) => x.at - y.at)
    .slice(-PROFILE_LIMITS.engagement);
  merged.journeys = { ...absorbed.journeys, ...survivor.journeys };
  merged.seen = union(survivor.seen, absorbed.seen, PROFILE_LIMITS.seen);
  merged.firstSeenAt = Math.min(survivor.firstSeenAt, absorbed.firstSeenAt);
  merged.lastSeenAt = Math.max(survivor.lastSeenAt, absorbed.lastSeenAt);
  const userId = survivor.userId ?? absorbed.userId;
  if (userId) merged.userId = userId;
  return merged;
}

export interface ApplyResult {
  profile: Profile;
  /** ids of profiles merged into this one (they no longer exist) */
  absorbed: string[];
  /** false when the event changed nothing (a duplicate, a consent decision already known) */
  changed: boolean;
}

/**
 * An in-memory set of profiles with their identity index: routes each event to its shopper, merges
 * profiles that turn out to be one person, and reduces. Used by `cartback simulate`, the benchmarks
 * and the memory store; durable stores keep the same index in tables.
 */
export interface ProfileBook {
  apply(event: CartEvent): ApplyResult;
  get(id: string): Profile | undefined;
  /** the profile id a key (`email:a@b.c`) points at */
  resolve(key: string): string | undefined;
  /** replaces a stored profile (e.g. after planning updated its journeys) */
  set(profile: Profile): void;
  profiles(): IterableIterator<Profile>;
  readonly size: number;
}

const NONE: string[] = [];

export function createProfileBook(): ProfileBook {
  const profiles = new Map<string, Profile>();
  const index = new Map<string, string>();
  // an absorbed profile's id → the profile it merged into: keys that named it still find the shopper
  const moved = new Map<string, string>();
  const current = (id: string | undefined): string | undefined => {
    let found = id;
    // an id leaves `profiles` only by a merge, which records it in `moved` (small, so asked first)
    while (found !== undefined && moved.has(found) && !profiles.has(found)) found = moved.get(found);
    return found;
  };
  // which of the event's keys the index already maps straight to the profile `target` found, one
  // bit per key: those need no write after the reduce
  let direct = 0;
  // the identity details of the last events, all of whose keys the index maps to profile `id`. The
  // events of one message, and a shopper's messages (an SDK sends them in batches), arrive together:
  // an event that names only these details belongs to the same profile, without asking the index
  const recent = {
    id: "",
    userId: undefined as string | undefined,
    anonymousId: undefined as string | undefined,
    email: undefined as string | undefined,
    phone: undefined as string | undefined,
  };
  const isRecent = (contact: Contact): boolean =>
    recent.id !== "" &&
    (contact.userId ?? contact.anonymousId ?? contact.email ?? contact.phone) !== undefined &&
    (contact.userId === undefined || contact.userId === recent.userId) &&
    (contact.anonymousId === undefined || contact.anonymousId === recent.anonymousId) &&
    (contact.email === undefined || contact.email === recent.email) &&
    (contact.phone === undefined || contact.phone === recent.phone);
  const remember = (event: CartEvent, id: string) => {
    if (event.type === "identity_merged") {
      recent.id = "";
      return;
    }
    const { userId, anonymousId, email, phone } = event.contact;
    if (id !== recent.id) {
      recent.id = id;
      recent.userId = userId;
      recent.anonymousId = anonymousId;
      recent.email = email;
      recent.phone = phone;
      return;
    }
    if (userId !== undefined) recent.userId = userId;
    if (anonymousId !== undefined) recent.anonymousId = anonymousId;
    if (email !== undefined) recent.email = email;
    if (phone !== undefined) recent.phone = phone;
  };

  function target(event: CartEvent, keys: readonly string[]): Omit<ApplyResult, "changed"> | undefined {
    // the common case, every key known points at one profile, allocates nothing
    let only: string | undefined;
    let several = false;
    direct = 0;
    let mapped = 0;
    for (let i = 0; i < keys.length; i++) {
      const stored = index.get(keys[i] as string);
      const id = current(stored);
      if (id === undefined) continue;
      if (stored === id) mapped |= 1 << i;
      if (only === undefined) only = id;
      else if (id !== only) several = true;
    }
    if (!several) direct = mapped;
    if (only === undefined) return undefined;
    if (!several) {
      const profile = profiles.get(only) as Profile;
      const ownUser = event.contact.userId;
      return !profile.userId || !ownUser || profile.userId === ownUser
        ? { profile, absorbed: NONE }
        : undefined;
    }
    const ids: string[] = [];
    for (const key of keys) {
      const id = current(index.get(key));
      if (id !== undefined && !ids.includes(id)) ids.push(id);
    }
    const joined = joinProfiles(
      ids.map((id) => profiles.get(id) as Profile),
      (p) => p,
      event.contact.userId,
    );
    if (joined === null) return undefined;
    for (const gone of joined.absorbed) {
      profiles.delete(gone);
      moved.set(gone, joined.profile.id);
    }
    return { profile: joined.profile, absorbed: joined.absorbed };
  }

  return {
    apply(event) {
      // an alias also names its previous id, which only the index path writes
      if (event.type !== "identity_merged" && isRecent(event.contact)) {
        const known = profiles.get(recent.id);
        const ownUser = event.contact.userId;
        if (known && (!known.userId || !ownUser || known.userId === ownUser)) {
          remember(event, known.id);
          const profile = reduceProfile(known, event);
          if (profile !== known) profiles.set(profile.id, profile);
          return { profile, absorbed: NONE, changed: profile !== known };
        }
      }
      const keys = eventIdentityKeys(event);
      const found = target(event, keys);
      const before = found?.profile ?? emptyProfile(profileIdFor(keys), event.at);
      const profile = reduceProfile(before, event);
      if (profile === before && found && found.absorbed.length === 0) {
        // nothing is written: the details are remembered only when the index already maps every
        // key of the event to this profile (a duplicate delivery can name a new one)
        if (direct === (1 << keys.length) - 1) remember(event, profile.id);
        return { profile, absorbed: NONE, changed: false };
      }
      remember(event, profile.id);
      profiles.set(profile.id, profile);
      const skip = found && profile.id === found.profile.id && found.absorbed.length === 0 ? direct : 0;
      for (let i = 0; i < keys.length; i++) {
        if ((skip & (1 << i)) === 0) index.set(keys[i] as string, profile.id);
      }
      if (found?.absorbed.length) for (const key of profileIdentityKeys(profile)) index.set(key, profile.id);
      return { profile, absorbed: found ? found.absorbed : NONE, changed: true };
    },
    get: (id) => profiles.get(id),
    resolve: (key) => current(index.get(key)),
    set(profile) {
      profiles.set(profile.id, profile);
    },
    profiles: () => profiles.values(),
    get size() {
      return profiles.size;
    },
  };
}
