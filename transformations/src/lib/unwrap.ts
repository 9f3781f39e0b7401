/**
 * RudderStack's Webhook source wraps whatever a store posts as a track event (`webhook_source_event`)
 * with the body in `properties`; a Shopify or WooCommerce webhook routed that way is read from there.
 */
import { detectFormat } from "../../../src/core/normalize/index.js";

/** the raw store payload inside a wrapped webhook, or the message itself */
export function unwrapWebhook(message: unknown): unknown {
  if (message === null || typeof message !== "object" || Array.isArray(message)) return message;
  const m = message as Record<string, unknown>;
  const props = m.properties;
  if (m.type !== "track" || props === null || typeof props !== "object" || Array.isArray(props))
    return message;
  const format = detectFormat(props as Record<string, unknown>);
  return format === "shopify_checkout" || format === "woocommerce_order" ? props : message;
}
