/**
 * Schemas for what sources send: the RudderStack message envelope, the e-commerce v2 properties
 * cartback reads, Shopify checkouts and WooCommerce orders. Numbers may arrive as strings
 * (`"19.99"`); mappers convert them with `toNumber` / `toId`. Keys not named here are allowed and
 * ignored. Each schema is a zod schema (`X.schema`) with a non-allocating fast path (see shape.ts).
 */
import { type Infer, listOf, oneOf, required, scalar, shape } from "./shape.js";

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const WHOLE = /^\s*\d+\s*$/;

const isFiniteNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);
const isMoney = (v: unknown) => isFiniteNumber(v) || (typeof v === "string" && NUMERIC.test(v));
const isWhole = (v: unknown) =>
  (isFiniteNumber(v) && Number.isInteger(v)) || (typeof v === "string" && WHOLE.test(v));
const isId = (v: unknown) => (typeof v === "string" && v.trim() !== "") || isFiniteNumber(v);
const isText = (v: unknown) => typeof v === "string";
const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);

const MONEY_ERROR = 'expected a number or a numeric string like "19.99"';
const QUANTITY_ERROR = 'expected a whole number or a numeric string like "2"';
const ID_ERROR = "expected a non-empty string or number id";

/** a number, or a string holding one (`"19.99"`) */
const Money = scalar<number | string>(isMoney, MONEY_ERROR, "invalid_value");
/** a whole number, or a string holding one */
const Quantity = scalar<number | string>(isWhole, QUANTITY_ERROR, "invalid_value");
/** ids arrive as strings or numbers (Shopify, WooCommerce) */
const Id = scalar<string | number>(isId, ID_ERROR, "invalid_type");
const Text = scalar<string>(isText, "expected a string", "invalid_type");
const Timestamp = scalar<string>(isText, "expected an ISO-8601 timestamp string", "invalid_type");
const Json = scalar<Record<string, unknown>>(isObject, "expected an object", "invalid_type");
const Anything = scalar<unknown>(() => true, "", "invalid_value");
/** an address or customer: Shopify sends `[]` (PHP's empty array) where there is none, as for digital carts */
const isObjectOrNone = (v: unknown) => isObject(v) || (Array.isArray(v) && v.length === 0);
const JsonOrNone = scalar<Record<string, unknown> | never[]>(
  isObjectOrNone,
  "expected an object (or [] for none)",
  "invalid_type",
);

/** a number from a value the schemas accepted as money or quantity */
export function toNumber(value: number | string): number {
  return typeof value === "number" ? value : Number(value);
}

/** an id as a string, from a value the schemas accepted as an id */
export function toId(value: string | number | null | undefined): string | undefined {
  return value == null ? undefined : String(value).trim();
}

export const MESSAGE_TYPES = ["identify", "track", "alias", "page", "screen", "group"] as const;

/** the RudderStack (and Segment) message envelope */
export const RudderMessage = shape({
  type: oneOf(MESSAGE_TYPES, `expected "type" to be one of ${MESSAGE_TYPES.join(", ")}`),
  messageId: Id,
  anonymousId: Id,
  userId: Id,
  previousId: Id,
  event: Text,
  timestamp: Timestamp,
  originalTimestamp: Timestamp,
  sentAt: Timestamp,
  receivedAt: Timestamp,
  context: Json,
  properties: Json,
  traits: Json,
});
export type RudderMessage = Infer<typeof RudderMessage>;

const productFields = {
  product_id: Id,
  id: Id,
  sku: Id,
  variant_id: Id,
  variant: Anything,
  name: Text,
  title: Text,
  price: Money,
  quantity: Quantity,
  url: Text,
  image_url: Text,
};

/** one product in an e-commerce v2 event (in `products[]`) */
export const Product = shape(productFields);
export type Product = Infer<typeof Product>;

/** Product Added / Removed: the product's fields sit flat in `properties` */
export const ProductEventProperties = shape({ ...productFields, cart_id: Id, currency: Text });
export type ProductEventProperties = Infer<typeof ProductEventProperties>;

const Products = listOf(Product, "expected an array of products", true);

export const CartProperties = shape({
  cart_id: Id,
  checkout_id: Id,
  order_id: Id,
  currency: Text,
  products: Products,
  coupon: Text,
  checkout_url: Text,
  value: Money,
  revenue: Money,
  total: Money,
  subtotal: Money,
});
export type CartProperties = Infer<typeof CartProperties>;

export const EngagementProperties = shape({
  cart_id: Id,
  channel: Text,
  stage: Quantity,
  step: Text,
  key: Text,
});
export type EngagementProperties = Infer<typeof EngagementProperties>;

/** Shopify `checkouts/create|update` webhook body (the fields cartback reads) */
export const ShopifyCheckout = shape({
  id: required<string | number>(isId, ID_ERROR),
  token: Id,
  cart_token: Id,
  email: Text,
  phone: Text,
  sms_marketing_phone: Text,
  created_at: Timestamp,
  updated_at: Timestamp,
  completed_at: Timestamp,
  abandoned_checkout_url: Text,
  currency: Text,
  presentment_currency: Text,
  total_price: Money,
  order_id: Id,
  line_items: listOf(
    shape({
      product_id: Id,
      variant_id: Id,
      sku: Id,
      title: Text,
      quantity: required<number | string>(isWhole, QUANTITY_ERROR),
      price: required<number | string>(isMoney, MONEY_ERROR),
    }),
    "expected line_items to be an array",
    false,
  ),
  customer: JsonOrNone,
  billing_address: JsonOrNone,
  shipping_address: JsonOrNone,
});
export type ShopifyCheckout = Infer<typeof ShopifyCheckout>;

/** WooCommerce order webhook body (`order.created` / `order.updated`) */
export const WooOrder = shape({
  id: required<string | number>(isId, ID_ERROR),
  status: required<string>(isText, "expected the order status as a string"),
  currency: Text,
  total: Money,
  customer_id: Id,
  date_created_gmt: Timestamp,
  date_modified_gmt: Timestamp,
  date_completed_gmt: Timestamp,
  payment_url: Text,
  cart_hash: Text,
  billing: JsonOrNone,
  shipping: JsonOrNone,
  line_items: listOf(
    shape({
      product_id: Id,
      variation_id: Id,
      sku: Id,
      name: Text,
      quantity: required<number | string>(isWhole, QUANTITY_ERROR),
      price: Money,
      total: Money,
    }),
    "expected line_items to be an array",
    false,
  ),
});
export type WooOrder = Infer<typeof WooOrder>;
