/**
 * Blackout windows (sale events). `pause` stops the journey clock while a window is on and resumes it
 * after; `skip` drops steps that fall due inside one.
 */
import type { ResolvedJourney } from "./define.js";

type Window = ResolvedJourney["blackouts"][number];

/**
 * the instant `delay` of journey time after `start`, not counting paused windows that begin after
 * `start` (a window already on at `start` delays the start)
 */
export function addJourneyTime(start: number, delay: number, windows: readonly Window[]): number {
  let t = start;
  let remaining = delay;
  for (const w of windows) {
    if (w.policy !== "pause" || w.to <= t) continue;
    if (w.from >= t + remaining) break;
    remaining -= Math.max(0, w.from - t);
    t = w.to;
  }
  return t + remaining;
}

/** the pause window on at `at`, if any */
export function activePause(at: number, windows: readonly Window[]): Window | undefined {
  return windows.find((w) => w.policy === "pause" && w.from <= at && at < w.to);
}

/** the skip window `at` falls in, if any */
export function skipWindowAt(at: number, windows: readonly Window[]): Window | undefined {
  return windows.find((w) => w.policy === "skip" && w.from <= at && at < w.to);
}
