/**
 * WooCommerce order webhooks. WooCommerce has no abandonment webhook, but with the Checkout Block an
 * `order.created` fires for a draft (`checkout-draft`) order: that draft is the checkout starting.
 */
import type { CartEvent } from "../events.js";
import { itemsValue } from "../money.js";
import { fail, issue, ok, type Result } from "../result.js";
import { currencyCode, firstTime, refs, roundMoney, toItems } from "./common.js";
import { readConsent } from "./consent.js";
import { asObject, buildContact, text } from "./contact.js";
import type { NormalizeOptions } from "./options.js";
import { toId, toNumber, type WooOrder } from "./schemas.js";

/** order statuses and what they mean for the cart */
const STATUS: Record<string, "checkout" | "ordered" | "cancelled" | "refunded"> = {
  "checkout-draft": "checkout",
  pending: "checkout",
  failed: "checkout",
  "on-hold": "ordered",
  processing: "ordered",
  completed: "ordered",
  cancelled: "cancelled",
  refunded: "refunded",
};

export function mapWooOrder(order: WooOrder, options: NormalizeOptions): Result<CartEvent[]> {
  const meaning = STATUS[order.status];
  if (meaning === undefined) {
    return fail([
      issue(
        "invalid_value",
        ["status"],
        `unknown WooCommerce order status "${order.status}"; expected one of ${Object.keys(STATUS).join(", ")}`,
      ),
    ]);
  }
  // WooCommerce's *_gmt fields carry no zone suffix
  const utc = (value: string | null | undefined) =>
    value && !/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? `${value}Z` : value;
  const time = firstTime(order, ["date_modified_gmt", "date_created_gmt"], utc);
  if (time !== undefined && "code" in time) return fail([time]);
  const atUtc = time?.at;
  if (atUtc === undefined) {
    return fail([
      issue("missing_field", ["date_modified_gmt"], "an order needs date_modified_gmt or date_created_gmt"),
    ]);
  }
  const billing = asObject(order.billing);
  const shipping = asObject(order.shipping);
  const customerId = toId(order.customer_id);
  const orderId = String(order.id);
  const contact = buildContact({
    sources: [billing, shipping],
    userId: customerId && customerId !== "0" ? customerId : undefined,
    region: text(billing?.country) ?? options.defaultRegion,
  });
  if (!contact.userId && !contact.email && !contact.phone) {
    return fail([
      issue("missing_identity", ["billing", "email"], "an order without email, phone or customer_id"),
    ]);
  }
  const id = `woocommerce:order:${order.id}:${order.status}:${order.date_modified_gmt ?? order.date_created_gmt}`;
  const products = order.line_items.map((line) => ({
    product_id: line.product_id,
    variant_id: toId(line.variation_id) === "0" ? undefined : line.variation_id,
    sku: line.sku || undefined,
    name: line.name,
    quantity: line.quantity,
    price:
      line.price ??
      (line.total != null && toNumber(line.quantity) > 0
        ? toNumber(line.total) / toNumber(line.quantity)
        : 0),
  }));
  const { items, issues } = toItems(products, ["line_items"]);
  if (issues.length > 0) return fail(issues);
  const cartRefs = refs(order.id, order.cart_hash);
  const currency = currencyCode(order.currency);
  const base = { id, at: atUtc, source: "woocommerce" as const, contact, cartRefs };
  const consent: CartEvent[] = readConsent([billing], undefined, options).map(({ channel, status }) => ({
    id: `${id}#consent:${channel}`,
    at: atUtc,
    source: "woocommerce",
    contact,
    type: "consent_changed",
    channel,
    status,
  }));
  if (meaning === "checkout") {
    const event: CartEvent = { ...base, type: "checkout_started", items };
    if (currency) event.currency = currency;
    if (order.payment_url) event.checkoutUrl = order.payment_url;
    return ok([event, ...consent]);
  }
  if (meaning === "ordered") {
    const value = order.total != null ? toNumber(order.total) : itemsValue(items);
    const event: CartEvent = { ...base, type: "order_completed", orderId, value: roundMoney(value) };
    if (currency) event.currency = currency;
    return ok([event, ...consent]);
  }
  const cancelled: CartEvent = { ...base, type: "order_cancelled", orderId, reason: meaning };
  if (order.total != null) cancelled.value = roundMoney(toNumber(order.total));
  return ok([cancelled, ...consent]);
}
