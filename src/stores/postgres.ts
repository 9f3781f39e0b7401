/**
 * @module cartback/stores/postgres — PostgreSQL as the store of record, shared by any number of
 * cartback workers. A shopper transaction holds a transaction-scoped advisory lock on each of its
 * profile ids (so profiles that do not exist yet can be locked too); the scheduler and dispatcher
 * claim rows with `FOR UPDATE SKIP LOCKED`, so two workers never get the same profile or command.
 * Migrations run on first use, under an advisory lock, so workers can start together.
 *
 * `pg` is an optional peer dependency: `npm install pg`.
 *
 * @example
 * import { postgresStore } from "cartback/stores/postgres";
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL });
 */
import type { Pool, PoolClient } from "pg";
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

export const NAME = "postgres";

export interface PostgresStoreOptions {
  /** e.g. `postgres://user@host:5432/db`; the store creates (and closes) its own pool */
  connectionString?: string;
  /** a pool you own instead (the store never ends it) */
  pool?: Pool;
  /** the schema holding cartback's tables, created if missing (default `cartback`) */
  schema?: string;
  /** pool size when the store creates the pool (default 10) */
  max?: number;
  /**
   * errors of idle connections in a pool the store created (a restarted server, a dropped network);
   * without a listener they would crash the process. The next query reports the outage anyway.
   */
  onPoolError?: (error: Error) => void;
  /**
   * prepare the statements every transaction runs once per connection (default true). Set false
   * behind a pooler that cannot carry prepared statements across its server connections, such as
   * PgBouncer in transaction mode before 1.21
   */
  preparedStatements?: boolean;
}

/** the schema, one step per version; `$schema` is replaced by the quoted schema name */
export const POSTGRES_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "profiles, identity keys, outbox",
    sql: `
      CREATE TABLE $schema.profiles (
        id text COLLATE "C" PRIMARY KEY,
        -- JSON as text: jsonb would refuse a \\u0000 in a product name and reorder nothing we query
        doc text NOT NULL,
        version integer NOT NULL,
        updated_at bigint NOT NULL
      );
      -- the due index, apart from the documents: a claim rewrites a few narrow rows, not 2 KB ones
      CREATE TABLE $schema.schedule (
        profile_id text COLLATE "C" PRIMARY KEY,
        wake_at bigint NOT NULL,
        -- when the scheduler may claim it: wake_at, or the end of a lease
        due_at bigint NOT NULL,
        lease_owner text
      );
      CREATE INDEX schedule_due ON $schema.schedule (due_at, profile_id);
      CREATE TABLE $schema.identity_keys (
        key text COLLATE "C" PRIMARY KEY,
        profile_id text COLLATE "C" NOT NULL
      );
      CREATE INDEX identity_keys_profile ON $schema.identity_keys (profile_id);
      CREATE TABLE $schema.outbox (
        key text COLLATE "C" PRIMARY KEY,
        -- insertion order: commands due together are delivered in the order the plan made them
        seq bigint GENERATED ALWAYS AS IDENTITY,
        profile_id text COLLATE "C" NOT NULL,
        destination text NOT NULL,
        command text NOT NULL,
        state text NOT NULL,
        created_at bigint NOT NULL,
        due_at bigint NOT NULL,
        -- when a dispatcher may claim it: due_at, or the end of a lease; null once settled
        available_at bigint,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        sending_since bigint,
        lease_owner text,
        provider_id text,
        sent_at bigint,
        dead_reason text,
        dead_at bigint
      );
      CREATE INDEX outbox_available ON $schema.outbox (available_at, due_at, seq) WHERE available_at IS NOT NULL;
      CREATE INDEX outbox_profile ON $schema.outbox (profile_id);
      CREATE INDEX outbox_state ON $schema.outbox (state, due_at, seq);
    `,
  },
];

interface OutboxRowSql {
  key: string;
  profile_id: string;
  destination: string;
  command: string;
  state: OutboxState;
  created_at: string;
  due_at: string;
  attempts: number;
  last_error: string | null;
  sending_since: string | null;
  lease_owner: string | null;
  provider_id: string | null;
  sent_at: string | null;
  dead_reason: string | null;
  dead_at: string | null;
  seq: string;
}

// bigint columns arrive as strings: epoch ms fit a double exactly
const num = (value: string | number | null): number | null => (value === null ? null : Number(value));

