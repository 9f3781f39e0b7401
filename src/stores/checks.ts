/** Argument checks every store runs before it touches its data, so all three refuse the same calls. */
import type { LeaseOptions, ProfileWrite } from "../runtime/store.js";
import { StoreUsageError } from "../runtime/store-errors.js";

/** the locked ids, de-duplicated and sorted so every store locks in one order (no deadlocks) */
export function normalizeProfileIds(profileIds: string | readonly string[]): string[] {
  const list = typeof profileIds === "string" ? [profileIds] : [...profileIds];
  if (list.length === 0) throw new StoreUsageError("transact needs at least one profile id");
  for (const id of list) {
    if (typeof id !== "string" || id.length === 0) {
      throw new StoreUsageError(`transact: profile ids must be non-empty strings, got ${JSON.stringify(id)}`);
    }
  }
  return [...new Set(list)].sort();
}

/** checks a write against the locked ids before any store touches its data */
export function checkProfileWrite(write: ProfileWrite, locked: readonly string[]): void {
  const id = write.profile?.id;
  if (typeof id !== "string" || !locked.includes(id)) {
    throw new StoreUsageError(
      `save: profile.id ${JSON.stringify(id)} is not among the locked ids ${JSON.stringify(locked)}`,
    );
  }
  if (write.wakeAt !== null && !Number.isFinite(write.wakeAt)) {
    throw new StoreUsageError(`save: wakeAt must be epoch ms or null, got ${String(write.wakeAt)}`);
  }
  if (!Number.isFinite(write.now)) {
    throw new StoreUsageError(`save: now must be epoch ms, got ${String(write.now)}`);
  }
  for (const absorbed of write.absorbed ?? []) {
    if (absorbed === id) throw new StoreUsageError(`save: profile ${id} cannot absorb itself`);
    if (!locked.includes(absorbed)) {
      throw new StoreUsageError(`save: absorbed profile ${JSON.stringify(absorbed)} is not locked`);
    }
  }
  for (const key of write.keys ?? []) {
    if (typeof key !== "string" || key.length === 0) {
      throw new StoreUsageError(`save: identity keys must be non-empty strings, got ${JSON.stringify(key)}`);
    }
  }
}

export function checkClaim(now: number, limit: number, lease: LeaseOptions): void {
  if (!Number.isFinite(now)) throw new StoreUsageError(`claim: now must be epoch ms, got ${String(now)}`);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new StoreUsageError(`claim: limit must be a positive integer, got ${String(limit)}`);
  }
  if (!lease || typeof lease.worker !== "string" || lease.worker.length === 0) {
    throw new StoreUsageError("claim: lease.worker must name the worker");
  }
  if (!Number.isFinite(lease.leaseMs) || lease.leaseMs <= 0) {
    throw new StoreUsageError(`claim: lease.leaseMs must be a positive number, got ${String(lease.leaseMs)}`);
  }
}

export function checkPrune(before: number, limit: number): void {
  if (!Number.isFinite(before))
    throw new StoreUsageError(`pruneOutbox: before must be epoch ms, got ${String(before)}`);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new StoreUsageError(`pruneOutbox: limit must be a positive integer, got ${String(limit)}`);
  }
}
