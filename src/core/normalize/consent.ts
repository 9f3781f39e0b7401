/**
 * Consent per channel from what stores send: cartback's own `*_opt_in` traits (snake or camel case),
 * Shopify's marketing flags and consent objects, and RudderStack consent management.
 * Within one message a denial wins over a grant: it is the signal that must never be missed.
 */
import type { Channel } from "../events.js";
import { asObject, type Json, text } from "./contact.js";
import type { NormalizeOptions } from "./options.js";

export type ConsentSignal = { channel: Channel; status: "granted" | "denied" };

const OPT_IN_KEYS: [Channel, string[]][] = [
  ["email", ["email_opt_in", "emailOptIn"]],
  ["sms", ["sms_opt_in", "smsOptIn"]],
  ["whatsapp", ["whatsapp_opt_in", "whatsappOptIn"]],
  ["push", ["push_opt_in", "pushOptIn"]],
];

// Shopify consent objects: { state: "subscribed" | "not_subscribed" | "unsubscribed" | "pending" | "redacted" }
const CONSENT_OBJECT_KEYS: [Channel, string[]][] = [
  ["sms", ["smsMarketingConsent", "sms_marketing_consent"]],
  ["email", ["emailMarketingConsent", "email_marketing_consent"]],
];

function flag(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true" || v === "yes") return true;
    if (v === "false" || v === "no") return false;
  }
  return undefined;
}

function fromState(value: unknown): "granted" | "denied" | undefined {
  const state = (text(asObject(value)?.state) ?? text(value))?.toLowerCase();
  if (state === "subscribed") return "granted";
  if (state === "unsubscribed" || state === "redacted") return "denied";
  return undefined;
}

function categoryChannel(id: string, options: NormalizeOptions): Channel | undefined {
  for (const [channel, ids] of Object.entries(options.consentCategories ?? {}) as [Channel, string[]][]) {
    if (ids.includes(id)) return channel;
  }
  const name = id.toLowerCase().replace(/[\s-]/g, "_");
  for (const channel of ["email", "sms", "whatsapp", "push"] as const) {
    if (name === channel || name === `${channel}_marketing`) return channel;
  }
  return undefined;
}

/** flat lists of the keys above and their channels, for the loop that runs on every message */
const FLAG_KEYS = OPT_IN_KEYS.flatMap(([, keys]) => keys);
const FLAG_CHANNELS = OPT_IN_KEYS.flatMap(([channel, keys]) => keys.map(() => channel));
const STATE_KEYS = CONSENT_OBJECT_KEYS.flatMap(([, keys]) => keys);
const STATE_CHANNELS = CONSENT_OBJECT_KEYS.flatMap(([channel, keys]) => keys.map(() => channel));

/** `found` with one more signal: a channel already there keeps its place, and a denial stays */
function record(
  found: ConsentSignal[] | undefined,
  channel: Channel,
  status: "granted" | "denied",
): ConsentSignal[] {
  if (found === undefined) return [{ channel, status }];
  for (const signal of found) {
    if (signal.channel !== channel) continue;
    if (signal.status !== "denied") signal.status = status;
    return found;
  }
  found.push({ channel, status });
  return found;
}

/** every consent signal in a message's trait sources and consent-management context */
export function readConsent(
  sources: readonly (Json | undefined)[],
  context: Json | undefined,
  options: NormalizeOptions,
): ConsentSignal[] {
  // in the order each channel was first found; a denial is never overwritten
  let found: ConsentSignal[] | undefined;
  for (const source of sources) {
    if (!source) continue;
    for (let i = 0; i < FLAG_KEYS.length; i++) {
      const raw = source[FLAG_KEYS[i] as string];
      if (raw === undefined) continue;
      const value = flag(raw);
      if (value !== undefined)
        found = record(found, FLAG_CHANNELS[i] as Channel, value ? "granted" : "denied");
    }
    for (let i = 0; i < STATE_KEYS.length; i++) {
      const raw = source[STATE_KEYS[i] as string];
      if (raw === undefined) continue;
      const status = fromState(raw);
      if (status) found = record(found, STATE_CHANNELS[i] as Channel, status);
    }
    // Shopify's checkbox: ticking it is consent, leaving it unticked is not a refusal
    if (flag(source.buyer_accepts_marketing) === true || flag(source.accepts_marketing) === true) {
      found = record(found, "email", "granted");
    }
    if (flag(source.buyer_accepts_sms_marketing) === true) found = record(found, "sms", "granted");
  }
  const management = asObject(context?.consentManagement);
  if (management) {
    for (const [key, status] of [
      ["allowedConsentIds", "granted"],
      ["deniedConsentIds", "denied"],
    ] as const) {
      const ids = management[key];
      if (!Array.isArray(ids)) continue;
      for (const raw of ids) {
        const id = text(raw);
        const channel = id ? categoryChannel(id, options) : undefined;
        if (channel) found = record(found, channel, status);
      }
    }
  }
  return found ?? [];
}
