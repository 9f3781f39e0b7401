/**
 * Shopify's raw `checkouts/create` and `checkouts/update` webhook bodies. A checkout with
 * `completed_at` has become an order, so it also completes the cart.
 */
import type { CartEvent } from "../events.js";
import { itemsValue } from "../money.js";
import { fail, issue, ok, type Result } from "../result.js";
import { currencyCode, firstTime, parseTime, refs, roundMoney, toItems } from "./common.js";
import { readConsent } from "./consent.js";
import { asObject, buildContact, text } from "./contact.js";
import type { NormalizeOptions } from "./options.js";
import { type ShopifyCheckout, toId, toNumber } from "./schemas.js";

export function mapShopifyCheckout(
  checkout: ShopifyCheckout,
  raw: Record<string, unknown>,
  options: NormalizeOptions,
): Result<CartEvent[]> {
  const time = firstTime(checkout, ["updated_at", "created_at"]);
  if (time !== undefined && "code" in time) return fail([time]);
  const at = time?.at;
  if (at === undefined) {
    return fail([
      issue("missing_field", ["updated_at"], "a checkout needs updated_at or created_at (ISO-8601)"),
    ]);
  }
  const customer = asObject(checkout.customer);
  const billing = asObject(checkout.billing_address);
  const shipping = asObject(checkout.shipping_address);
  // consent flags and contact fields are read from the raw body
  const root = raw;
  const contact = buildContact({
    sources: [root, customer, billing, shipping],
    // the checkout's own `name` is its number (`#1001`), not the shopper's
    personSources: [customer, billing, shipping],
    userId: text(customer?.id),
    region: text(billing?.country_code) ?? text(shipping?.country_code) ?? options.defaultRegion,
    phoneKeys: ["phone", "sms_marketing_phone"],
  });
  if (!contact.userId && !contact.email && !contact.phone) {
    return fail([
      issue("missing_identity", ["email"], "a checkout without email, phone or customer cannot be recovered"),
    ]);
  }
  const id = `shopify:checkout:${checkout.id}:${checkout.updated_at ?? checkout.created_at}`;
  const products = checkout.line_items.map((line) => ({
    product_id: line.product_id,
    variant_id: line.variant_id,
    sku: line.sku,
    title: line.title,
    quantity: line.quantity,
    price: line.price,
  }));
  const { items, issues } = toItems(products, ["line_items"]);
  if (issues.length > 0) return fail(issues);
  const cartRefs = refs(checkout.id, checkout.token, checkout.cart_token);
  const currency = currencyCode(checkout.presentment_currency) ?? currencyCode(checkout.currency);
  const base = { at, source: "shopify_webhook" as const, contact };
  const started: CartEvent = { ...base, id, type: "checkout_started", cartRefs, items };
  if (currency) started.currency = currency;
  if (checkout.abandoned_checkout_url) started.checkoutUrl = checkout.abandoned_checkout_url;
  const events: CartEvent[] = [started];
  for (const { channel, status } of readConsent([root, customer], undefined, options)) {
    events.push({ ...base, id: `${id}#consent:${channel}`, type: "consent_changed", channel, status });
  }
  const completedAt = parseTime(checkout.completed_at);
  if (completedAt !== undefined) {
    const value = checkout.total_price != null ? toNumber(checkout.total_price) : itemsValue(items);
    const order: CartEvent = {
      ...base,
      at: completedAt,
      id: `${id}#completed`,
      type: "order_completed",
      cartRefs,
      value: roundMoney(value),
    };
    const orderId = toId(checkout.order_id);
    if (orderId) order.orderId = orderId;
    if (currency) order.currency = currency;
    events.push(order);
  }
  return ok(events);
}
