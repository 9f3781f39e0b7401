/**
 * Twilio webhooks as cart events: status callbacks become `message_engaged` (delivered, opened,
 * failed), inbound replies become consent changes (STOP / START) or `replied`. Pure: the caller
 * checks `X-Twilio-Signature` first and passes the time it received the request.
 */
import type { CartEvent, Channel, Contact } from "../events.js";
import { fail, issue, ok, type Result } from "../result.js";

export interface TwilioParseOptions {
  /** when the webhook was received, epoch ms (Twilio's form bodies carry no timestamp) */
  at: number;
  /** the idempotency key of the command the message answers, e.g. from the status callback URL */
  key?: string;
}

// Twilio's default opt-out keywords (Advanced Opt-Out sends OptOutType for custom ones too)
const STOP_WORDS = new Set([
  "STOP",
  "STOPALL",
  "STOP ALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "OPTOUT",
  "REVOKE",
]);
const START_WORDS = new Set(["START", "YES", "UNSTOP", "OPTIN"]);
const HELP_WORDS = new Set(["HELP", "INFO"]);

/** statuses before the message reaches the handset: nothing to record yet */
const IN_FLIGHT = new Set([
  "accepted",
  "scheduled",
  "queued",
  "sending",
  "sent",
  "canceled",
  "partially_delivered",
]);

const E164 = /^\+[1-9]\d{6,14}$/;

function text(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  if (Array.isArray(value)) return typeof value[0] === "string" ? value[0] : undefined;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** `whatsapp:+15551234567` → channel whatsapp and the bare number */
function address(value: string): { channel: Channel; phone: string } {
  return value.startsWith("whatsapp:")
    ? { channel: "whatsapp", phone: value.slice("whatsapp:".length) }
    : { channel: "sms", phone: value };
}

function contactFor(phone: string): Contact {
  return E164.test(phone) ? { phone } : { invalidPhone: phone };
}

/**
 * Parses a Twilio status callback or inbound message (the form fields as an object). A form Twilio
 * sends but cartback has no use for is reported as `unsupported_event`, never thrown.
 */
export function parseTwilioWebhook(params: unknown, options: TwilioParseOptions): Result<CartEvent[]> {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    return fail([issue("invalid_type", [], "a Twilio webhook must be the form fields as an object")]);
  }
  const form = params as Record<string, unknown>;
  const sid = text(form, "MessageSid") ?? text(form, "SmsSid");
  const status = text(form, "MessageStatus") ?? text(form, "SmsStatus");
  const key = options.key ? { key: options.key } : {};

  if (status && status !== "received") {
    const to = text(form, "To");
    if (!sid) return fail([issue("missing_field", ["MessageSid"], "a status callback needs MessageSid")]);
    if (!to) return fail([issue("missing_field", ["To"], "a status callback needs To")]);
    if (IN_FLIGHT.has(status)) return ok([]);
    const engagement =
      status === "delivered"
        ? "delivered"
        : status === "read"
          ? "opened"
          : status === "failed" || status === "undelivered"
            ? "failed"
            : undefined;
    if (!engagement) {
      return fail([
        issue("unsupported_event", ["MessageStatus"], `unknown Twilio message status "${status}"`),
      ]);
    }
    const { channel, phone } = address(to);
    const events: CartEvent[] = [
      {
        type: "message_engaged",
        id: `twilio:${sid}:${status}`,
        at: options.at,
        source: "twilio",
        contact: contactFor(phone),
        engagement,
        channel,
        cartRefs: [],
        ...key,
      },
    ];
    // the carrier reports the person opted out: the same as a STOP reply
    if (text(form, "ErrorCode") === "21610") {
      events.push({
        type: "consent_changed",
        id: `twilio:${sid}:opted-out`,
        at: options.at,
        source: "twilio",
        contact: contactFor(phone),
        channel,
        status: "denied",
      });
    }
    return ok(events);
  }

  const from = text(form, "From");
  if (sid && from && (form.Body !== undefined || form.OptOutType !== undefined)) {
    const { channel, phone } = address(from);
    const optOut = text(form, "OptOutType")?.toUpperCase();
    const word = (text(form, "Body") ?? "").trim().toUpperCase();
    const base = {
      id: `twilio:${sid}`,
      at: options.at,
      source: "twilio" as const,
      contact: contactFor(phone),
    };
    if (optOut === "STOP" || (!optOut && STOP_WORDS.has(word))) {
      return ok([{ ...base, type: "consent_changed", channel, status: "denied" }]);
    }
    if (optOut === "START" || (!optOut && START_WORDS.has(word))) {
      return ok([{ ...base, type: "consent_changed", channel, status: "granted" }]);
    }
    // HELP is answered by Twilio itself; it still shows the shopper is there
    const replied = optOut === "HELP" || HELP_WORDS.has(word) ? `${base.id}:help` : base.id;
    return ok([
      { ...base, id: replied, type: "message_engaged", engagement: "replied", channel, cartRefs: [] },
    ]);
  }

  return fail([
    issue(
      "unsupported_event",
      [],
      "not a Twilio message status callback (MessageStatus, To) or inbound message (From, Body)",
    ),
  ]);
}
