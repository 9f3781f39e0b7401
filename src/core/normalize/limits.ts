/**
 * How long each field cartback keeps may be. A message with a longer one is rejected (that message
 * only) with a `too_long` issue naming the field, instead of a megabyte user id or product name
 * being stored in the shopper's profile and copied into every message sent.
 */
import { type Issue, issue } from "../result.js";
import { asObject, type Json } from "./contact.js";

/** characters allowed per field, by the field's name in the message */
export const FIELD_LIMITS = {
  /** userId, anonymousId, messageId, previousId, cart_id, checkout_id, order_id, product_id, sku, … */
  id: 256,
  /** event names */
  event: 256,
  /** RFC 5321's limit for an address */
  email: 254,
  /** a phone number as typed, before it is turned into E.164 */
  phone: 64,
  /** first and last names */
  personName: 256,
  /** product names and titles, and the shopper's full name */
  name: 1_000,
  /** checkout_url, url, image_url, abandoned_checkout_url, payment_url */
  url: 2_048,
  coupon: 256,
  /** currency codes, time zones and locales */
  code: 64,
  /** traits cartback keeps on the profile (`keepTraits`) */
  trait: 1_000,
} as const;

const LIMIT_BY_KEY = new Map<string, number>();
function limit(keys: readonly string[], max: number): void {
  for (const key of keys) LIMIT_BY_KEY.set(key, max);
}
limit(
  [
    "userId",
    "anonymousId",
    "messageId",
    "previousId",
    "cart_id",
    "cart_token",
    "checkout_id",
    "checkout_token",
    "order_id",
    "order_key",
    "product_id",
    "variant_id",
    "variation_id",
    "sku",
    "id",
    "token",
    "customer_id",
    "step",
  ],
  FIELD_LIMITS.id,
);
limit(["event"], FIELD_LIMITS.event);
limit(["key"], FIELD_LIMITS.url);
limit(["email", "Email"], FIELD_LIMITS.email);
limit(["phone", "Phone", "phone_number", "mobile", "sms_marketing_phone"], FIELD_LIMITS.phone);
limit(["firstName", "first_name", "firstname", "lastName", "last_name", "lastname"], FIELD_LIMITS.personName);
limit(["name", "title"], FIELD_LIMITS.name);
limit(["checkout_url", "url", "image_url", "abandoned_checkout_url", "payment_url"], FIELD_LIMITS.url);
limit(["coupon"], FIELD_LIMITS.coupon);
limit(["currency", "timezone", "time_zone", "locale", "language"], FIELD_LIMITS.code);

/** the shortest limit: a string no longer than this needs no look-up */
const SHORTEST: number = Math.min(...Object.values(FIELD_LIMITS));

function check(
  source: Json | undefined,
  path: readonly (string | number)[],
  kept: readonly string[],
  issues: Issue[],
): void {
  if (!source) return;
  for (const key in source) {
    const value = source[key];
    if (typeof value !== "string" || value.length <= SHORTEST) continue;
    const max = LIMIT_BY_KEY.get(key) ?? (kept.includes(key) ? FIELD_LIMITS.trait : undefined);
    if (max !== undefined && value.length > max) {
      issues.push(
        issue("too_long", [...path, key], `expected at most ${max} characters, got ${value.length}`),
      );
    }
  }
}

function checkList(
  list: unknown,
  path: readonly (string | number)[],
  kept: readonly string[],
  issues: Issue[],
): void {
  if (!Array.isArray(list)) return;
  for (let i = 0; i < list.length; i++) check(asObject(list[i]), [...path, i], kept, issues);
}

/**
 * every field of a message longer than its limit (see `FIELD_LIMITS`), as `too_long` issues with the
 * field's path; looked for where the mappers read: the message itself, its traits and properties,
 * products and line items, and the customer and addresses of a store's webhook
 */
export function oversizedFields(message: Json, keepTraits: readonly string[]): Issue[] {
  const issues: Issue[] = [];
  const context = asObject(message.context);
  const properties = asObject(message.properties);
  check(message, [], [], issues);
  check(asObject(message.traits), ["traits"], keepTraits, issues);
  check(asObject(context?.traits), ["context", "traits"], keepTraits, issues);
  check(context, ["context"], [], issues);
  check(properties, ["properties"], [], issues);
  checkList(properties?.products, ["properties", "products"], [], issues);
  checkList(message.line_items, ["line_items"], [], issues);
  for (const key of ["customer", "billing_address", "shipping_address", "billing", "shipping"]) {
    check(asObject(message[key]), [key], [], issues);
  }
  return issues;
}