const toEntry = (row: OutboxRowSql): OutboxEntry => ({
  key: row.key,
  profileId: row.profile_id,
  destination: row.destination,
  command: JSON.parse(row.command),
  state: row.state,
  createdAt: Number(row.created_at),
  dueAt: Number(row.due_at),
  attempts: row.attempts,
  lastError: row.last_error,
  sendingSince: num(row.sending_since),
  leaseOwner: row.lease_owner,
  providerId: row.provider_id,
  sentAt: num(row.sent_at),
  deadReason: row.dead_reason,
  deadAt: num(row.dead_at),
});

const OUTBOX_COLUMNS = `key, profile_id, destination, command, state, created_at, due_at, attempts, last_error,
  sending_since, lease_owner, provider_id, sent_at, dead_reason, dead_at, seq`;

/** brings the schema up to date under an advisory lock; returns the versions it applied */
export async function migratePostgres(client: PoolClient, schema: string): Promise<number[]> {
  const q = quoteSchema(schema);
  const applied: number[] = [];
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
      `cartback.migrate:${schema}`,
    ]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${q}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${q}.schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`);
    const { rows } = await client.query<{ v: number | null }>(
      `SELECT max(version) AS v FROM ${q}.schema_migrations`,
    );
    const current = rows[0]?.v ?? 0;
    const latest = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new Error(
        `the database schema ${schema} is at version ${current}, newer than this cartback knows (${latest}): upgrade cartback`,
      );
    }
    for (const step of POSTGRES_MIGRATIONS) {
      if (step.version <= current) continue;
      await client.query(step.sql.replaceAll("$schema", q));
      await client.query(
        `INSERT INTO ${q}.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
        [step.version, step.name, Date.now()],
      );
      applied.push(step.version);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
  return applied;
}

function quoteSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new StoreUsageError(
      `postgresStore: option \`schema\` must be a plain identifier (letters, digits, _), got ${JSON.stringify(schema)}`,
    );
  }
  return `"${schema}"`;
}

