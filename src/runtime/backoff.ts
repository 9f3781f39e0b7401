/**
 * Retry timing for the dispatcher: exponential backoff with jitter, never sooner than a provider's
 * `Retry-After`.
 */

export interface BackoffOptions {
  /** delay before the second attempt, before jitter; default 5 s */
  baseDelayMs?: number;
  /** the longest delay; default 1 h */
  maxDelayMs?: number;
}

/** a small seeded generator (mulberry32) so retry times are reproducible in tests */
export function createSeededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * How long to wait after the `attempt`-th failed attempt (1-based): `base · 2^(attempt-1)` capped at
 * `maxDelayMs`, of which a random half is kept ("equal jitter") so failing workers spread out, and at
 * least `retryAfterMs` when the provider asked for it.
 */
export function retryDelayMs(
  attempt: number,
  options: BackoffOptions = {},
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const base = options.baseDelayMs ?? 5_000;
  const max = options.maxDelayMs ?? 3_600_000;
  const exponent = Math.min(Math.max(attempt, 1) - 1, 40);
  const ceiling = Math.min(max, base * 2 ** exponent);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  const delay = Math.round(jittered);
  return retryAfterMs !== undefined && retryAfterMs > delay ? Math.ceil(retryAfterMs) : delay;
}
