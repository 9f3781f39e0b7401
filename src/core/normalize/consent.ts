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

/** every consent signal in a message's trait sources and consent-management context */
export function readConsent(
  sources: readonly (Json | undefined)[],
  context: Json | undefined,
  options: NormalizeOptions,
): ConsentSignal[] {
  let found: Map<Channel, "granted" | "denied"> | undefined;
  const record = (channel: Channel, status: "granted" | "denied") => {
    found ??= new Map();
    if (found.get(channel) !== "denied") found.set(channel, status);
  };
  for (const source of sources) {
    if (!source) continue;
    for (const [channel, keys] of OPT_IN_KEYS) {
      for (const key of keys) {
        const value = flag(source[key]);
        if (value !== undefined) record(channel, value ? "granted" : "denied");
      }
    }
    for (const [channel, keys] of CONSENT_OBJECT_KEYS) {
      for (const key of keys) {
        const status = fromState(source[key]);
        if (status) record(channel, status);
      }
    }
    // Shopify's checkbox: ticking it is consent, leaving it unticked is not a refusal
    if (flag(source.buyer_accepts_marketing) === true || flag(source.accepts_marketing) === true) {
      record("email", "granted");
    }
    if (flag(source.buyer_accepts_sms_marketing) === true) record("sms", "granted");
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
        if (channel) record(channel, status);
      }
    }
  }
  return found ? [...found].map(([channel, status]) => ({ channel, status })) : [];
}
