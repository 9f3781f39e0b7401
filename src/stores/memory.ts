/**
 * @module cartback/stores/memory — a `Store` in process memory, for tests and `cartback simulate`.
 * Same semantics as the SQL stores (it passes the same conformance suite); nothing survives the
 * process. Documents are copied through JSON on the way in and out, as a database would.
 *
 * @example
 * import { memoryStore } from "cartback/stores/memory";
 * const store = memoryStore();
 */
import type { Profile } from "../core/profile.js";
import { createKeyedLock } from "../runtime/keyed-lock.js";
import type {
  ClaimedOutboxEntry,
  DueClaim,
  ForgetResult,
  OutboxEntry,
  ProfileWrite,
  SaveOutcome,
  Store,
  StoredProfile,
} from "../runtime/store.js";
import { StoreConflictError, StoreUsageError } from "../runtime/store-errors.js";
import { checkClaim, checkProfileWrite, checkPrune, normalizeProfileIds } from "./checks.js";
import { canMove, countOutbox, toOutboxInserts } from "./outbox.js";

export const NAME = "memory";

interface ProfileRow {
  doc: string;
  version: number;
  wakeAt: number | null;
  /** when the scheduler may claim it: the wake-up time, or the end of a lease */
  claimableAt: number | null;
  leaseOwner: string | null;
}

