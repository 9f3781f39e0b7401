/**
 * @module cartback/stores/sqlite — the embedded default: one SQLite file (better-sqlite3 12, WAL).
 * The file and its schema are created on first use; migrations run then. One process owns the file:
 * transactions are serialised per profile in process, and the saves of concurrent transactions are
 * committed together in one SQLite transaction (group commit), which is where its throughput comes
 * from. A second process on the same file is detected (optimistic versions), not coordinated.
 *
 * `better-sqlite3` is an optional peer dependency: `npm install better-sqlite3@12`.
 *
 * @example
 * import { sqliteStore } from "cartback/stores/sqlite";
 * const store = sqliteStore({ path: "./cartback.db" });
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import type { Profile } from "../core/profile.js";
import { createKeyedLock } from "../runtime/keyed-lock.js";
import type {
  ClaimedOutboxEntry,
  DueClaim,
  ForgetResult,
  OutboxEntry,
  OutboxState,
  ProfileWrite,
  SaveOutcome,
  Store,
  StoredProfile,
} from "../runtime/store.js";
import { StoreConflictError, StoreUsageError } from "../runtime/store-errors.js";
import { checkClaim, checkProfileWrite, checkPrune, normalizeProfileIds } from "./checks.js";
import { countOutbox, type OutboxInsert, sqlStatesFrom, toOutboxInserts } from "./outbox.js";

export const NAME = "sqlite";

export interface SqliteStoreOptions {
  /** the database file, created with its directory on first use; `:memory:` for a throwaway store */
  path: string;
  /**
   * `normal` (default): a committed save survives a crash of the process, and a power loss or an OS
   * crash can undo the last ones (never corrupt the file); `full`: it survives those too, at the cost
   * of an fsync of the WAL per commit (one per group commit, not per save)
   */
  synchronous?: "normal" | "full";
  /** how long to wait for another connection's write lock, in ms (default 5000) */
  busyTimeoutMs?: number;
}

/** the schema, one step per version; never edit a released step, add one */
export const SQLITE_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "profiles, identity keys, outbox",
    sql: `
      CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        doc TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- the due index, apart from the documents: a claim rewrites a few narrow rows, not 2 KB ones
      CREATE TABLE schedule (
        profile_id TEXT PRIMARY KEY,
        wake_at INTEGER NOT NULL,
        -- when the scheduler may claim it: wake_at, or the end of a lease
        due_at INTEGER NOT NULL,
        lease_owner TEXT
      ) WITHOUT ROWID;
      CREATE INDEX schedule_due ON schedule (due_at, profile_id);
      CREATE TABLE identity_keys (
        key TEXT PRIMARY KEY,
        profile_id TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX identity_keys_profile ON identity_keys (profile_id);
      CREATE TABLE outbox (
        key TEXT PRIMARY KEY,
        profile_id TEXT NOT NULL,
        destination TEXT NOT NULL,
        command TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        due_at INTEGER NOT NULL,
        -- when a dispatcher may claim it: due_at, or the end of a lease; null once settled
        available_at INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sending_since INTEGER,
        lease_owner TEXT,
        provider_id TEXT,
        sent_at INTEGER,
        dead_reason TEXT,
        dead_at INTEGER
      );
      -- ties go to rowid, the insertion order: commands due together leave in the order planned
      CREATE INDEX outbox_available ON outbox (available_at, due_at) WHERE available_at IS NOT NULL;
      CREATE INDEX outbox_profile ON outbox (profile_id);
      CREATE INDEX outbox_state ON outbox (state, due_at);
    `,
  },
];

type Db = BetterSqlite3.Database;

interface OutboxRowSql {
  key: string;
  profile_id: string;
  destination: string;
  command: string;
  state: OutboxState;
  created_at: number;
  due_at: number;
  attempts: number;
  last_error: string | null;
  sending_since: number | null;
  lease_owner: string | null;
  provider_id: string | null;
  sent_at: number | null;
  dead_reason: string | null;
  dead_at: number | null;
}

