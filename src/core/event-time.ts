/**
 * How far cartback trusts the time an event says it happened. Sources stamp events with their own
 * clocks, and a consent decision or a cart change dated in the future would outrank every real one
 * that follows it; a date in another millennium is a bug or an attack, not a time.
 */
import type { CartEvent } from "./events.js";

/** the earliest time an event may carry: 2000-01-01T00:00:00Z */
export const EARLIEST_EVENT_TIME = Date.UTC(2000, 0, 1);
/** the first time an event may not carry: 2100-01-01T00:00:00Z */
export const LATEST_EVENT_TIME = Date.UTC(2100, 0, 1);

/** how far ahead of the moment cartback received it an event may be dated: 5 minutes of clock skew */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** true when `at` (epoch ms) lies in the years 2000 to 2099 */
export function isPlausibleEventTime(at: number): boolean {
  return at >= EARLIEST_EVENT_TIME && at < LATEST_EVENT_TIME;
}

/**
 * The event as cartback records it when it was received at `receivedAt`: dated more than `skewMs`
 * after that, it takes `receivedAt` as its time (the sender's clock is wrong, or the date was made
 * up), so it cannot outrank the events that really follow it. Within the skew it keeps its own time.
 * The same object when nothing changes.
 *
 * @example
 * clampEventTime(event, Date.now()); // an identify dated 2099 is recorded as received now
 */
export function clampEventTime<E extends CartEvent>(
  event: E,
  receivedAt: number,
  skewMs: number = MAX_CLOCK_SKEW_MS,
): E {
  return event.at > receivedAt + skewMs ? { ...event, at: receivedAt } : event;
}
