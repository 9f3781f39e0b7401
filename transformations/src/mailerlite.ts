/**
 * Paste bundle for RudderStack's Webhook destination: cart events and cartback's stage events →
 * MailerLite API requests.
 */
import { normalizeEvent } from "../../src/core/normalize/index.js";
import { formatIssues } from "../../src/core/result.js";
import { describeMessage } from "./lib/describe.js";
import {
  type MailerliteSettings,
  mailerliteRequestForDue,
  mailerliteRequestsForEvents,
} from "./lib/mailerlite-requests.js";
import { unwrapWebhook } from "./lib/unwrap.js";

declare const SETTINGS: MailerliteSettings;

const options = SETTINGS.defaultRegion ? { defaultRegion: SETTINGS.defaultRegion } : {};

// read once per batch, when the first request needs it: RudderStack evaluates the file anew for
// every batch, so a rotated token is picked up at the next one
let cached: string | undefined;

function token(): string {
  cached ??= getCredential("MAILERLITE_API_TOKEN");
  if (!cached)
    throw new Error("missing credential MAILERLITE_API_TOKEN (RudderStack → Transformations → Credentials)");
  return cached;
}

/** one event → one MailerLite request, or null when MailerLite has nothing to learn from it */
export function transformEvent(event: Record<string, unknown>) {
  const due = mailerliteRequestForDue(event, SETTINGS, token);
  if (due !== undefined) return due;
  const result = normalizeEvent(unwrapWebhook(event), options);
  if (!result.success) throw new Error(`cannot use ${describeMessage(event)}: ${formatIssues(result.error)}`);
  const [request] = mailerliteRequestsForEvents(result.data, SETTINGS, token);
  return request ?? null;
}
