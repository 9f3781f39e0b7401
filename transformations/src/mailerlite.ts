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

// getCredential crosses into the host on every call; a rotated token is picked up within a minute
const TOKEN_TTL_MS = 60_000;
let cached: { value: string; at: number } | undefined;

function token(): string {
  const now = Date.now();
  if (cached && now - cached.at < TOKEN_TTL_MS) return cached.value;
  const value = getCredential("MAILERLITE_API_TOKEN");
  if (!value)
    throw new Error("missing credential MAILERLITE_API_TOKEN (RudderStack → Transformations → Credentials)");
  cached = { value, at: now };
  return value;
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
