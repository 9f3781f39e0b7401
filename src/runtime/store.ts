/**
 * @module cartback/runtime/store — the plug point for durable state. A `Store` holds one JSON profile
 * per shopper, the identity index that finds it, the due index the scheduler claims from, and the
 * transactional outbox the dispatcher delivers. `memoryStore`, `sqliteStore` and `postgresStore`
 * implement it and all pass one conformance suite.
 *
 * Time is always an argument (`now`, epoch ms): stores never read the clock, so tests and the
 * engine's controllable clock decide what is due.
 *
 * @example
 * const keys = ["anon:a1", "email:ann@example.com"];
 * await transactByKeys(store, keys, { newId: () => `p:${keys[0]}` }, async (tx, [id]) => {
 *   const current = await tx.load(id);
 *   const profile = reduceProfile(current?.profile ?? emptyProfile(id, now), event);
 *   tx.save({ profile, wakeAt: now + 15 * 60_000, keys, commands, now });
 * });
 * const due = await store.claimDue(now, 100, { worker: "host:42", leaseMs: 60_000 });
 */
import type { Command } from "../core/commands.js";
import type { Profile } from "../core/profile.js";
import { isStoreConflictError, StoreConflictError } from "./store-errors.js";

export {
  isStoreConflictError,
  isStoreUsageError,
  StoreConflictError,
  StoreUsageError,
} from "./store-errors.js";

/** a profile as stored, with the store's bookkeeping */
export interface StoredProfile {
  profile: Profile;
  /** when the scheduler should plan this profile again; null when nothing is scheduled */
  wakeAt: number | null;
  /** identity keys that point at this profile (`user:U`, `anon:A`, `email:e`, `phone:+E164`) */
  keys: string[];
  /** bumped by every save; 1 after the first */
  version: number;
}

/** a command to put in the outbox, due at `dueAt` (default: the save's `now`) */
export interface ScheduledCommand {
  command: Command;
  dueAt: number;
}

/** everything one shopper transaction writes, atomically */
export interface ProfileWrite {
  /** the new state; `profile.id` must be one of the ids the transaction locked */
  profile: Profile;
  /** next wake-up (epoch ms) or null; saving always releases the scheduler's lease */
  wakeAt: number | null;
  /**
   * the complete set of identity keys for this profile (keys it had and are missing are removed);
   * omit to leave them as they are. A key owned by another locked profile moves here (e.g. a shared
   * device's anonymous id going to the user now using it); one owned by a profile outside the
   * transaction is a conflict.
   */
  keys?: readonly string[];
  /** commands for the outbox; a command whose `key` is already in the outbox is ignored */
  commands?: ReadonlyArray<Command | ScheduledCommand>;
  /**
   * profiles merged into `profile`: deleted in the same step, their keys and outbox entries moved
   * to `profile.id`. They must be among the locked ids.
   */
  absorbed?: readonly string[];
  /** the transaction's time: `createdAt` and the default due time of the commands */
  now: number;
}

export interface StoreTransaction {
  /** the committed state of a locked profile, or null when it does not exist */
  load(profileId: string): Promise<StoredProfile | null>;
  /** `Store.resolve` on the transaction's own connection */
  resolve(keys: readonly string[]): Promise<string[]>;
  /** record the write; it is applied when the transaction's function returns (at most one save) */
  save(write: ProfileWrite): void;
}

export interface SaveOutcome {
  /** idempotency keys that entered the outbox (the others were already there) */
  enqueued: string[];
  /** the profile's version after the save */
  version: number;
}

export interface LeaseOptions {
  /** who holds the lease, e.g. `hostname:pid` */
  worker: string;
  /** how long the claim is exclusive; a crashed worker's claims return after it */
  leaseMs: number;
}

export interface DueClaim {
  profileId: string;
  /** the wake-up time that was due (`now - wakeAt` is the lateness) */
  wakeAt: number;
}

export type OutboxState = "pending" | "sending" | "sent" | "dead" | "dropped";

export const OUTBOX_STATES: readonly OutboxState[] = ["pending", "sending", "sent", "dead", "dropped"];