/** creates a store on PostgreSQL; nothing connects until the first call */
export function postgresStore(options: PostgresStoreOptions): Store {
  if (!options || (!options.pool && !options.connectionString)) {
    throw new StoreUsageError(
      "postgresStore: missing required option `connectionString` (e.g. process.env.DATABASE_URL) or `pool`",
    );
  }
  const schema = options.schema ?? "cartback";
  const q = quoteSchema(schema);
  /**
   * a named (prepared) statement: each connection parses and plans it once, not on every call. Every
   * shopper transaction runs the same few statements; naming them took the server's CPU for the peer
   * benchmark's ingest from 456 to 271 s (docs/performance.md)
   */
  const prepare = options.preparedStatements !== false;
  const prepared = (name: string, text: string, values: unknown[]) =>
    prepare ? { name: `${schema}.${name}`, text, values } : { text, values };
  const lock = createKeyedLock();
  let closed = false;
  let opening: Promise<Pool> | null = null;

  const open = async (): Promise<Pool> => {
    let pool = options.pool;
    if (!pool) {
      let PgPool: typeof Pool;
      try {
        PgPool = (await import("pg")).default.Pool;
      } catch (error) {
        throw new Error("postgresStore needs the optional dependency pg: run `npm install pg`", {
          cause: error,
        });
      }
      pool = new PgPool({ connectionString: options.connectionString, max: options.max ?? 10 });
      pool.on("error", options.onPoolError ?? (() => undefined));
    }
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client, schema);
      } finally {
        client.release();
      }
    } catch (error) {
      // a pool this store made must not outlive a failed start
      if (!options.pool) await pool.end().catch(() => undefined);
      throw error;
    }
    return pool;
  };

  const getPool = (): Promise<Pool> => {
    if (closed) return Promise.reject(new StoreUsageError(`the postgres store (schema ${schema}) is closed`));
    opening ??= open();
    opening.catch(() => {
      opening = null;
    });
    return opening;
  };

  /** runs `fn` in a transaction on one connection */
  /**
   * runs `fn` in a transaction on one connection, holding an advisory lock per id (in the sorted
   * order every process uses, so no deadlocks); BEGIN and the locks share one round trip
   */
  const inTransaction = async <T>(
    ids: readonly string[],
    fn: (client: PoolClient) => Promise<T>,
  ): Promise<T> => {
    const pool = await getPool();
    const client = await pool.connect();
    try {
      const names = ids.map((id) => client.escapeLiteral(`${schema}:${id}`)).join(", ");
      await client.query(
        `BEGIN; SELECT pg_advisory_xact_lock(hashtextextended(name, 0))
         FROM unnest(ARRAY[${names}]::text[]) WITH ORDINALITY AS t(name, n) ORDER BY n`,
      );
      const value = await fn(client);
      await client.query("COMMIT");
      return value;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const resolveWith = async (client: PoolClient | Pool, keys: readonly string[]): Promise<string[]> => {
    if (keys.length === 0) return [];
    const { rows } = await client.query<{ key: string; profile_id: string }>(
      prepared("resolve", `SELECT key, profile_id FROM ${q}.identity_keys WHERE key = ANY($1)`, [[...keys]]),
    );
    const owners = new Map(rows.map((r) => [r.key, r.profile_id]));
    const ids: string[] = [];
    for (const key of keys) {
      const owner = owners.get(key);
      if (owner !== undefined && !ids.includes(owner)) ids.push(owner);
    }
    return ids;
  };

  const loadWith = async (client: PoolClient | Pool, id: string): Promise<StoredProfile | null> => {
    const { rows } = await client.query<{
      doc: string;
      version: number;
      wake_at: string | null;
      keys: string[];
    }>(
      prepared(
        "load",
        `SELECT p.doc, p.version, s.wake_at,
           coalesce((SELECT array_agg(k.key ORDER BY k.key) FROM ${q}.identity_keys k WHERE k.profile_id = p.id), '{}') AS keys
         FROM ${q}.profiles p LEFT JOIN ${q}.schedule s ON s.profile_id = p.id WHERE p.id = $1`,
        [id],
      ),
    );
    const row = rows[0];
    if (!row) return null;
    return {
      profile: JSON.parse(row.doc) as Profile,
      wakeAt: num(row.wake_at),
      keys: row.keys,
      version: row.version,
    };
  };

  const insertOutbox = async (client: PoolClient, inserts: OutboxInsert[]): Promise<string[]> => {
    if (inserts.length === 0) return [];
    const { rows } = await client.query<{ key: string }>(
      `INSERT INTO ${q}.outbox (key, profile_id, destination, command, state, created_at, due_at, available_at)
       SELECT key, profile_id, destination, command, 'pending', created_at, due_at, due_at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
         AS t(key, profile_id, destination, command, created_at, due_at)
       ON CONFLICT (key) DO NOTHING RETURNING key`,
      [
        inserts.map((i) => i.key),
        inserts.map((i) => i.profileId),
        inserts.map((i) => i.destination),
        inserts.map((i) => JSON.stringify(i.command)),
        inserts.map((i) => i.createdAt),
        inserts.map((i) => i.dueAt),
      ],
    );
    const added = new Set(rows.map((r) => r.key));
    return inserts.map((i) => i.key).filter((key) => added.has(key));
  };

  const applyWrite = async (
    client: PoolClient,
    write: ProfileWrite,
    loadedKeys: Map<string, string[]>,
    locked: readonly string[],
  ): Promise<SaveOutcome> => {
    const id = write.profile.id;
    const absorbed = [...(write.absorbed ?? [])];
    const inserts = toOutboxInserts(write.commands, id, write.now);
    if (absorbed.length > 0) {
      await client.query(`DELETE FROM ${q}.profiles WHERE id = ANY($1)`, [absorbed]);
      await client.query(`DELETE FROM ${q}.schedule WHERE profile_id = ANY($1)`, [absorbed]);
      await client.query(`UPDATE ${q}.identity_keys SET profile_id = $1 WHERE profile_id = ANY($2)`, [
        id,
        absorbed,
      ]);
      await client.query(`UPDATE ${q}.outbox SET profile_id = $1 WHERE profile_id = ANY($2)`, [id, absorbed]);
    }
    if (write.keys) {
      const wanted = [...new Set(write.keys)];
      const had = absorbed.length === 0 ? loadedKeys.get(id) : undefined;
      const toAdd = had ? wanted.filter((key) => !had.includes(key)) : wanted;
      if (toAdd.length > 0) {
        // takes free keys and keys of the locked profiles; a key owned by anyone else stays put
        const { rows } = await client.query<{ key: string }>(
          prepared(
            "add_keys",
            `INSERT INTO ${q}.identity_keys AS k (key, profile_id) SELECT unnest($1::text[]), $2
             ON CONFLICT (key) DO UPDATE SET profile_id = EXCLUDED.profile_id
             WHERE k.profile_id = ANY($3) RETURNING k.key`,
            [toAdd, id, locked],
          ),
        );
        if (rows.length < toAdd.length) {
          const taken = new Set(rows.map((r) => r.key));
          const key = toAdd.find((k) => !taken.has(k))!;
          const owner = await client.query<{ profile_id: string }>(
            `SELECT profile_id FROM ${q}.identity_keys WHERE key = $1`,
            [key],
          );
          const ownerId = owner.rows[0]?.profile_id ?? "(unknown)";
          throw new StoreConflictError(`identity key ${key} belongs to profile ${ownerId}`, { key, ownerId });
        }
      }
      if (!had || had.some((key) => !wanted.includes(key))) {
        await client.query(
          prepared(
            "drop_keys",
            `DELETE FROM ${q}.identity_keys WHERE profile_id = $1 AND NOT (key = ANY($2))`,
            [id, wanted],
          ),
        );
      }
    }
    // profile, wake-up (which also releases a lease) and outbox in one round trip
    const { rows } = await client.query<{ version: number; enqueued: string[] }>(
      prepared(
        "save",
        `WITH saved AS (
         INSERT INTO ${q}.profiles AS p (id, doc, version, updated_at) VALUES ($1, $2, 1, $3)
         ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc, version = p.version + 1, updated_at = EXCLUDED.updated_at
         RETURNING version),
       scheduled AS (
         INSERT INTO ${q}.schedule (profile_id, wake_at, due_at, lease_owner)
         SELECT $1, $4::bigint, $4::bigint, NULL WHERE $4::bigint IS NOT NULL
         ON CONFLICT (profile_id) DO UPDATE SET wake_at = EXCLUDED.wake_at, due_at = EXCLUDED.due_at, lease_owner = NULL),
       unscheduled AS (
         DELETE FROM ${q}.schedule WHERE profile_id = $1 AND $4::bigint IS NULL),
       enqueued AS (
         INSERT INTO ${q}.outbox (key, profile_id, destination, command, state, created_at, due_at, available_at)
         SELECT key, $1, destination, command, 'pending', $3, due_at, due_at
         FROM unnest($5::text[], $6::text[], $7::text[], $8::bigint[]) AS t(key, destination, command, due_at)
         ON CONFLICT (key) DO NOTHING RETURNING key)
       SELECT (SELECT version FROM saved) AS version,
         coalesce((SELECT array_agg(key) FROM enqueued), '{}') AS enqueued`,
        [
          id,
          JSON.stringify(write.profile),
          write.now,
          write.wakeAt,
          inserts.map((i) => i.key),
          inserts.map((i) => i.destination),
          inserts.map((i) => JSON.stringify(i.command)),
          inserts.map((i) => i.dueAt),
        ],
      ),
    );
    const added = new Set(rows[0]!.enqueued);
    return { enqueued: inserts.map((i) => i.key).filter((key) => added.has(key)), version: rows[0]!.version };
  };

  /** a query on any connection of the pool; `name` prepares it (for the statements the loops run) */
  const query = async <R extends object>(text: string, values: unknown[], name?: string) => {
    const pool = await getPool();
    return name ? pool.query<R>(prepared(name, text, values)) : pool.query<R>(text, values);
  };

  return {
    name: NAME,

    async resolve(keys) {
      return resolveWith(await getPool(), keys);
    },

    async transact(profileIds, fn) {
      const locked = normalizeProfileIds(profileIds);
      if (closed) throw new StoreUsageError(`the postgres store (schema ${schema}) is closed`);
      // in-process first, so one busy shopper holds one connection, not one per waiting event
      return lock.run(locked, () =>
        inTransaction(locked, async (client) => {
          const loadedKeys = new Map<string, string[]>();
          let pending: ProfileWrite | null = null;
          const value = await fn({
            async load(id) {
              if (!locked.includes(id)) throw new StoreUsageError(`load: profile ${id} is not locked`);
              const stored = await loadWith(client, id);
              loadedKeys.set(id, stored?.keys ?? []);
              return stored;
            },
            resolve(keys) {
              return resolveWith(client, keys);
            },
            save(write) {
              if (pending) throw new StoreUsageError("save: a transaction saves at most once");
              checkProfileWrite(write, locked);
              pending = JSON.parse(JSON.stringify(write)) as ProfileWrite;
            },
          });
          if (!pending) return { value, saved: null };
          return { value, saved: await applyWrite(client, pending, loadedKeys, locked) };
        }),
      );
    },

    async load(profileId) {
      return loadWith(await getPool(), profileId);
    },

    async claimDue(now, limit, lease) {
      checkClaim(now, limit, lease);
      const { rows } = await query<{ id: string; wake_at: string; claimable_at: string }>(
        `WITH due AS (
           SELECT profile_id, due_at FROM ${q}.schedule WHERE due_at <= $1 ORDER BY due_at, profile_id LIMIT $2
           FOR UPDATE SKIP LOCKED)
         UPDATE ${q}.schedule s SET due_at = $3, lease_owner = $4 FROM due WHERE s.profile_id = due.profile_id
         RETURNING s.profile_id AS id, s.wake_at, due.due_at AS claimable_at`,
        [now, limit, now + lease.leaseMs, lease.worker],
        "claim_due",
      );
      return rows
        .map((r) => ({ id: r.id, wakeAt: Number(r.wake_at), at: Number(r.claimable_at) }))
        .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
        .map((r): DueClaim => ({ profileId: r.id, wakeAt: r.wakeAt }));
    },

    async claimOutbox(now, limit, lease) {
      checkClaim(now, limit, lease);
      const { rows } = await query<OutboxRowSql & { old_since: string | null; old_available: string }>(
        `WITH due AS (
           SELECT key, available_at, sending_since FROM ${q}.outbox
           WHERE available_at <= $1 AND state IN (${sqlStatesFrom("claim")})
           ORDER BY available_at, due_at, seq LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE ${q}.outbox o SET state = 'sending', attempts = o.attempts + 1,
           sending_since = coalesce(due.sending_since, $1),
           lease_owner = $3, available_at = $4
         FROM due WHERE o.key = due.key
         RETURNING ${OUTBOX_COLUMNS.split(",")
           .map((c) => `o.${c.trim()}`)
           .join(", ")}, due.sending_since AS old_since, due.available_at AS old_available`,
        [now, limit, lease.worker, now + lease.leaseMs],
        "claim_outbox",
      );
      return rows
        .sort(
          (a, b) =>
            Number(a.old_available) - Number(b.old_available) ||
            Number(a.due_at) - Number(b.due_at) ||
            Number(a.seq) - Number(b.seq),
        )
        .map((row): ClaimedOutboxEntry => ({ ...toEntry(row), outcomeUnknown: row.old_since !== null }));
    },

    async markSent(key, receipt) {
      const { rowCount } = await query(
        `UPDATE ${q}.outbox SET state = 'sent', sent_at = $1, provider_id = $2, available_at = NULL,
           lease_owner = NULL, sending_since = NULL WHERE key = $3 AND state IN (${sqlStatesFrom("markSent")})`,
        [receipt.at, receipt.providerId ?? null, key],
        "mark_sent",
      );
      return (rowCount ?? 0) > 0;
    },

    async markRetry(key, plan) {
      const { rowCount } = await query(
        `UPDATE ${q}.outbox SET state = 'pending', last_error = $1, due_at = $2, available_at = $2,
           lease_owner = NULL, sending_since = CASE WHEN $4 THEN sending_since END
         WHERE key = $3 AND state IN (${sqlStatesFrom("markRetry")})`,
        [plan.error, plan.nextAttemptAt, key, plan.outcomeUnknown === true],
        "mark_retry",
      );
      return (rowCount ?? 0) > 0;
    },

    async deadLetter(key, dead) {
      const { rowCount } = await query(
        `UPDATE ${q}.outbox SET state = $4, dead_reason = $1, last_error = coalesce(last_error, $1),
           dead_at = $2, available_at = NULL, lease_owner = NULL, sending_since = NULL
         WHERE key = $3 AND state IN (${sqlStatesFrom("deadLetter")})`,
        [dead.reason, dead.at, key, dead.dropped ? "dropped" : "dead"],
      );
      return (rowCount ?? 0) > 0;
    },

    async retryDeadLetter(key, now) {
      const { rowCount } = await query(
        `UPDATE ${q}.outbox SET state = 'pending', attempts = 0, dead_reason = NULL, dead_at = NULL,
           due_at = $1, available_at = $1 WHERE key = $2 AND state IN (${sqlStatesFrom("retryDeadLetter")})`,
        [now, key],
      );
      return (rowCount ?? 0) > 0;
    },

    async dropDeadLetter(key) {
      const { rowCount } = await query(
        `UPDATE ${q}.outbox SET state = 'dropped' WHERE key = $1 AND state IN (${sqlStatesFrom("dropDeadLetter")})`,
        [key],
      );
      return (rowCount ?? 0) > 0;
    },

    async getOutbox(key) {
      const { rows } = await query<OutboxRowSql>(`SELECT ${OUTBOX_COLUMNS} FROM ${q}.outbox WHERE key = $1`, [
        key,
      ]);
      return rows[0] ? toEntry(rows[0]) : null;
    },

    async listProfiles(page = {}) {
      // `id > ''` for the first page: one condition the primary key index serves on every page
      const { rows } = await query<{ doc: string }>(
        `SELECT doc FROM ${q}.profiles WHERE id > $1 ORDER BY id LIMIT $2`,
        [page.after ?? "", page.limit ?? 500],
      );
      return rows.map((row) => JSON.parse(row.doc) as Profile);
    },

    async listOutbox(filter = {}) {
      const { rows } = await query<OutboxRowSql>(
        `SELECT ${OUTBOX_COLUMNS} FROM ${q}.outbox
         WHERE ($1::text IS NULL OR profile_id = $1) AND ($2::text IS NULL OR state = $2)
           AND ($4::text[] IS NULL OR key = ANY($4))
         ORDER BY due_at, seq LIMIT $3`,
        [
          filter.profileId ?? null,
          filter.state ?? null,
          filter.limit ?? filter.keys?.length ?? 100,
          filter.keys ? [...filter.keys] : null,
        ],
      );
      return rows.map(toEntry);
    },

    async forget(profileId, forgetOptions) {
      if (closed) throw new StoreUsageError(`the postgres store (schema ${schema}) is closed`);
      const inserts = toOutboxInserts(forgetOptions.commands, profileId, forgetOptions.now);
      return lock.run([profileId], () =>
        inTransaction([profileId], async (client): Promise<ForgetResult> => {
          const stored = await loadWith(client, profileId);
          const outbox = await client.query<OutboxRowSql>(
            `DELETE FROM ${q}.outbox WHERE profile_id = $1 RETURNING ${OUTBOX_COLUMNS}`,
            [profileId],
          );
          await client.query(`DELETE FROM ${q}.profiles WHERE id = $1`, [profileId]);
          await client.query(`DELETE FROM ${q}.schedule WHERE profile_id = $1`, [profileId]);
          await client.query(`DELETE FROM ${q}.identity_keys WHERE profile_id = $1`, [profileId]);
          await insertOutbox(client, inserts);
          const removed = outbox.rows
            .sort((a, b) => Number(a.due_at) - Number(b.due_at) || Number(a.seq) - Number(b.seq))
            .map(toEntry);
          return { profile: stored?.profile ?? null, keys: stored?.keys ?? [], outbox: removed };
        }),
      );
    },

    async stats(now) {
      const { rows } = await query<{ profiles: string; due: string; scheduled: string }>(
        `SELECT (SELECT count(*) FROM ${q}.profiles) AS profiles,
           (SELECT count(*) FROM ${q}.schedule WHERE due_at <= $1) AS due,
           (SELECT count(*) FROM ${q}.schedule) AS scheduled`,
        [now],
      );
      const counts = await query<{ destination: string; state: OutboxState; n: string }>(
        `SELECT destination, state, count(*) AS n FROM ${q}.outbox GROUP BY destination, state`,
        [],
      );
      const row = rows[0]!;
      return {
        profiles: Number(row.profiles),
        dueProfiles: Number(row.due),
        scheduledProfiles: Number(row.scheduled),
        ...countOutbox(counts.rows.map((r) => ({ ...r, n: Number(r.n) }))),
      };
    },

    async pruneOutbox(before, limit = 10_000) {
      checkPrune(before, limit);
      const { rowCount } = await query(
        `DELETE FROM ${q}.outbox WHERE key IN (
           SELECT key FROM ${q}.outbox
           WHERE (state = 'sent' AND sent_at < $1) OR (state = 'dropped' AND dead_at < $1)
           ORDER BY coalesce(sent_at, dead_at), key LIMIT $2)`,
        [before, limit],
      );
      return rowCount ?? 0;
    },

    async close() {
      if (closed) return;
      await lock.drain();
      closed = true;
      if (opening && !options.pool) {
        const pool = await opening.catch(() => null);
        await pool?.end();
      }
    },
  };
}

export default postgresStore;
