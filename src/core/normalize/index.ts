/**
 * `normalizeEvent`: any message a store sends → canonical cart events, or issues that say what to fix.
 */
import type { CartEvent } from "../events.js";
import { fail, issue, type Result } from "../result.js";
import { fnv1a } from "./common.js";
import { asObject } from "./contact.js";
import { fromZodIssues } from "./issues.js";
import { oversizedFields } from "./limits.js";
import { DEFAULT_KEEP_TRAITS, type NormalizeOptions } from "./options.js";
import { mapRudderstack } from "./rudderstack.js";
import { RudderMessage, ShopifyCheckout, toId, WooOrder } from "./schemas.js";
import { mapShopifyCheckout } from "./shopify-webhook.js";
import { mapWooOrder } from "./woocommerce.js";

export type MessageFormat = "rudderstack" | "shopify_checkout" | "woocommerce_order";

/** what kind of message this looks like, or undefined when none */
export function detectFormat(message: Record<string, unknown>): MessageFormat | undefined {
  if (typeof message.type === "string") return "rudderstack";
  if (Array.isArray(message.line_items)) {
    if ("abandoned_checkout_url" in message || "cart_token" in message || "token" in message) {
      return "shopify_checkout";
    }
    if ("status" in message && ("order_key" in message || "billing" in message)) return "woocommerce_order";
  }
  return undefined;
}

/**
 * Turns one message into canonical cart events. Never throws: a message that cannot be used comes
 * back as `{ success: false, error: Issue[] }`, each issue with a code, a path and what to fix.
 * A message cartback has no use for (say, `Product Reviewed`) succeeds with no events.
 *
 * @example
 * const result = normalizeEvent({ type: "track", event: "Product Added", anonymousId: "a1",
 *   timestamp: "2026-03-01T10:00:00.000Z", properties: { product_id: "p1", price: "19.99" } });
 * if (result.success) for (const event of result.data) console.log(event.type); // item_added
 */
export function normalizeEvent(
  message: unknown,
  options: NormalizeOptions & { format?: MessageFormat } = {},
): Result<CartEvent[]> {
  try {
    const object = asObject(message);
    if (!object) {
      return fail([
        issue(
          "invalid_type",
          [],
          `expected a JSON object, got ${message === null ? "null" : Array.isArray(message) ? "an array" : typeof message}`,
        ),
      ]);
    }
    const format = options.format ?? detectFormat(object);
    if (format !== undefined) {
      const oversized = oversizedFields(object, options.keepTraits ?? DEFAULT_KEEP_TRAITS);
      if (oversized.length > 0) return fail(oversized);
    }
    switch (format) {
      case "rudderstack": {
        const parsed = RudderMessage.parse(object);
        if (!parsed.success) return fail(fromZodIssues(parsed.error.issues, object));
        const id = toId(parsed.data.messageId) || `derived:${fnv1a(JSON.stringify(object))}`;
        return mapRudderstack(parsed.data, id, options);
      }
      case "shopify_checkout": {
        const parsed = ShopifyCheckout.parse(object);
        if (!parsed.success) return fail(fromZodIssues(parsed.error.issues, object));
        return mapShopifyCheckout(parsed.data, object, options);
      }
      case "woocommerce_order": {
        const parsed = WooOrder.parse(object);
        if (!parsed.success) return fail(fromZodIssues(parsed.error.issues, object));
        return mapWooOrder(parsed.data, options);
      }
      default:
        return fail([
          issue(
            "unsupported_event",
            [],
            'not a RudderStack message (no "type"), a Shopify checkout webhook or a WooCommerce order webhook',
          ),
        ]);
    }
  } catch (error) {
    return fail([
      issue(
        "invalid_value",
        [],
        `could not be read: ${error instanceof Error ? error.message : String(error)}`,
      ),
    ]);
  }
}

export { FIELD_LIMITS } from "./limits.js";
export type { NormalizeOptions } from "./options.js";
export { DEFAULT_KEEP_TRAITS } from "./options.js";
export { normalizePhone } from "./phone.js";
export { SUPPORTED_TRACK_EVENTS } from "./rudderstack.js";