export interface OutboxEntry {
  /** the command's idempotency key */
  key: string;
  profileId: string;
  /** `mailerlite`, `twilio`, …: the prefix of the command type */
  destination: string;
  command: Command;
  state: OutboxState;
  createdAt: number;
  /** when it should be (re)tried */
  dueAt: number;
  /** delivery attempts started (each claim counts one) */
  attempts: number;
  lastError: string | null;
  /**
   * when the earliest attempt whose outcome is still unknown was handed to a dispatcher: set by a
   * claim, kept while attempts end without an answer (a lease that ran out, a retry marked
   * `outcomeUnknown`), cleared once an attempt has a known outcome. On a claimed entry that had it
   * already, an earlier attempt may have been delivered: check with the provider first.
   */
  sendingSince: number | null;
  leaseOwner: string | null;
  providerId: string | null;
  sentAt: number | null;
  deadReason: string | null;
  deadAt: number | null;
}

export interface ClaimedOutboxEntry extends OutboxEntry {
  /**
   * true when an earlier attempt ended without an outcome: the worker crashed or its lease ran out,
   * or it was retried with `outcomeUnknown` (a timeout, a connection lost after the request went out)
   */
  outcomeUnknown: boolean;
}

export interface SentReceipt {
  at: number;
  providerId?: string | null;
}

export interface RetryPlan {
  error: string;
  nextAttemptAt: number;
  /**
   * the attempt may have been delivered (no answer came back): keep `sendingSince`, so the next claim
   * is flagged `outcomeUnknown` and the provider is asked before anything is sent again
   */
  outcomeUnknown?: boolean;
}

export interface DeadLetter {
  reason: string;
  at: number;
  /**
   * drop it at once (state `dropped`) in the same write, for entries nobody should retry: a dead
   * letter dropped in a second call would stay dead if the process died in between
   */
  dropped?: boolean;
}

export interface OutboxFilter {
  profileId?: string;
  state?: OutboxState;
  /** only these keys (unknown ones are left out); the limit then defaults to their number */
  keys?: readonly string[];
  /** default 100 */
  limit?: number;
}

/** a page of `Store.listProfiles` */
export interface ProfilePage {
  /** the profiles come after this id (exclusive); omit for the first page */
  after?: string | null;
  /** default 500 */
  limit?: number;
}

export interface ForgetOptions {
  /** commands to enqueue in the same step (e.g. `mailerlite.forget`); they keep the erased id */
  commands?: ReadonlyArray<Command | ScheduledCommand>;
  now: number;
}

export interface ForgetResult {
  /** the erased profile, so the caller knows the email/phone to forget elsewhere; null if unknown */
  profile: Profile | null;
  keys: string[];
  /** outbox entries removed (every state: their commands hold contact details) */
  outbox: OutboxEntry[];
}

export interface StoreStats {
  profiles: number;
  /** profiles whose wake-up time has come and which no worker holds */
  dueProfiles: number;
  /** profiles with a wake-up time, due or not */
  scheduledProfiles: number;
  outbox: Record<OutboxState, number>;
  /** the same counts per destination (`mailerlite`, `twilio`, …), for labelled metrics */
  outboxByDestination: Record<string, Record<OutboxState, number>>;
}

/**
 * Durable state for the runtime. All methods are async so PostgreSQL fits; all times are arguments.
 *
 * Concurrency contract: `transact` serialises transactions per profile id (two transactions that
 * share an id never overlap), so events for one shopper apply in order while different shoppers
 * proceed in parallel. Identity is optimistic: `resolve` reads without locking, and a save that would
 * take a key owned by a profile outside the transaction fails with a `StoreConflictError` naming the
 * owner, so the caller resolves again and retries with that id included.
 */
