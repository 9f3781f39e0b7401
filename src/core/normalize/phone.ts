import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/min";
import { validateE164 } from "./phone-e164.js";

export interface PhoneResult {
  /** E.164, when the number is valid */
  e164?: string;
  /** the input, when it is not a valid number */
  invalid?: string;
}

const cache = new Map<string, PhoneResult>();
const CACHE_LIMIT = 20_000;

/**
 * turns what a shopper typed into E.164 (`+919876543210`), using `region` for numbers without a country
 * code; an unparseable number comes back as `invalid` so it is recorded but never used
 */
export function normalizePhone(raw: string, region?: string): PhoneResult {
  const trimmed = raw.trim();
  if (trimmed === "") return {};
  // the same shopper's messages arrive together and repeat the number
  if (trimmed === last.raw && region === last.region) return last.result;
  const cacheKey = `${region ?? ""}|${trimmed}`;
  const hit = cache.get(cacheKey);
  if (hit) return remember(trimmed, region, hit);
  // WhatsApp addresses arrive as `whatsapp:+1555…`
  const text = trimmed.replace(/^whatsapp:/i, "");
  let result: PhoneResult;
  const valid = validateE164(text);
  if (valid !== undefined) result = valid ? { e164: text } : { invalid: trimmed };
  else {
    const parsed = parsePhoneNumberFromString(text, toCountry(region));
    result = parsed?.isValid() ? { e164: parsed.number } : { invalid: trimmed };
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(cacheKey, result);
  return remember(trimmed, region, result);
}

const last: { raw: string; region: string | undefined; result: PhoneResult } = {
  raw: "",
  region: undefined,
  result: {},
};

function remember(raw: string, region: string | undefined, result: PhoneResult): PhoneResult {
  last.raw = raw;
  last.region = region;
  last.result = result;
  return result;
}

function toCountry(region: string | undefined): CountryCode | undefined {
  if (!region) return undefined;
  const upper = region.toUpperCase();
  return /^[A-Z]{2}$/.test(upper) ? (upper as CountryCode) : undefined;
}