const toEntry = (row: OutboxRowSql): OutboxEntry => ({
  key: row.key,
  profileId: row.profile_id,
  destination: row.destination,
  command: JSON.parse(row.command),
  state: row.state,
  createdAt: row.created_at,
  dueAt: row.due_at,
  attempts: row.attempts,
  lastError: row.last_error,
  sendingSince: row.sending_since,
  leaseOwner: row.lease_owner,
  providerId: row.provider_id,
  sentAt: row.sent_at,
  deadReason: row.dead_reason,
  deadAt: row.dead_at,
});

async function openDatabase(options: SqliteStoreOptions): Promise<Db> {
  let Database: typeof BetterSqlite3;
  try {
    Database = (await import("better-sqlite3")).default;
  } catch (error) {
    throw new Error(
      "sqliteStore needs the optional dependency better-sqlite3: run `npm install better-sqlite3@12`",
      { cause: error },
    );
  }
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous === "full" ? "FULL" : "NORMAL"}`);
  migrateSqlite(db);
  return db;
}

/** brings the schema up to date; safe to run again, and on a database another version created */
export function migrateSqlite(db: Db): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied: number[] = [];
  const run = db.transaction(() => {
    const row = db.prepare("SELECT max(version) AS v FROM schema_migrations").get() as { v: number | null };
    const current = row.v ?? 0;
    const latest = SQLITE_MIGRATIONS.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new Error(
        `the database schema is at version ${current}, newer than this cartback knows (${latest}): upgrade cartback`,
      );
    }
    for (const step of SQLITE_MIGRATIONS) {
      if (step.version <= current) continue;
      db.exec(step.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        step.version,
        step.name,
        Date.now(),
      );
      applied.push(step.version);
    }
  });
  // IMMEDIATE takes the write lock first, so two processes starting together migrate once
  run.immediate();
  return applied;
}

/** creates a store on the SQLite file at `path`; nothing is opened until the first call */
export function sqliteStore(options: SqliteStoreOptions): Store {
  if (!options || typeof options.path !== "string" || options.path.length === 0) {
    throw new StoreUsageError("sqliteStore: missing required option `path` (a file path or `:memory:`)");
  }
  if (
    options.synchronous !== undefined &&
    options.synchronous !== "normal" &&
    options.synchronous !== "full"
  ) {
    throw new StoreUsageError(
      `sqliteStore: option \`synchronous\` must be "normal" or "full", got ${JSON.stringify(options.synchronous)}`,
    );
  }
  const lock = createKeyedLock();
  let opening: Promise<Statements> | null = null;
  let closed = false;
  let queue: CommitJob[] = [];
  let flushScheduled = false;
  /**
   * identity lookups since the last commit, by key list. The engine resolves a shopper's keys, locks
   * the profiles they point at and resolves them again under the lock, to see whether one moved in
   * between; when nothing was committed in between, the answer is the same, so the second lookup
   * reuses the first. Every commit here clears it, and so does the next turn of the event loop: a
   * change by another process is caught at the save, like one made just after any read.
   */
  let resolved = new Map<string, string[]>();
  let resolvedExpiry: ReturnType<typeof setImmediate> | null = null;
  const forgetResolved = () => {
    if (resolvedExpiry !== null) clearImmediate(resolvedExpiry);
    resolvedExpiry = null;
    if (resolved.size > 0) resolved = new Map();
  };

  /**
   * Lookups share one read transaction until the next write or the next turn of the event loop: on
   * its own, every statement opens and closes one, which costs as much as the lookup itself. Writes
   * end it first (`writable`), synchronously before their statements, so they never run inside it.
   */
  let readOpen: Statements | null = null;
  let readExpiry: ReturnType<typeof setImmediate> | null = null;
  const endRead = () => {
    if (readExpiry !== null) clearImmediate(readExpiry);
    readExpiry = null;
    const s = readOpen;
    readOpen = null;
    if (s === null || !s.db.open || !s.db.inTransaction) return;
    try {
      s.commitRead.run();
    } catch {
      // a read has nothing to keep: drop it; should even that fail, writes refuse to run (writable)
      try {
        s.rollbackRead.run();
      } catch {}
    }
  };
  const reading = (s: Statements): Statements => {
    if (readOpen === null && !s.db.inTransaction) {
      s.beginRead.run();
      readOpen = s;
      readExpiry = setImmediate(endRead);
    }
    return s;
  };
  /** ends the shared read; call it with no await between it and the write */
  const writable = (s: Statements): Statements => {
    endRead();
    if (s.db.inTransaction) throw new Error("sqlite store: a write would run inside another transaction");
    return s;
  };

  const statements = (): Promise<Statements> => {
    if (closed) return Promise.reject(new StoreUsageError(`the sqlite store at ${options.path} is closed`));
    opening ??= openDatabase(options).then(prepare);
    return opening;
  };

  /**
   * commits every queued save in one SQLite transaction. The saves run back to back; when one of
   * them fails, the whole transaction rolls back and they run again each in its own savepoint, so a
   * failing save (a conflict, rare) does not undo the others and costs no savepoints when none fails.
   */
  const flush = (s: Statements) => {
    flushScheduled = false;
    forgetResolved();
    const jobs = queue;
    queue = [];
    try {
      writable(s);
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    let jobFailed = false;
    let values: SaveOutcome[];
    try {
      // IMMEDIATE: take the write lock up front; a deferred upgrade can fail at once if another
      // connection (a CLI command on the same file) wrote in between
      values = s.db
        .transaction(() =>
          jobs.map((job) => {
            try {
              return job.apply();
            } catch (error) {
              jobFailed = true;
              throw error;
            }
          }),
        )
        .immediate();
    } catch (error) {
      if (jobFailed && jobs.length > 1) flushEach(s, jobs);
      else for (const job of jobs) job.reject(error);
      return;
    }
    for (const [i, job] of jobs.entries()) job.resolve(values[i] as SaveOutcome);
  };

  /** the careful path: each save in its own savepoint, one failure rejects only its own save */
  const flushEach = (s: Statements, jobs: CommitJob[]) => {
    const results: ({ ok: true; value: SaveOutcome } | { ok: false; error: unknown })[] = [];
    try {
      s.db
        .transaction(() => {
          for (const job of jobs) {
            try {
              results.push({ ok: true, value: s.db.transaction(job.apply)() });
            } catch (error) {
              results.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    jobs.forEach((job, i) => {
      const result = results[i]!;
      if (result.ok) job.resolve(result.value);
      else job.reject(result.error);
    });
  };

  const commit = (s: Statements, apply: () => SaveOutcome) =>
    new Promise<SaveOutcome>((resolve, reject) => {
      queue.push({ apply, resolve, reject });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(() => flush(s));
      }
    });

  /** one query for all the keys (each statement outside a transaction opens its own read of the WAL) */
  const resolveKeys = (s: Statements, keys: readonly string[]): string[] => {
    const cacheKey = JSON.stringify(keys);
    const known = resolved.get(cacheKey);
    if (known !== undefined) return [...known];
    const ids: string[] = [];
    for (let i = 0; i < keys.length; i += MAX_KEYS_PER_QUERY) {
      const chunk = keys.slice(i, i + MAX_KEYS_PER_QUERY);
      for (const owner of s.keyOwners(chunk.length).get(...chunk) as (string | null)[]) {
        if (owner !== null && !ids.includes(owner)) ids.push(owner);
      }
    }
    resolved.set(cacheKey, ids);
    resolvedExpiry ??= setImmediate(forgetResolved);
    return [...ids];
  };

  const loadProfile = (s: Statements, id: string): StoredProfile | null => {
    const row = s.loadProfile.get(id) as
      | { doc: string; version: number; wake_at: number | null; keys: string }
      | undefined;
    if (!row) return null;
    const keys = (JSON.parse(row.keys) as string[]).sort();
    return { profile: JSON.parse(row.doc) as Profile, wakeAt: row.wake_at, keys, version: row.version };
  };

  const insertOutbox = (s: Statements, inserts: SerializedInsert[]): string[] => {
    const enqueued: string[] = [];
    for (const insert of inserts) {
      const { key, profileId, destination, command, createdAt, dueAt } = insert;
      if (s.insertOutbox.run(key, profileId, destination, command, createdAt, dueAt, dueAt).changes > 0)
        enqueued.push(key);
    }
    return enqueued;
  };

  /** the body of one save, run inside the group commit */
  const applyWrite = (
    s: Statements,
    write: SerializedWrite,
    expectedVersions: Map<string, number>,
    loadedKeys: Map<string, string[]>,
    locked: readonly string[],
  ): SaveOutcome => {
    const { id, absorbed } = write;

    for (const gone of absorbed) {
      const expected = expectedVersions.get(gone);
      const info = expected === undefined ? s.deleteProfile.run(gone) : s.deleteProfileAt.run(gone, expected);
      if (expected !== undefined && expected > 0 && info.changes === 0) {
        throw new StoreConflictError(`profile ${gone} changed in another process while it was being merged`);
      }
      s.unschedule.run(gone);
      s.moveKeys.run(id, gone);
      s.moveOutbox.run(id, gone);
    }
    const had = loadedKeys.get(id);
    // the version check below catches anyone else changing this profile's keys since the load
    const keysUnchanged =
      write.keys !== null &&
      absorbed.length === 0 &&
      had !== undefined &&
      had.length === write.keys.length &&
      write.keys.every((key) => had.includes(key));
    if (write.keys && !keysUnchanged) {
      const wanted = new Set(write.keys);
      // absorbed profiles' keys were just moved here: read them back
      const current =
        had !== undefined && absorbed.length === 0
          ? had
          : (s.keysOf.all(id) as { key: string }[]).map((k) => k.key);
      for (const key of current) {
        if (wanted.has(key)) wanted.delete(key);
        else s.deleteKey.run(key);
      }
      let lockedIds: string | undefined;
      for (const key of wanted) {
        // new keys are usually free: a plain insert (cheaper in SQLite than one multi-row statement);
        // a taken key is taken over when it is free after all or a locked profile's (this one's
        // included, so a key just inserted stays); anyone else's stays put and is a conflict
        if (s.insertKey.run(key, id).changes > 0) continue;
        lockedIds ??= JSON.stringify(locked);
        if (s.takeKey.run({ key, id, locked: lockedIds }).changes > 0) continue;
        const owner = s.keyOwner.get(key) as string | undefined;
        throw new StoreConflictError(`identity key ${key} belongs to profile ${owner}`, {
          key,
          ...(owner === undefined ? {} : { ownerId: owner }),
        });
      }
    }

    let expected = expectedVersions.get(id);
    if (expected === undefined) {
      expected = (s.versionOf.get(id) as { version: number } | undefined)?.version ?? 0;
    }
    const version = expected + 1;
    const info =
      expected === 0
        ? s.insertProfile.run(id, write.doc, write.now)
        : s.updateProfile.run(write.doc, version, write.now, id, expected);
    if (info.changes === 0) {
      throw new StoreConflictError(`profile ${id} changed in another process (expected version ${expected})`);
    }
    // a new wake-up, or none, and the lease is released either way
    if (write.wakeAt === null) s.unschedule.run(id);
    else s.schedule.run(id, write.wakeAt, write.wakeAt);
    return { enqueued: insertOutbox(s, write.outbox), version };
  };

  const store: Store = {
    name: NAME,

    async resolve(keys) {
      return resolveKeys(reading(await statements()), keys);
    },

    async transact(profileIds, fn) {
      const locked = normalizeProfileIds(profileIds);
      if (closed) throw new StoreUsageError(`the sqlite store at ${options.path} is closed`);
      // take the lock first: close() drains what holds it
      return lock.run(locked, async () => {
        const s = await statements();
        const versions = new Map<string, number>();
        const loadedKeys = new Map<string, string[]>();
        let pending: SerializedWrite | null = null;
        const value = await fn({
          async load(id) {
            if (!locked.includes(id)) throw new StoreUsageError(`load: profile ${id} is not locked`);
            const stored = loadProfile(reading(s), id);
            versions.set(id, stored?.version ?? 0);
            loadedKeys.set(id, stored ? [...stored.keys] : []);
            return stored;
          },
          async resolve(keys) {
            return resolveKeys(reading(s), keys);
          },
          save(write) {
            if (pending) throw new StoreUsageError("save: a transaction saves at most once");
            checkProfileWrite(write, locked);
            // serialise now: later changes to the caller's objects must not leak in
            pending = serializeWrite(write);
          },
        });
        if (!pending) return { value, saved: null };
        const write: SerializedWrite = pending;
        const saved = await commit(s, () => applyWrite(s, write, versions, loadedKeys, locked));
        return { value, saved };
      });
    },

    async load(profileId) {
      return loadProfile(reading(await statements()), profileId);
    },

    async claimDue(now, limit, lease) {
      checkClaim(now, limit, lease);
      const s = writable(await statements());
      return s.db
        .transaction(() => {
          const rows = s.dueProfiles.all(now, limit) as { id: string; wake_at: number }[];
          const claims: DueClaim[] = [];
          for (const row of rows) {
            s.leaseProfile.run(now + lease.leaseMs, lease.worker, row.id);
            claims.push({ profileId: row.id, wakeAt: row.wake_at });
          }
          return claims;
        })
        .immediate();
    },

    async claimOutbox(now, limit, lease) {
      checkClaim(now, limit, lease);
      const s = writable(await statements());
      return s.db
        .transaction(() => {
          const rows = s.dueOutbox.all(now, limit) as OutboxRowSql[];
          const claimed: ClaimedOutboxEntry[] = [];
          for (const row of rows) {
            const outcomeUnknown = row.sending_since !== null;
            const sendingSince = row.sending_since ?? now;
            s.leaseOutbox.run(sendingSince, lease.worker, now + lease.leaseMs, row.key);
            claimed.push({
              ...toEntry(row),
              state: "sending",
              attempts: row.attempts + 1,
              sendingSince,
              leaseOwner: lease.worker,
              outcomeUnknown,
            });
          }
          return claimed;
        })
        .immediate();
    },

    async markSent(key, receipt) {
      const s = writable(await statements());
      return s.markSent.run(receipt.at, receipt.providerId ?? null, key).changes > 0;
    },

    async markRetry(key, plan) {
      const s = writable(await statements());
      const keepSince = plan.outcomeUnknown ? 1 : 0;
      return s.markRetry.run(plan.error, plan.nextAttemptAt, plan.nextAttemptAt, keepSince, key).changes > 0;
    },

    async deadLetter(key, dead) {
      const s = writable(await statements());
      const state = dead.dropped ? "dropped" : "dead";
      return s.deadLetter.run(state, dead.reason, dead.reason, dead.at, key).changes > 0;
    },

    async retryDeadLetter(key, now) {
      const s = writable(await statements());
      return s.retryDead.run(now, now, key).changes > 0;
    },

    async dropDeadLetter(key) {
      const s = writable(await statements());
      return s.dropDead.run(key).changes > 0;
    },

    async getOutbox(key) {
      const s = await statements();
      const row = s.getOutbox.get(key) as OutboxRowSql | undefined;
      return row ? toEntry(row) : null;
    },

    async listProfiles(page = {}) {
      const s = await statements();
      // two statements rather than `? IS NULL OR id > ?`, which keeps SQLite off the primary key
      // index: every page would scan and sort the whole table
      const limit = page.limit ?? 500;
      const docs = (
        page.after == null ? s.firstProfiles.all(limit) : s.profilesAfter.all(page.after, limit)
      ) as string[];
      return docs.map((doc) => JSON.parse(doc) as Profile);
    },

    async listOutbox(filter = {}) {
      const s = await statements();
      if (filter.keys) {
        const rows = s.listOutboxByKeys.all(
          JSON.stringify(filter.keys),
          filter.profileId ?? null,
          filter.profileId ?? null,
          filter.state ?? null,
          filter.state ?? null,
          filter.limit ?? filter.keys.length,
        ) as OutboxRowSql[];
        return rows.map(toEntry);
      }
      const rows = s.listOutbox.all(
        filter.profileId ?? null,
        filter.profileId ?? null,
        filter.state ?? null,
        filter.state ?? null,
        filter.limit ?? 100,
      ) as OutboxRowSql[];
      return rows.map(toEntry);
    },

    async forget(profileId, forgetOptions) {
      if (closed) throw new StoreUsageError(`the sqlite store at ${options.path} is closed`);
      return lock.run([profileId], async () => {
        const s = writable(await statements());
        const inserts = toOutboxInserts(forgetOptions.commands, profileId, forgetOptions.now).map(
          serializeInsert,
        );
        return s.db
          .transaction((): ForgetResult => {
            const stored = loadProfile(s, profileId);
            const outbox = (s.outboxOf.all(profileId) as OutboxRowSql[]).map(toEntry);
            s.deleteProfile.run(profileId);
            s.unschedule.run(profileId);
            s.deleteKeysOf.run(profileId);
            forgetResolved();
            s.deleteOutboxOf.run(profileId);
            insertOutbox(s, inserts);
            return { profile: stored?.profile ?? null, keys: stored?.keys ?? [], outbox };
          })
          .immediate();
      });
    },

    async stats(now) {
      const s = await statements();
      return {
        profiles: (s.countProfiles.get() as { n: number }).n,
        dueProfiles: (s.countDue.get(now) as { n: number }).n,
        scheduledProfiles: (s.countScheduled.get() as { n: number }).n,
        ...countOutbox(s.outboxCounts.all() as { destination: string; state: OutboxState; n: number }[]),
      };
    },

    async pruneOutbox(before, limit = 10_000) {
      checkPrune(before, limit);
      const s = writable(await statements());
      return s.pruneOutbox.run(before, before, limit).changes;
    },

    async close() {
      if (closed) return;
      await lock.drain();
      closed = true;
      forgetResolved();
      endRead();
      if (opening) {
        const s = await opening.catch(() => null);
        s?.db.close();
      }
    },
  };
  return store;
}

type Statements = ReturnType<typeof prepare>;

/** identity keys looked up per query; events carry a handful */
const MAX_KEYS_PER_QUERY = 32;

interface CommitJob {
  apply: () => SaveOutcome;
  resolve: (outcome: SaveOutcome) => void;
  reject: (error: unknown) => void;
}

type SerializedInsert = Omit<OutboxInsert, "command"> & { command: string };

interface SerializedWrite {
  id: string;
  doc: string;
  wakeAt: number | null;
  keys: string[] | null;
  absorbed: string[];
  outbox: SerializedInsert[];
  now: number;
}

const serializeInsert = (insert: OutboxInsert): SerializedInsert => ({
  ...insert,
  command: JSON.stringify(insert.command),
});

function serializeWrite(write: ProfileWrite): SerializedWrite {
  return {
    id: write.profile.id,
    doc: JSON.stringify(write.profile),
    wakeAt: write.wakeAt,
    keys: write.keys ? [...new Set(write.keys)] : null,
    absorbed: [...(write.absorbed ?? [])],
    outbox: toOutboxInserts(write.commands, write.profile.id, write.now).map(serializeInsert),
    now: write.now,
  };
}

/** a statement for `n` values, prepared once per `n` */
function byCount(
  cache: Map<number, BetterSqlite3.Statement>,
  n: number,
  create: () => BetterSqlite3.Statement,
): BetterSqlite3.Statement {
  let statement = cache.get(n);
  if (statement === undefined) {
    statement = create();
    cache.set(n, statement);
  }
  return statement;
}

function prepare(db: Db) {
  const keyOwnersByCount = new Map<number, BetterSqlite3.Statement>();
  const outboxColumns = `key, profile_id, destination, command, state, created_at, due_at, attempts, last_error,
    sending_since, lease_owner, provider_id, sent_at, dead_reason, dead_at`;
  return {
    db,
    loadProfile: db.prepare(
      `SELECT p.doc, p.version, s.wake_at,
         (SELECT json_group_array(k.key) FROM identity_keys k WHERE k.profile_id = p.id) AS keys
       FROM profiles p LEFT JOIN schedule s ON s.profile_id = p.id WHERE p.id = ?`,
    ),
    beginRead: db.prepare("BEGIN DEFERRED"),
    commitRead: db.prepare("COMMIT"),
    rollbackRead: db.prepare("ROLLBACK"),
    versionOf: db.prepare("SELECT version FROM profiles WHERE id = ?"),
    insertProfile: db.prepare(
      "INSERT INTO profiles (id, doc, version, updated_at) VALUES (?, ?, 1, ?) ON CONFLICT (id) DO NOTHING",
    ),
    updateProfile: db.prepare(
      "UPDATE profiles SET doc = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
    ),
    schedule: db.prepare(
      // positional parameters: binding by name costs a property lookup per parameter on every save
      `INSERT INTO schedule (profile_id, wake_at, due_at, lease_owner) VALUES (?, ?, ?, NULL)
       ON CONFLICT (profile_id) DO UPDATE SET wake_at = excluded.wake_at, due_at = excluded.due_at, lease_owner = NULL`,
    ),
    unschedule: db.prepare("DELETE FROM schedule WHERE profile_id = ?"),
    deleteProfile: db.prepare("DELETE FROM profiles WHERE id = ?"),
    deleteProfileAt: db.prepare("DELETE FROM profiles WHERE id = ? AND version = ?"),
    keysOf: db.prepare("SELECT key FROM identity_keys WHERE profile_id = ? ORDER BY key"),
    keyOwner: db.prepare("SELECT profile_id FROM identity_keys WHERE key = ?").pluck(),
    /** the owners of `n` (≤ MAX_KEYS_PER_QUERY) keys as one row, null for a free key; one statement per count */
    keyOwners: (n: number): BetterSqlite3.Statement =>
      byCount(keyOwnersByCount, n, () => {
        const owner = "(SELECT profile_id FROM identity_keys WHERE key = ?)";
        return db.prepare(`SELECT ${Array(n).fill(owner).join(", ")}`).raw();
      }),
    insertKey: db.prepare(
      "INSERT INTO identity_keys (key, profile_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
    ),
    takeKey: db.prepare(
      `INSERT INTO identity_keys (key, profile_id) VALUES (@key, @id)
       ON CONFLICT (key) DO UPDATE SET profile_id = excluded.profile_id
       WHERE identity_keys.profile_id IN (SELECT value FROM json_each(@locked))`,
    ),
    deleteKey: db.prepare("DELETE FROM identity_keys WHERE key = ?"),
    deleteKeysOf: db.prepare("DELETE FROM identity_keys WHERE profile_id = ?"),
    moveKeys: db.prepare("UPDATE identity_keys SET profile_id = ? WHERE profile_id = ?"),
    moveOutbox: db.prepare("UPDATE outbox SET profile_id = ? WHERE profile_id = ?"),
    dueProfiles: db.prepare(
      "SELECT profile_id AS id, wake_at FROM schedule WHERE due_at <= ? ORDER BY due_at, profile_id LIMIT ?",
    ),
    leaseProfile: db.prepare("UPDATE schedule SET due_at = ?, lease_owner = ? WHERE profile_id = ?"),
    insertOutbox: db.prepare(
      `INSERT INTO outbox (key, profile_id, destination, command, state, created_at, due_at, available_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)
       ON CONFLICT (key) DO NOTHING`,
    ),
    dueOutbox: db.prepare(
      `SELECT ${outboxColumns} FROM outbox WHERE available_at <= ? AND state IN (${sqlStatesFrom("claim")})
       ORDER BY available_at, due_at, rowid LIMIT ?`,
    ),
    leaseOutbox: db.prepare(
      `UPDATE outbox SET state = 'sending', attempts = attempts + 1, sending_since = ?, lease_owner = ?,
       available_at = ? WHERE key = ?`,
    ),
    markSent: db.prepare(
      `UPDATE outbox SET state = 'sent', sent_at = ?, provider_id = ?, available_at = NULL, lease_owner = NULL,
       sending_since = NULL WHERE key = ? AND state IN (${sqlStatesFrom("markSent")})`,
    ),
    markRetry: db.prepare(
      `UPDATE outbox SET state = 'pending', last_error = ?, due_at = ?, available_at = ?, lease_owner = NULL,
       sending_since = CASE WHEN ? THEN sending_since END WHERE key = ? AND state IN (${sqlStatesFrom("markRetry")})`,
    ),
    deadLetter: db.prepare(
      `UPDATE outbox SET state = ?, dead_reason = ?, last_error = coalesce(last_error, ?), dead_at = ?,
       available_at = NULL, lease_owner = NULL, sending_since = NULL
       WHERE key = ? AND state IN (${sqlStatesFrom("deadLetter")})`,
    ),
    retryDead: db.prepare(
      `UPDATE outbox SET state = 'pending', attempts = 0, dead_reason = NULL, dead_at = NULL, due_at = ?,
       available_at = ? WHERE key = ? AND state IN (${sqlStatesFrom("retryDeadLetter")})`,
    ),
    dropDead: db.prepare(
      `UPDATE outbox SET state = 'dropped' WHERE key = ? AND state IN (${sqlStatesFrom("dropDeadLetter")})`,
    ),
    getOutbox: db.prepare(`SELECT ${outboxColumns} FROM outbox WHERE key = ?`),
    listOutbox: db.prepare(
      `SELECT ${outboxColumns} FROM outbox WHERE (? IS NULL OR profile_id = ?) AND (? IS NULL OR state = ?)
       ORDER BY due_at, rowid LIMIT ?`,
    ),
    listOutboxByKeys: db.prepare(
      `SELECT ${outboxColumns} FROM outbox WHERE key IN (SELECT value FROM json_each(?))
       AND (? IS NULL OR profile_id = ?) AND (? IS NULL OR state = ?) ORDER BY due_at, rowid LIMIT ?`,
    ),
    firstProfiles: db.prepare("SELECT doc FROM profiles ORDER BY id LIMIT ?").pluck(),
    profilesAfter: db.prepare("SELECT doc FROM profiles WHERE id > ? ORDER BY id LIMIT ?").pluck(),
    outboxOf: db.prepare(`SELECT ${outboxColumns} FROM outbox WHERE profile_id = ? ORDER BY due_at, rowid`),
    deleteOutboxOf: db.prepare("DELETE FROM outbox WHERE profile_id = ?"),
    countProfiles: db.prepare("SELECT count(*) AS n FROM profiles"),
    countDue: db.prepare("SELECT count(*) AS n FROM schedule WHERE due_at <= ?"),
    countScheduled: db.prepare("SELECT count(*) AS n FROM schedule"),
    outboxCounts: db.prepare(
      "SELECT destination, state, count(*) AS n FROM outbox GROUP BY destination, state",
    ),
    pruneOutbox: db.prepare(
      `DELETE FROM outbox WHERE key IN (
         SELECT key FROM outbox
         WHERE (state = 'sent' AND sent_at < ?) OR (state = 'dropped' AND dead_at < ?)
         ORDER BY coalesce(sent_at, dead_at), key LIMIT ?)`,
    ),
  };
}

export default sqliteStore;
