/**
 * Wall-clock time in a recipient's timezone, through @date-fns/tz (Intl underneath), so that windows
 * such as "09:00–21:00" stay right across daylight-saving changes.
 */
import { TZDateMini } from "@date-fns/tz";

const validity = new Map<string, boolean>();

/** true when the runtime knows the IANA zone */
export function isValidTimezone(tz: string): boolean {
  let known = validity.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    validity.set(tz, known);
  }
  return known;
}

/** the first usable zone of the candidates, or UTC */
export function pickTimezone(...candidates: (string | undefined)[]): string {
  for (const tz of candidates) if (tz && isValidTimezone(tz)) return tz;
  return "UTC";
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
  const d = new TZDateMini(at, tz);
  return {
    year: d.getFullYear(),
    month: d.getMonth(),
    day: d.getDate(),
    hour: d.getHours(),
    minute: d.getMinutes(),
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
  return new TZDateMini(year, month, day, hour, minute, 0, 0, tz).getTime();
}

/** minutes since local midnight */
export function minuteOfDay(at: number, tz: string): number {
  const t = toLocalTime(at, tz);
  return t.hour * 60 + t.minute;
}
