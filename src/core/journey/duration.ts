/** Durations in journey JSON: plain minutes or `15m` / `4h` / `7d`. */
import type { Duration } from "./schema.js";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const UNIT: Record<string, number> = { m: MINUTE, h: HOUR, d: DAY };

const parsed = new Map<string, number>();

/** milliseconds of a duration (schema-validated input) */
export function toMs(duration: Duration): number {
  if (typeof duration === "number") return Math.round(duration * MINUTE);
  let ms = parsed.get(duration);
  if (ms === undefined) {
    const unit = UNIT[duration.slice(-1)] ?? MINUTE;
    ms = Math.round(Number(duration.slice(0, -1)) * unit);
    // journeys hold few distinct durations; the bound only guards against abuse
    if (parsed.size < 10_000) parsed.set(duration, ms);
  }
  return ms;
}

/** `90m` → "1h30m", for people */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(Math.round(ms / MINUTE));
  const d = Math.floor(rest / 1440);
  rest -= d * 1440;
  const h = Math.floor(rest / 60);
  const m = rest - h * 60;
  const parts = [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : ""].join("");
  return sign + (parts || "0m");
}
