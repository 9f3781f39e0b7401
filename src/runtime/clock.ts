/**
 * Where the runtime reads the time. Everything below the engine takes `now` as an argument; the engine
 * reads it here once per transaction or pass, so tests move time with a manual clock.
 */
export interface Clock {
  /** epoch ms */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface ManualClock extends Clock {
  set(at: number | string | Date): void;
  /** moves time forward by `ms` (negative values are refused: time does not run backwards) */
  advance(ms: number): void;
}

function toEpoch(at: number | string | Date): number {
  const ms = typeof at === "number" ? at : typeof at === "string" ? Date.parse(at) : at.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`clock: not a valid time: ${String(at)}`);
  return ms;
}

/** a clock that only moves when told, for tests and replays */
export function createManualClock(start: number | string | Date = 0): ManualClock {
  let current = toEpoch(start);
  return {
    now: () => current,
    set(at) {
      current = toEpoch(at);
    },
    advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`clock.advance: ms must be >= 0, got ${ms}`);
      current += ms;
    },
  };
}
