/**
 * The errors a `Store` throws, branded with `Symbol.for` so two bundled copies of cartback still
 * recognise each other's.
 */
const STORE_CONFLICT = Symbol.for("cartback.StoreConflictError");

/** a save lost a race for an identity key, or (on SQLite with two processes) for a profile version */
export class StoreConflictError extends Error {
  override name = "StoreConflictError";
  readonly [STORE_CONFLICT] = true;
  /** the identity key another profile owns, when that was the conflict */
  readonly key?: string;
  /** the profile that owns it: resolve again and include it in the transaction */
  readonly ownerId?: string;

  constructor(message: string, options: { key?: string; ownerId?: string } = {}) {
    super(message);
    if (options.key !== undefined) this.key = options.key;
    if (options.ownerId !== undefined) this.ownerId = options.ownerId;
  }
}

export function isStoreConflictError(error: unknown): error is StoreConflictError {
  return typeof error === "object" && error !== null && STORE_CONFLICT in error;
}

const STORE_USAGE = Symbol.for("cartback.StoreUsageError");

/** the store was called wrongly (a bug in the caller, never worth retrying) */
export class StoreUsageError extends Error {
  override name = "StoreUsageError";
  readonly [STORE_USAGE] = true;
}

export function isStoreUsageError(error: unknown): error is StoreUsageError {
  return typeof error === "object" && error !== null && STORE_USAGE in error;
}
