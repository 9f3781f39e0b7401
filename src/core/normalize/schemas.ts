/**
 * zod schemas for what sources send: the RudderStack message envelope and the e-commerce v2 properties
 * cartback reads. Numbers may arrive as strings (`"19.99"`); unknown keys are kept and ignored.
 */
import * as z from "zod/mini";

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const MONEY_ERROR = 'expected a number or a numeric string like "19.99"';
const QUANTITY_ERROR = 'expected a whole number or a numeric string like "2"';

/** a number, or a string holding one (`"19.99"`) */
export const Money = z.pipe(
  z.union([z.number(), z.string().check(z.regex(NUMERIC, { error: MONEY_ERROR }))], { error: MONEY_ERROR }),
  z.transform((v) => (typeof v === "number" ? v : Number(v))),
);

/** a positive whole number, or a string holding one */
export const Quantity = z.pipe(
  z.union([z.number(), z.string().check(z.regex(/^\s*\d+\s*$/, { error: QUANTITY_ERROR }))], {
    error: QUANTITY_ERROR,
  }),
  z.transform((v) => (typeof v === "number" ? v : Number(v))),
);

/** ids arrive as strings or numbers (Shopify, WooCommerce); always kept as strings */
export const Id = z.pipe(
  z.union([z.string().check(z.minLength(1)), z.number()], {
    error: "expected a non-empty string or number id",
  }),
  z.transform((v) => String(v)),
);

const OptionalText = z.optional(z.nullable(z.string({ error: "expected a string" })));
const Timestamp = z.optional(z.nullable(z.string({ error: "expected an ISO-8601 timestamp string" })));
const Json = z.record(z.string(), z.unknown());

export const MESSAGE_TYPES = ["identify", "track", "alias", "page", "screen", "group"] as const;

/** the RudderStack (and Segment) message envelope */
export const RudderMessage = z.looseObject({
  type: z.enum(MESSAGE_TYPES, {
    error: `expected "type" to be one of ${MESSAGE_TYPES.join(", ")}`,
  }),
  messageId: z.optional(z.nullable(Id)),
  anonymousId: z.optional(z.nullable(Id)),
  userId: z.optional(z.nullable(Id)),
  previousId: z.optional(z.nullable(Id)),
  event: OptionalText,
  timestamp: Timestamp,
  originalTimestamp: Timestamp,
  sentAt: Timestamp,
  receivedAt: Timestamp,
  context: z.optional(z.nullable(Json)),
  properties: z.optional(z.nullable(Json)),
  traits: z.optional(z.nullable(Json)),
});
export type RudderMessage = z.infer<typeof RudderMessage>;

/** one product in an e-commerce v2 event (flat on Product Added/Removed, in `products[]` elsewhere) */
export const Product = z.looseObject({
  product_id: z.optional(z.nullable(Id)),
  id: z.optional(z.nullable(Id)),
  sku: z.optional(z.nullable(Id)),
  variant_id: z.optional(z.nullable(Id)),
  variant: z.optional(z.nullable(z.unknown())),
  name: OptionalText,
  title: OptionalText,
  price: z.optional(z.nullable(Money)),
  quantity: z.optional(z.nullable(Quantity)),
  url: OptionalText,
  image_url: OptionalText,
});
export type Product = z.infer<typeof Product>;

const Products = z.optional(z.nullable(z.array(Product, { error: "expected an array of products" })));

export const CartProperties = z.looseObject({
  cart_id: z.optional(z.nullable(Id)),
  checkout_id: z.optional(z.nullable(Id)),
  order_id: z.optional(z.nullable(Id)),
  currency: OptionalText,
  products: Products,
  coupon: OptionalText,
  checkout_url: OptionalText,
  value: z.optional(z.nullable(Money)),
  revenue: z.optional(z.nullable(Money)),
  total: z.optional(z.nullable(Money)),
  subtotal: z.optional(z.nullable(Money)),
});
export type CartProperties = z.infer<typeof CartProperties>;

export const EngagementProperties = z.looseObject({
  cart_id: z.optional(z.nullable(Id)),
  channel: OptionalText,
  stage: z.optional(z.nullable(Quantity)),
  step: OptionalText,
  key: OptionalText,
});
export type EngagementProperties = z.infer<typeof EngagementProperties>;

/** Shopify `checkouts/create|update` webhook body (the fields cartback reads) */
export const ShopifyCheckout = z.looseObject({
  id: Id,
  token: z.optional(z.nullable(Id)),
  cart_token: z.optional(z.nullable(Id)),
  email: OptionalText,
  phone: OptionalText,
  sms_marketing_phone: OptionalText,
  buyer_accepts_marketing: z.optional(z.nullable(z.boolean())),
  buyer_accepts_sms_marketing: z.optional(z.nullable(z.boolean())),
  created_at: Timestamp,
  updated_at: Timestamp,
  completed_at: Timestamp,
  abandoned_checkout_url: OptionalText,
  currency: OptionalText,
  presentment_currency: OptionalText,
  total_price: z.optional(z.nullable(Money)),
  order_id: z.optional(z.nullable(Id)),
  line_items: z.array(
    z.looseObject({
      product_id: z.optional(z.nullable(Id)),
      variant_id: z.optional(z.nullable(Id)),
      sku: z.optional(z.nullable(Id)),
      title: OptionalText,
      quantity: Quantity,
      price: Money,
    }),
    { error: "expected line_items to be an array" },
  ),
  customer: z.optional(z.nullable(Json)),
  billing_address: z.optional(z.nullable(Json)),
  shipping_address: z.optional(z.nullable(Json)),
});
export type ShopifyCheckout = z.infer<typeof ShopifyCheckout>;

/** WooCommerce order webhook body (`order.created` / `order.updated`) */
export const WooOrder = z.looseObject({
  id: Id,
  status: z.string({ error: "expected the order status as a string" }),
  currency: OptionalText,
  total: z.optional(z.nullable(Money)),
  customer_id: z.optional(z.nullable(Id)),
  date_created_gmt: Timestamp,
  date_modified_gmt: Timestamp,
  date_completed_gmt: Timestamp,
  payment_url: OptionalText,
  cart_hash: OptionalText,
  billing: z.optional(z.nullable(Json)),
  shipping: z.optional(z.nullable(Json)),
  line_items: z.array(
    z.looseObject({
      product_id: z.optional(z.nullable(Id)),
      variation_id: z.optional(z.nullable(Id)),
      sku: z.optional(z.nullable(Id)),
      name: OptionalText,
      quantity: Quantity,
      price: z.optional(z.nullable(Money)),
      total: z.optional(z.nullable(Money)),
    }),
    { error: "expected line_items to be an array" },
  ),
});
export type WooOrder = z.infer<typeof WooOrder>;

/** Product Added / Removed: the product's fields sit flat in `properties` */
export const ProductEventProperties = z.extend(Product, {
  cart_id: z.optional(z.nullable(Id)),
  currency: OptionalText,
});
export type ProductEventProperties = z.infer<typeof ProductEventProperties>;
