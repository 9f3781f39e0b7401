/**
 * Client-side pacing, so a burst of commands stays under a provider's rate limit instead of
 * collecting 429s. Uses `p-throttle` in strict mode: no sliding window ever holds more than `limit` calls.
 */
import pThrottle from "p-throttle";

export interface PacingOptions {
  /** calls allowed per `intervalMs` */
  limit: number;
  intervalMs: number;
}

/** runs `call` now or when the window allows; `false` turns pacing off */
export type Pacer = <T>(call: () => Promise<T>) => Promise<T>;

/** a pacer for one account; pass `false` to run every call at once (benchmarks, emulators) */
export function createPacer(options: PacingOptions | false): Pacer {
  if (options === false) return (call) => call();
  if (!(options.limit > 0) || !(options.intervalMs > 0)) {
    throw new Error(
      `Invalid pacing: limit and intervalMs must be positive numbers (got limit ${options.limit}, intervalMs ${options.intervalMs})`,
    );
  }
  const throttle = pThrottle({ limit: options.limit, interval: options.intervalMs, strict: true });
  const run = throttle(<T>(call: () => Promise<T>) => call());
  return <T>(call: () => Promise<T>) => run(call) as Promise<T>;
}

/** 120 per minute is MailerLite's limit per account; the extra second absorbs requests that arrive late */
export const MAILERLITE_DEFAULT_PACING: PacingOptions = { limit: 120, intervalMs: 61_000 };
