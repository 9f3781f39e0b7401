/**
 * Quiet hours: each channel has a window of local time in which it may send (email 08:00–22:00, SMS and
 * WhatsApp 09:00–21:00 by default). A send outside it is held until the window opens, or dropped.
 */

import { fromLocalTime, minuteOfDay, toLocalTime } from "./local-time.js";
import type { QuietHours } from "./schema.js";

function minutes(hhmm: string): number {
  return (
    (hhmm.charCodeAt(0) - 48) * 600 +
    (hhmm.charCodeAt(1) - 48) * 60 +
    (hhmm.charCodeAt(3) - 48) * 10 +
    (hhmm.charCodeAt(4) - 48)
  );
}

/** true when `at` lies in the sending window (windows may cross midnight, e.g. 20:00–02:00) */
export function isInSendWindow(at: number, window: QuietHours, tz: string): boolean {
  const start = minutes(window.start);
  const end = minutes(window.end);
  if (start === end) return true;
  const m = minuteOfDay(at, tz);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** `at` itself when the window is open, otherwise the next instant it opens */
export function nextSendWindowOpen(at: number, window: QuietHours, tz: string): number {
  if (isInSendWindow(at, window, tz)) return at;
  const start = minutes(window.start);
  const local = toLocalTime(at, tz);
  const h = Math.floor(start / 60);
  const m = start % 60;
  for (let dayOffset = 0; dayOffset <= 2; dayOffset++) {
    const open = fromLocalTime(local.year, local.month, local.day + dayOffset, h, m, tz);
    if (open > at && isInSendWindow(open, window, tz)) return open;
  }
  // unreachable for valid windows; stay safe rather than loop
  return at + 24 * 3_600_000;
}
