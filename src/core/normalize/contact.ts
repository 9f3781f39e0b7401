/**
 * Contact details, looked up where RudderStack's own integrations look:
 * `traits` → `context.traits` → `properties`.
 */
import type { Contact, Device } from "../events.js";
import { isTimeZone } from "../timezone.js";
import { normalizePhone } from "./phone.js";

export type Json = Record<string, unknown>;

export function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;
}

export function text(value: unknown): string | undefined {
  if (typeof value === "string") {
    const trimmed = value.trim();
    return trimmed === "" ? undefined : trimmed;
  }
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** the first non-empty string among `keys` in the first of `sources` that has one */
export function pick(sources: readonly (Json | undefined)[], keys: readonly string[]): string | undefined {
  for (const source of sources) {
    if (!source) continue;
    for (const key of keys) {
      const found = text(source[key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const email = raw.trim().toLowerCase();
  return EMAIL.test(email) ? email : undefined;
}

export function deviceFrom(context: Json | undefined): Device | undefined {
  const device = asObject(context?.device);
  const type = text(device?.type)?.toLowerCase();
  if (type) {
    if (type.includes("tablet") || type === "ipad") return "tablet";
    if (["mobile", "phone", "android", "ios", "iphone", "smartphone"].some((t) => type.includes(t)))
      return "mobile";
    if (type.includes("desktop") || type.includes("web")) return "desktop";
  }
  const ua = text(context?.userAgent);
  if (!ua) return undefined;
  // a shopper's messages arrive together (an SDK sends them in batches): comparing with the last
  // user agent is cheaper than hashing a long string for the map
  if (ua === lastAgent) return lastDevice;
  let kind = devices.get(ua);
  if (kind === undefined) {
    kind = /iPad|Tablet/i.test(ua) ? "tablet" : /Mobi|Android|iPhone/i.test(ua) ? "mobile" : "desktop";
    if (devices.size >= 2_000) devices.clear();
    devices.set(ua, kind);
  }
  lastAgent = ua;
  lastDevice = kind;
  return kind;
}

// a store's traffic comes from a few thousand distinct user agents at most: each is read once
const devices = new Map<string, Device>();
let lastAgent: string | undefined;
let lastDevice: Device | undefined;

export interface ContactInput {
  /** where email and phone are looked up, in order */
  sources: readonly (Json | undefined)[];
  /**
   * where names and time zone are looked up; default `sources`. Event properties are not a place
   * for them: a product's `name` is not the shopper's.
   */
  personSources?: readonly (Json | undefined)[];
  userId?: string | undefined;
  anonymousId?: string | undefined;
  context?: Json | undefined;
  region?: string | undefined;
  phoneKeys?: readonly string[];
}

// key lists as constants: an array literal in a call allocates on every message
const EMAIL_KEYS = ["email", "Email"];
const PHONE_KEYS = ["phone", "Phone", "phone_number", "mobile"];
const FIRST_NAME_KEYS = ["firstName", "first_name", "firstname"];
const LAST_NAME_KEYS = ["lastName", "last_name", "lastname"];
const NAME_KEYS = ["name"];
const TIMEZONE_KEYS = ["timezone", "time_zone"];
const LOCALE_KEYS = ["locale", "language"];

export function buildContact(input: ContactInput): Contact {
  const { sources, context } = input;
  const email = normalizeEmail(pick(sources, EMAIL_KEYS));
  let phone: string | undefined;
  let invalidPhone: string | undefined;
  const rawPhone = pick(sources, input.phoneKeys ?? PHONE_KEYS);
  if (rawPhone) {
    // an address in the message knows the shopper's country better than the store-wide default
    const region = regionFrom(sources) ?? input.region;
    const result = normalizePhone(rawPhone, region);
    if (result.e164) phone = result.e164;
    else if (result.invalid) invalidPhone = result.invalid;
  }
  const person = input.personSources ?? sources;
  const firstName = pick(person, FIRST_NAME_KEYS);
  const lastName = pick(person, LAST_NAME_KEYS);
  const name =
    pick(person, NAME_KEYS) ?? (firstName && lastName ? `${firstName} ${lastName}` : (firstName ?? lastName));
  const zone = text(context?.timezone) ?? pick(person, TIMEZONE_KEYS);
  // every field present, in one order, undefined when unknown (JSON leaves those out): contacts then
  // share one hidden class, and the reducer that reads every one of them stays monomorphic
  return {
    userId: input.userId || undefined,
    anonymousId: input.anonymousId || undefined,
    email: email || undefined,
    phone,
    invalidPhone,
    firstName,
    lastName,
    name,
    timezone: zone && isTimeZone(zone) ? zone : undefined,
    locale: text(context?.locale) ?? pick(person, LOCALE_KEYS),
    device: deviceFrom(context),
  };
}

/** a country code found in the message's address fields, for phones typed without one */
function regionFrom(sources: readonly (Json | undefined)[]): string | undefined {
  for (const source of sources) {
    if (!source) continue;
    const address = asObject(source.address) ?? asObject(source.billing_address) ?? asObject(source.billing);
    const code = text(address?.country_code) ?? text(address?.country) ?? text(source.country_code);
    if (code && /^[A-Za-z]{2}$/.test(code)) return code.toUpperCase();
  }
  return undefined;
}
