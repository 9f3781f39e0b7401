/**
 * Twilio Messages API form fields for RudderStack's HTTP destination (FORM format, basic auth), shaped
 * by the same `shapeTwilioMessage` the Node destination sends through the SDK, with the delivery-time
 * checks a message held in a queue needs again: consent for its channel and the recipient's quiet hours.
 */

import { pickTimezone } from "../../../src/core/journey/local-time.js";
import { isInSendWindow } from "../../../src/core/journey/quiet-hours.js";
import { renderSms } from "../../../src/core/journey/sms-render.js";
import type { TemplateValues } from "../../../src/core/journey/template.js";
import {
  shapeTwilioMessage,
  type TwilioForm,
  type TwilioFormResult,
} from "../../../src/destinations/twilio-form.js";
import { MESSAGE_DUE } from "./due-events.js";

export interface TimeWindow {
  start: string;
  end: string;
}

export interface TwilioSettings {
  from: string | null;
  messagingServiceSid: string | null;
  whatsappFrom: string | null;
  statusCallback: string | null;
  quietHours: { sms: TimeWindow | null; whatsapp: TimeWindow | null };
  storeTimezone: string;
}

export type { TwilioForm };

export type TwilioDecision = { send: true; form: TwilioForm } | { send: false; reason: string };

const E164 = /^\+[1-9]\d{6,14}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function renderBody(props: Record<string, unknown>): string {
  const body = text(props.body);
  if (body) return body;
  const template = text(props.template);
  if (!template) throw new Error(`${MESSAGE_DUE} for SMS needs properties.body or properties.template`);
  const values = (props.values ?? {}) as Omit<TemplateValues, "items">;
  const items = Array.isArray(props.items)
    ? props.items.filter((i): i is string => typeof i === "string")
    : [];
  const max = typeof props.max_segments === "number" ? props.max_segments : 2;
  const rendered = renderSms(template, values, items, max);
  if (!rendered.success) throw new Error(`${MESSAGE_DUE}: the SMS ${rendered.error.reason}`);
  return rendered.data.body;
}

/**
 * Decides one `Cart Recovery Message Due` event at `now`: the form to send, or why not. Throws when
 * the event itself is malformed (that is an error for this event, not a silent drop).
 */
export function decideTwilioMessage(
  message: Record<string, unknown>,
  settings: TwilioSettings,
  now: number,
): TwilioDecision {
  const props = (message.properties ?? {}) as Record<string, unknown>;
  const channel = props.channel;
  if (channel !== "sms" && channel !== "whatsapp") {
    throw new Error(
      `${MESSAGE_DUE}: properties.channel must be "sms" or "whatsapp", got ${JSON.stringify(channel)}`,
    );
  }
  const to = text(props.to);
  if (!to || !E164.test(to)) {
    throw new Error(
      `${MESSAGE_DUE}: properties.to must be an E.164 number like +14155550100, got ${JSON.stringify(props.to)}`,
    );
  }
  const consent = (props.consent ?? {}) as Record<string, unknown>;
  if (consent[channel] !== "granted") {
    return { send: false, reason: `no ${channel} consent (${String(consent[channel] ?? "unknown")})` };
  }
  const window = settings.quietHours[channel];
  if (window) {
    if (!TIME.test(window.start) || !TIME.test(window.end)) {
      throw new Error(`SETTINGS.quietHours.${channel} must be { start: "HH:MM", end: "HH:MM" }`);
    }
    const context = (message.context ?? {}) as Record<string, unknown>;
    const tz = pickTimezone(text(props.timezone), text(context.timezone), settings.storeTimezone);
    if (!isInSendWindow(now, { start: window.start, end: window.end, policy: "hold" }, tz)) {
      return { send: false, reason: `quiet hours in ${tz} (${channel} sends ${window.start}–${window.end})` };
    }
  }
  const key = text(props.key);
  let shaped: TwilioFormResult;
  if (channel === "sms") shaped = shapeTwilioMessage({ channel, to, body: renderBody(props), key }, settings);
  else {
    const contentSid = text(props.content_sid);
    if (!contentSid)
      throw new Error(`${MESSAGE_DUE} for WhatsApp needs properties.content_sid (an approved template HX…)`);
    shaped = shapeTwilioMessage(
      { channel, to, contentSid, contentVariables: props.content_variables ?? {}, key },
      settings,
    );
  }
  if (!shaped.success) {
    throw new Error(
      channel === "sms"
        ? "no SMS sender: set SETTINGS.from or SETTINGS.messagingServiceSid"
        : "no WhatsApp sender: set SETTINGS.whatsappFrom or SETTINGS.messagingServiceSid",
    );
  }
  return { send: true, form: shaped.data };
}
