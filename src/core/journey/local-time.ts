/**
 * Wall-clock time in a recipient's timezone, so that windows such as "09:00–21:00" stay right across
 * daylight-saving changes. Offsets come from @date-fns/tz (Intl underneath) and are memoised per
 * 15 minutes of time: every real transition falls on a quarter hour, and Intl is slow.
 */
import { tzOffset } from "@date-fns/tz/tzOffset";
import { isTimeZone } from "../timezone.js";

/** the first usable zone of the candidates, or UTC */
export function pickTimezone(...candidates: (string | undefined)[]): string {
  for (const tz of candidates) if (tz && isTimeZone(tz)) return tz;
  return "UTC";
}

const QUARTER = 15 * 60_000;
const offsets = new Map<string, Map<number, number>>();
let cached = 0;

/** the zone's UTC offset at an instant, in milliseconds (Kolkata: +5 h 30) */
export function offsetAt(at: number, tz: string): number {
  if (tz === "UTC") return 0;
  let zone = offsets.get(tz);
  if (!zone) {
    zone = new Map();
    offsets.set(tz, zone);
  }
  const quarter = Math.floor(at / QUARTER);
  let offset = zone.get(quarter);
  if (offset === undefined) {
    offset = tzOffset(tz, new Date(quarter * QUARTER)) * 60_000;
    // bounded: a long replay touches many quarters
    if (++cached > 500_000) {
      offsets.clear();
      cached = 0;
    }
    zone.set(quarter, offset);
  }
  return offset;
}

export interface LocalTime {
  year: number;
  /** 0–11 */
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export function toLocalTime(at: number, tz: string): LocalTime {
  const d = new Date(at + offsetAt(at, tz));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
  };
}

/** the instant of a wall-clock time in a zone (days may overflow; a time in a DST gap moves forward) */
export function fromLocalTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  tz: string,
): number {
  const wall = Date.UTC(year, month, day, hour, minute);
  const guess = offsetAt(wall - offsetAt(wall, tz), tz);
  const at = wall - guess;
  const actual = offsetAt(at, tz);
  // inside a gap the guessed offset does not hold: take the offset after the change, which moves forward
  return actual === guess ? at : wall - actual;
}

/** minutes since local midnight */
export function minuteOfDay(at: number, tz: string): number {
  const local = (((at + offsetAt(at, tz)) % 86_400_000) + 86_400_000) % 86_400_000;
  return Math.floor(local / 60_000);
}