export interface Store {
  /** `memory`, `sqlite`, `postgres` */
  readonly name: string;
  /** the distinct profile ids that own any of `keys`, in the order of the keys */
  resolve(keys: readonly string[]): Promise<string[]>;
  /**
   * Runs `fn` with `profileIds` locked (missing profiles may be created), then applies its save
   * atomically: profile, wake-up, identity keys, absorbed profiles and outbox commands together, or
   * nothing when `fn` throws.
   */
  transact<T>(
    profileIds: string | readonly string[],
    fn: (tx: StoreTransaction) => T | Promise<T>,
  ): Promise<{ value: T; saved: SaveOutcome | null }>;
  /** a profile as committed, without locking (for reports and the CLI) */
  load(profileId: string): Promise<StoredProfile | null>;
  /**
   * committed profiles in id order, a page at a time (pass the last id as `after` for the next), so a
   * report reads every shopper without holding them all
   */
  listProfiles(page?: ProfilePage): Promise<Profile[]>;
  /**
   * Leases up to `limit` profiles whose wake-up time is at or before `now` and that no live lease
   * holds, earliest first. Safe with many workers on one database: a profile goes to one of them.
   */
  claimDue(now: number, limit: number, lease: LeaseOptions): Promise<DueClaim[]>;
  /**
   * Leases up to `limit` outbox entries that are due and free (pending, or sending with an expired
   * lease), earliest due first; they become `sending` and their attempt count goes up. An entry that
   * has `sendingSince` already comes back flagged `outcomeUnknown`.
   */
  claimOutbox(now: number, limit: number, lease: LeaseOptions): Promise<ClaimedOutboxEntry[]>;
  /** records delivery; false when the key is unknown or already sent */
  markSent(key: string, receipt: SentReceipt): Promise<boolean>;
  /**
   * back to pending for another attempt at `nextAttemptAt`; false unless the entry was sending. Clears
   * `sendingSince` unless `plan.outcomeUnknown`.
   */
  markRetry(key: string, plan: RetryPlan): Promise<boolean>;
  /** moves an unsent entry to the dead-letter queue (or straight past it: `dead.dropped`) */
  deadLetter(key: string, dead: DeadLetter): Promise<boolean>;
  /** a dead letter back to pending (attempts reset), due at `now` */
  retryDeadLetter(key: string, now: number): Promise<boolean>;
  /** a dead letter is dropped for good; its key stays so a replay cannot send it again */
  dropDeadLetter(key: string): Promise<boolean>;
  getOutbox(key: string): Promise<OutboxEntry | null>;
  /** entries, oldest due first */
  listOutbox(filter?: OutboxFilter): Promise<OutboxEntry[]>;
  /** erasure: the profile, its identity keys and its outbox entries, in one step */
  forget(profileId: string, options: ForgetOptions): Promise<ForgetResult>;
  stats(now: number): Promise<StoreStats>;
  /**
   * housekeeping: deletes up to `limit` (default 10,000) entries settled before `before` — sent ones
   * by `sentAt`, dropped ones by `deadAt` — and returns how many. A pruned key no longer blocks a
   * replay, so keep entries longer than events can be replayed (30 days is a safe default).
   */
  pruneOutbox(before: number, limit?: number): Promise<number>;
  /** waits for in-flight transactions, then releases the database */
  close(): Promise<void>;
}

export interface IdentityTransactionOptions {
  /** an id for a shopper none of the keys knows yet (a deterministic one, e.g. from the first key, avoids races) */
  newId: () => string;
  /** tries before giving up on a key that keeps moving (default 5) */
  maxAttempts?: number;
}

/**
 * The engine's identity transaction. Finds the profiles that own `keys`, locks them together with the
 * id a new shopper would get (an event whose owners are another user's, on a shared device, lands on
 * a new profile), and runs `fn` with the owners' ids as found under the lock — or the new id when
 * there are none: one id for a known or new shopper, several when the keys join profiles that must
 * merge. When a concurrent transaction takes or moves one of the keys in between, it resolves again
 * and retries, so the caller never sees a `StoreConflictError` for an ordinary race.
 *
 * @example
 * await transactByKeys(store, ["anon:a1", "email:ann@example.com"], { newId }, async (tx, ids) => {
 *   const profiles = await Promise.all(ids.map((id) => tx.load(id)));
 *   tx.save({ profile, wakeAt, keys, absorbed: ids.slice(1), now });
 * });
 */
export async function transactByKeys<T>(
  store: Store,
  keys: readonly string[],
  options: IdentityTransactionOptions,
  fn: (tx: StoreTransaction, profileIds: string[]) => T | Promise<T>,
): Promise<{ value: T; saved: SaveOutcome | null; profileIds: string[] }> {
  const maxAttempts = options.maxAttempts ?? 5;
  let lastConflict: unknown;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const owners = await store.resolve(keys);
    const newId = options.newId();
    const locked = owners.includes(newId) ? owners : [...owners, newId];
    let profileIds: string[] = [];
    try {
      const result = await store.transact(locked, async (tx) => {
        // under the lock: a key that moved since `resolve` means the wrong profiles are locked
        const current = await tx.resolve(keys);
        const outside = current.find((id) => !locked.includes(id));
        if (outside !== undefined) {
          throw new StoreConflictError(`an identity key moved to profile ${outside} while resolving`, {
            ownerId: outside,
          });
        }
        profileIds = current.length > 0 ? current : [newId];
        return fn(tx, profileIds);
      });
      return { ...result, profileIds };
    } catch (error) {
      if (!isStoreConflictError(error)) throw error;
      lastConflict = error;
    }
  }
  throw new StoreConflictError(
    `identity keys ${JSON.stringify(keys)} kept moving: gave up after ${maxAttempts} attempts (last: ${String(lastConflict)})`,
  );
}
