const known = new Map<string, boolean>();

// most calls ask about the zone the previous call asked about
let lastZone = "";
let lastValid = false;

/** true for IANA zone names Intl knows (`Asia/Kolkata`); a bad zone would break quiet hours later */
export function isTimeZone(zone: string): boolean {
  if (zone === lastZone) return lastValid;
  let valid = known.get(zone);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      valid = true;
    } catch {
      valid = false;
    }
    if (known.size > 1000) known.clear();
    known.set(zone, valid);
  }
  lastZone = zone;
  lastValid = valid;
  return valid;
}
