/**
 * What the paste bundles get instead of the core's per-field size limits (src/core/normalize/limits.ts):
 * none. They guard what cartback stores; inside RudderStack nothing is stored between batches, the
 * gateway caps a message's size, and MailerLite and Twilio refuse fields longer than theirs.
 */
import type { Issue } from "../../../src/core/result.js";

export const FIELD_LIMITS = {} as const;

export function oversizedFields(_message: Record<string, unknown>, _keepTraits: readonly string[]): Issue[] {
  return [];
}