interface OutboxRow extends OutboxEntry {
  /** when a dispatcher may claim it: due time, or the end of a lease */
  availableAt: number | null;
  /** insertion order: commands due together leave in the order they were planned */
  seq: number;
}

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** creates an empty in-memory store */
export function memoryStore(): Store {
  const profiles = new Map<string, ProfileRow>();
  const keyOwner = new Map<string, string>();
  const keysOf = new Map<string, Set<string>>();
  const outbox = new Map<string, OutboxRow>();
  const lock = createKeyedLock();
  let closed = false;
  let nextSeq = 0;

  const ensureOpen = () => {
    if (closed) throw new StoreUsageError("the memory store is closed");
  };

  const loadRow = (id: string): StoredProfile | null => {
    const row = profiles.get(id);
    if (!row) return null;
    return {
      profile: JSON.parse(row.doc) as Profile,
      wakeAt: row.wakeAt,
      keys: [...(keysOf.get(id) ?? [])].sort(),
      version: row.version,
    };
  };

  const setKey = (key: string, owner: string) => {
    const previous = keyOwner.get(key);
    if (previous !== undefined) keysOf.get(previous)?.delete(key);
    keyOwner.set(key, owner);
    let set = keysOf.get(owner);
    if (!set) {
      set = new Set();
      keysOf.set(owner, set);
    }
    set.add(key);
  };

  const apply = (write: ProfileWrite, locked: string[]): SaveOutcome => {
    checkProfileWrite(write, locked);
    const id = write.profile.id;
    const absorbed = write.absorbed ?? [];
    // keys of any locked profile may move: the caller holds them all
    const movable = new Set(locked);
    // check everything first: a conflict must leave no trace
    for (const key of write.keys ?? []) {
      const owner = keyOwner.get(key);
      if (owner !== undefined && !movable.has(owner)) {
        throw new StoreConflictError(`identity key ${key} belongs to profile ${owner}`, {
          key,
          ownerId: owner,
        });
      }
    }
    const inserts = toOutboxInserts(write.commands, id, write.now);
    const doc = JSON.stringify(write.profile);

    for (const gone of absorbed) {
      profiles.delete(gone);
      for (const key of [...(keysOf.get(gone) ?? [])]) setKey(key, id);
      keysOf.delete(gone);
      for (const row of outbox.values()) if (row.profileId === gone) row.profileId = id;
    }
    if (write.keys) {
      const wanted = new Set(write.keys);
      for (const key of [...(keysOf.get(id) ?? [])]) {
        if (!wanted.has(key)) {
          keyOwner.delete(key);
          keysOf.get(id)?.delete(key);
        }
      }
      for (const key of wanted) setKey(key, id);
    }
    const version = (profiles.get(id)?.version ?? 0) + 1;
    profiles.set(id, {
      doc,
      version,
      wakeAt: write.wakeAt,
      claimableAt: write.wakeAt,
      leaseOwner: null,
    });
    const enqueued: string[] = [];
    for (const insert of inserts) {
      if (outbox.has(insert.key)) continue;
      outbox.set(insert.key, {
        seq: ++nextSeq,
        key: insert.key,
        profileId: insert.profileId,
        destination: insert.destination,
        command: copy(insert.command),
        state: "pending",
        createdAt: insert.createdAt,
        dueAt: insert.dueAt,
        availableAt: insert.dueAt,
        attempts: 0,
        lastError: null,
        sendingSince: null,
        leaseOwner: null,
        providerId: null,
        sentAt: null,
        deadReason: null,
        deadAt: null,
      });
      enqueued.push(insert.key);
    }
    return { enqueued, version };
  };

  const resolveKeys = (keys: readonly string[]): string[] => {
    const ids: string[] = [];
    for (const key of keys) {
      const owner = keyOwner.get(key);
      if (owner !== undefined && !ids.includes(owner)) ids.push(owner);
    }
    return ids;
  };

  const publicEntry = (row: OutboxRow): OutboxEntry => {
    const { availableAt: _availableAt, seq: _seq, ...entry } = row;
    return copy(entry);
  };

  const byDue = (a: OutboxRow, b: OutboxRow) => a.dueAt - b.dueAt || a.seq - b.seq;

  return {
    name: NAME,

    async resolve(keys) {
      ensureOpen();
      return resolveKeys(keys);
    },

    async transact(profileIds, fn) {
      ensureOpen();
      const locked = normalizeProfileIds(profileIds);
      return lock.run(locked, async () => {
        let pending: ProfileWrite | null = null;
        const value = await fn({
          async load(id) {
            if (!locked.includes(id)) throw new StoreUsageError(`load: profile ${id} is not locked`);
            return loadRow(id);
          },
          async resolve(keys) {
            return resolveKeys(keys);
          },
          save(write) {
            if (pending) throw new StoreUsageError("save: a transaction saves at most once");
            checkProfileWrite(write, locked);
            pending = copy(write);
          },
        });
        const saved = pending ? apply(pending, locked) : null;
        return { value, saved };
      });
    },

    async load(profileId) {
      ensureOpen();
      return loadRow(profileId);
    },

    async claimDue(now, limit, lease) {
      ensureOpen();
      checkClaim(now, limit, lease);
      const due: [string, ProfileRow][] = [];
      for (const entry of profiles) {
        const at = entry[1].claimableAt;
        if (at !== null && at <= now) due.push(entry);
      }
      due.sort((a, b) => a[1].claimableAt! - b[1].claimableAt! || (a[0] < b[0] ? -1 : 1));
      const claims: DueClaim[] = [];
      for (const [profileId, row] of due.slice(0, limit)) {
        row.claimableAt = now + lease.leaseMs;
        row.leaseOwner = lease.worker;
        claims.push({ profileId, wakeAt: row.wakeAt! });
      }
      return claims;
    },

    async claimOutbox(now, limit, lease) {
      ensureOpen();
      checkClaim(now, limit, lease);
      const due = [...outbox.values()]
        .filter((row) => row.availableAt !== null && row.availableAt <= now && canMove("claim", row.state))
        .sort((a, b) => a.availableAt! - b.availableAt! || byDue(a, b))
        .slice(0, limit);
      const claimed: ClaimedOutboxEntry[] = [];
      for (const row of due) {
        const outcomeUnknown = row.sendingSince !== null;
        row.state = "sending";
        row.attempts += 1;
        row.sendingSince ??= now;
        row.leaseOwner = lease.worker;
        row.availableAt = now + lease.leaseMs;
        claimed.push({ ...publicEntry(row), outcomeUnknown });
      }
      return claimed;
    },

    async markSent(key, receipt) {
      ensureOpen();
      const row = outbox.get(key);
      if (!row || !canMove("markSent", row.state)) return false;
      row.state = "sent";
      row.sentAt = receipt.at;
      row.providerId = receipt.providerId ?? null;
      row.availableAt = null;
      row.leaseOwner = null;
      row.sendingSince = null;
      return true;
    },

    async markRetry(key, plan) {
      ensureOpen();
      const row = outbox.get(key);
      if (!row || !canMove("markRetry", row.state)) return false;
      row.state = "pending";
      row.lastError = plan.error;
      row.dueAt = plan.nextAttemptAt;
      row.availableAt = plan.nextAttemptAt;
      row.leaseOwner = null;
      if (!plan.outcomeUnknown) row.sendingSince = null;
      return true;
    },

    async deadLetter(key, dead) {
      ensureOpen();
      const row = outbox.get(key);
      if (!row || !canMove("deadLetter", row.state)) return false;
      row.state = dead.dropped ? "dropped" : "dead";
      row.deadReason = dead.reason;
      row.lastError = row.lastError ?? dead.reason;
      row.deadAt = dead.at;
      row.availableAt = null;
      row.leaseOwner = null;
      row.sendingSince = null;
      return true;
    },

    async retryDeadLetter(key, now) {
      ensureOpen();
      const row = outbox.get(key);
      if (!row || !canMove("retryDeadLetter", row.state)) return false;
      row.state = "pending";
      row.attempts = 0;
      row.deadReason = null;
      row.deadAt = null;
      row.dueAt = now;
      row.availableAt = now;
      return true;
    },

    async dropDeadLetter(key) {
      ensureOpen();
      const row = outbox.get(key);
      if (!row || !canMove("dropDeadLetter", row.state)) return false;
      row.state = "dropped";
      return true;
    },

    async getOutbox(key) {
      ensureOpen();
      const row = outbox.get(key);
      return row ? publicEntry(row) : null;
    },

    async listProfiles(page = {}) {
      ensureOpen();
      const after = page.after ?? null;
      return [...profiles.keys()]
        .filter((id) => after === null || id > after)
        .sort()
        .slice(0, page.limit ?? 500)
        .map((id) => JSON.parse((profiles.get(id) as ProfileRow).doc) as Profile);
    },

    async listOutbox(filter = {}) {
      ensureOpen();
      const keys = filter.keys ? new Set(filter.keys) : null;
      return [...outbox.values()]
        .filter((row) => keys === null || keys.has(row.key))
        .filter((row) => filter.profileId === undefined || row.profileId === filter.profileId)
        .filter((row) => filter.state === undefined || row.state === filter.state)
        .sort(byDue)
        .slice(0, filter.limit ?? keys?.size ?? 100)
        .map(publicEntry);
    },

    async forget(profileId, options) {
      ensureOpen();
      return lock.run([profileId], async () => {
        const inserts = toOutboxInserts(options.commands, profileId, options.now);
        const row = profiles.get(profileId);
        const result: ForgetResult = {
          profile: row ? (JSON.parse(row.doc) as Profile) : null,
          keys: [...(keysOf.get(profileId) ?? [])].sort(),
          outbox: [],
        };
        profiles.delete(profileId);
        for (const key of result.keys) keyOwner.delete(key);
        keysOf.delete(profileId);
        const removed = [...outbox.values()].filter((entry) => entry.profileId === profileId).sort(byDue);
        for (const entry of removed) outbox.delete(entry.key);
        result.outbox = removed.map(publicEntry);
        for (const insert of inserts) {
          if (outbox.has(insert.key)) continue;
          outbox.set(insert.key, {
            ...insert,
            seq: ++nextSeq,
            command: copy(insert.command),
            state: "pending",
            availableAt: insert.dueAt,
            attempts: 0,
            lastError: null,
            sendingSince: null,
            leaseOwner: null,
            providerId: null,
            sentAt: null,
            deadReason: null,
            deadAt: null,
          });
        }
        return result;
      });
    },

    async stats(now) {
      ensureOpen();
      let dueProfiles = 0;
      let scheduledProfiles = 0;
      for (const row of profiles.values()) {
        if (row.wakeAt !== null) scheduledProfiles += 1;
        if (row.claimableAt !== null && row.claimableAt <= now) dueProfiles += 1;
      }
      const counts = countOutbox([...outbox.values()].map((row) => ({ ...row, n: 1 })));
      return { profiles: profiles.size, dueProfiles, scheduledProfiles, ...counts };
    },

    async pruneOutbox(before, limit = 10_000) {
      ensureOpen();
      checkPrune(before, limit);
      const settledAt = (row: OutboxRow) =>
        row.state === "sent" ? row.sentAt : row.state === "dropped" ? row.deadAt : null;
      const old = [...outbox.values()]
        .filter((row) => {
          const at = settledAt(row);
          return at !== null && at < before;
        })
        .sort((a, b) => settledAt(a)! - settledAt(b)! || (a.key < b.key ? -1 : 1))
        .slice(0, limit);
      for (const row of old) outbox.delete(row.key);
      return old.length;
    },

    async close() {
      closed = true;
      await lock.drain();
    },
  };
}

export default memoryStore;
