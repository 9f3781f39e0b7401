/**
 * A fixed-offset time zone in which it is early afternoon at `now`. Tests that run on the real clock
 * give their shoppers this zone, so quiet hours (email 08:00-22:00, SMS and WhatsApp 09:00-21:00) never
 * hold the messages they wait for, whatever the hour the suite runs at.
 */
export function afternoonZone(now: number): string {
  const offset = ((13 - new Date(now).getUTCHours() + 36) % 24) - 12;
  // IANA's Etc zones count the other way round: Etc/GMT-3 is three hours ahead of UTC
  return offset === 0 ? "UTC" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}
