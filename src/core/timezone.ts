const known = new Map<string, boolean>();

/** true for IANA zone names Intl knows (`Asia/Kolkata`); a bad zone would break quiet hours later */
export function isTimeZone(zone: string): boolean {
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
  return valid;
}
