import { toMs } from "../core/journey/duration.js";

/**
 * The start of a report's period: an ISO time (`2026-11-01`, `2026-11-01T09:00Z`) or a duration back
 * from `now` (`30d`, `12h`, `90m`). A string saying what is wrong when it is neither.
 */
export function parseSince(raw: string, now: number): number | string {
  if (/^\d+(\.\d+)?[mhd]$/.test(raw)) return now - toMs(raw);
  const at = Date.parse(raw);
  if (Number.isNaN(at))
    return `since must be an ISO time (2026-11-01T00:00Z) or a duration (30d, 12h), got "${raw}"`;
  if (at > now) return `since ${raw} is in the future`;
  return at;
}
