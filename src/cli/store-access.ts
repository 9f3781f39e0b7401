/**
 * How the operations commands (`dlq`, `profile`, `forget`) reach the store: `--db <file.db>` for a
 * SQLite file, `--database-url` (or `DATABASE_URL`) for PostgreSQL, otherwise the store and journeys
 * of `cartback.config.*` — the same ones `cartback serve` uses.
 */

import type { ReportSettings } from "../config/resolve.js";
import { PostgresUrlSetting } from "../config/settings.js";
import type { JourneySpec, PlanContext } from "../core/journey/index.js";
import { playbookJourney } from "../core/journey/index.js";
import type { Store } from "../runtime/store.js";
import { envSetting, flagSetting } from "./args.js";
import { UsageError } from "./types.js";

/** where an operations command finds the store, from its flags */
export interface StoreFlags {
  db?: string;
  "database-url"?: string;
  config?: string;
}

/** reads `--db`, `--database-url` and `--config` into `flags`; false for any other flag */
export function readStoreFlag(flag: string, value: () => string, flags: StoreFlags): boolean {
  if (flag === "--db") flags.db = value();
  else if (flag === "--database-url") flags["database-url"] = flagSetting(flag, value(), PostgresUrlSetting);
  else if (flag === "--config") flags.config = value();
  else return false;
  return true;
}

export const STORE_HELP = `Store (default: the one in cartback.config.*):
  --db            a SQLite file, e.g. ./cartback.db
  --database-url  a PostgreSQL URL (or set DATABASE_URL)
  --config        the config file to read instead of ./cartback.config.{ts,js,json}`;

export interface StoreAccess {
  store: Store;
  journeys: JourneySpec[];
  plan: PlanContext;
  /** the report settings of the config file (prices, winner rule); defaults without one */
  report: ReportSettings;
  /** e.g. `sqlite ./cartback.db`, for messages */
  description: string;
}

export async function openStoreFor(values: StoreFlags): Promise<StoreAccess> {
  const url =
    values["database-url"] ??
    (values.db === undefined ? envSetting(process.env, "DATABASE_URL", PostgresUrlSetting) : undefined);
  if (values.db !== undefined && values["database-url"] !== undefined) {
    throw new UsageError("use either --db or --database-url, not both");
  }
  let journeys: JourneySpec[] = [playbookJourney()];
  let plan: PlanContext = {};
  let report: ReportSettings = { key: null, prices: null, winnerRule: {} };
  let settings:
    | { kind: "sqlite"; path: string }
    | { kind: "postgres"; url: string }
    | { kind: "memory" }
    | null =
    values.db !== undefined ? { kind: "sqlite", path: values.db } : url ? { kind: "postgres", url } : null;
  if (settings === null || values.config !== undefined) {
    const { loadConfig } = await import("../config/index.js");
    const config = await loadConfig(values.config !== undefined ? { path: values.config } : {});
    journeys = config.journeys;
    plan = config.plan;
    report = config.report;
    settings ??= config.store;
  }
  if (settings.kind === "memory") {
    throw new UsageError(
      "the configured store is in memory: there is nothing to inspect from another process",
    );
  }
  if (settings.kind === "postgres") {
    const { postgresStore } = await import("../stores/postgres.js");
    return {
      store: postgresStore({ connectionString: settings.url }),
      journeys,
      plan,
      report,
      description: "postgres",
    };
  }
  const { existsSync } = await import("node:fs");
  if (!existsSync(settings.path)) throw new UsageError(`no cartback database at ${settings.path}`);
  const { sqliteStore } = await import("../stores/sqlite.js");
  return {
    store: sqliteStore({ path: settings.path }),
    journeys,
    plan,
    report,
    description: `sqlite ${settings.path}`,
  };
}

/** runs `fn` with the store open, and closes it whatever happens */
export async function withStore<T>(values: StoreFlags, fn: (access: StoreAccess) => Promise<T>): Promise<T> {
  const access = await openStoreFor(values);
  try {
    return await fn(access);
  } finally {
    await access.store.close();
  }
}
