/**
 * Send-time optimisation: hold a message to the hour in which the shopper usually opens or clicks,
 * when the profile knows one and the wait stays within a bound.
 */
import type { Profile } from "../profile.js";
import { fromLocalTime, toLocalTime } from "./local-time.js";

/**
 * the shopper's most engaged local hour: the `engaged_hour` trait, or the most frequent hour of opens
 * and clicks once there are `minSignals` of them (ties: the earliest hour)
 */
export function mostEngagedHour(profile: Profile, tz: string, minSignals: number): number | null {
  // sources send it as a number or as a string of one ("19")
  const raw = profile.traits.engaged_hour;
  const trait = typeof raw === "string" && /^\d{1,2}$/.test(raw) ? Number(raw) : raw;
  if (typeof trait === "number" && Number.isInteger(trait) && trait >= 0 && trait <= 23) return trait;
  const counts = new Array<number>(24).fill(0);
  let total = 0;
  for (const e of profile.engagement) {
    if (e.engagement !== "opened" && e.engagement !== "clicked") continue;
    counts[toLocalTime(e.at, tz).hour] = (counts[toLocalTime(e.at, tz).hour] ?? 0) + 1;
    total++;
  }
  if (total < minSignals) return null;
  let best = 0;
  for (let h = 1; h < 24; h++) if ((counts[h] as number) > (counts[best] as number)) best = h;
  return best;
}

/** `due` moved to the next start of `hour` (local), unless that is more than `maxDelay` away */
export function alignToHour(due: number, hour: number, tz: string, maxDelay: number): number {
  const local = toLocalTime(due, tz);
  if (local.hour === hour) return due;
  for (let dayOffset = 0; dayOffset <= 1; dayOffset++) {
    const at = fromLocalTime(local.year, local.month, local.day + dayOffset, hour, 0, tz);
    if (at > due) return at - due <= maxDelay ? at : due;
  }
  return due;
}
