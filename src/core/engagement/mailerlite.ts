/**
 * MailerLite webhooks as cart events: unsubscribes and spam reports take away email consent,
 * bounces, spam reports, opens and clicks become `message_engaged`. Takes the new API's single
 * events and batched `{ events: [...] }` envelopes (and the classic API's event names). Pure: the
 * caller checks the `Signature` header first.
 */
import type { CartEvent, Engagement } from "../events.js";
import { fail, type Issue, issue, ok, type Result } from "../result.js";

export interface MailerliteParseOptions {
  /** when the webhook was received, epoch ms: used when an event carries no time of its own */
  at: number;
}

type Effect = { consent?: "denied"; engagement?: Engagement };

const EFFECTS: Record<string, Effect> = {
  "subscriber.unsubscribed": { consent: "denied" },
  "subscriber.unsubscribe": { consent: "denied" },
  "subscriber.bounced": { engagement: "bounced" },
  "subscriber.spam_reported": { consent: "denied", engagement: "complained" },
  "subscriber.complaint": { consent: "denied", engagement: "complained" },
  "campaign.open": { engagement: "opened" },
  "campaign.click": { engagement: "clicked" },
};

/** events MailerLite sends that say nothing cartback acts on */
const IGNORED = new Set([
  "subscriber.created",
  "subscriber.create",
  "subscriber.updated",
  "subscriber.update",
  "subscriber.active",
  "subscriber.added_to_group",
  "subscriber.add_to_group",
  "subscriber.removed_from_group",
  "subscriber.remove_from_group",
  "subscriber.added_through_form",
  "subscriber.added_through_webform",
  "subscriber.automation_triggered",
  "subscriber.automation_completed",
  "subscriber.automation_complete",
  "subscriber.deleted",
  "campaign.sent",
]);

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** the subscriber, wherever this payload shape keeps it */
function subscriberOf(event: Record<string, unknown>): Record<string, unknown> {
  const data = record(event.data);
  return record(event.subscriber) ?? record(data?.subscriber) ?? data ?? event;
}

/** ids are strings in the new API and numbers in the classic one; anything else is ignored */
function idOf(value: unknown): string | undefined {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value))
    ? String(value)
    : undefined;
}

/** MailerLite writes `2024-05-01 10:00:00` (UTC) or ISO 8601, or epoch seconds in `timestamp` */
function timeOf(
  event: Record<string, unknown>,
  subscriber: Record<string, unknown>,
  fallback: number,
): number {
  if (typeof event.timestamp === "number") return event.timestamp * 1000;
  for (const value of [event.created_at, subscriber.unsubscribed_at, subscriber.updated_at]) {
    if (typeof value !== "string") continue;
    const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(" ", "T")}Z` : value;
    const parsed = Date.parse(iso);
    if (!Number.isNaN(parsed)) return parsed;
  }
  return fallback;
}

function parseOne(event: unknown, path: (string | number)[], options: MailerliteParseOptions) {
  const issues: Issue[] = [];
  const events: CartEvent[] = [];
  const body = record(event);
  if (!body)
    return { events, issues: [issue("invalid_type", path, "a MailerLite webhook event must be an object")] };
  const name =
    typeof body.event === "string" ? body.event : typeof body.type === "string" ? body.type : undefined;
  if (!name) return { events, issues: [issue("missing_field", [...path, "event"], "no event name")] };
  if (IGNORED.has(name)) return { events, issues };
  const effect = EFFECTS[name];
  if (!effect) {
    return {
      events,
      issues: [issue("unsupported_event", [...path, "event"], `unknown MailerLite event "${name}"`)],
    };
  }
  const subscriber = subscriberOf(body);
  const email = typeof subscriber.email === "string" ? subscriber.email.trim().toLowerCase() : undefined;
  if (!email)
    return { events, issues: [issue("missing_field", [...path, "email"], `"${name}" without an email`)] };
  const at = timeOf(body, subscriber, options.at);
  const subscriberId = idOf(subscriber.id) ?? email;
  const campaign = record(body.campaign);
  const campaignKey = idOf(campaign?.id);
  const campaignId = campaignKey !== undefined ? `:${campaignKey}` : "";
  const base = { at, source: "mailerlite" as const, contact: { email } };
  if (effect.engagement) {
    events.push({
      ...base,
      id: `mailerlite:${name}:${subscriberId}${campaignId}:${at}`,
      type: "message_engaged",
      engagement: effect.engagement,
      channel: "email",
      cartRefs: [],
    });
  }
  if (effect.consent) {
    events.push({
      ...base,
      id: `mailerlite:${name}:${subscriberId}:${at}:consent`,
      type: "consent_changed",
      channel: "email",
      status: effect.consent,
    });
  }
  return { events, issues };
}

/**
 * Parses a MailerLite webhook body (already JSON-parsed). Known events become cart events; an
 * unknown event is reported as `unsupported_event`, alongside what the rest of a batch yielded.
 */
export function parseMailerliteWebhook(
  payload: unknown,
  options: MailerliteParseOptions,
): Result<CartEvent[]> {
  const body = record(payload);
  if (!body) return fail([issue("invalid_type", [], "a MailerLite webhook body must be a JSON object")]);
  const list = Array.isArray(body.events) ? body.events : [body];
  const prefix = Array.isArray(body.events) ? ["events"] : [];
  const events: CartEvent[] = [];
  const issues: Issue[] = [];
  list.forEach((event, index) => {
    const one = parseOne(event, prefix.length ? [...prefix, index] : [], options);
    events.push(...one.events);
    issues.push(...one.issues);
  });
  // a batch that yields some events still delivers them; the issues are for the log
  if (issues.length > 0 && events.length === 0) return fail(issues);
  return ok(events);
}
