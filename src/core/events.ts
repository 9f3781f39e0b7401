/**
 * The canonical cart events: what every source (RudderStack, Shopify, WooCommerce, Twilio, MailerLite)
 * is normalised into. Internal, past tense, snake_case; source names never leak past the mappers.
 */

export const CHANNELS = ["email", "sms", "whatsapp", "push"] as const;
export type Channel = (typeof CHANNELS)[number];

export type ConsentStatus = "granted" | "denied" | "unknown";

export type Device = "mobile" | "tablet" | "desktop";

/** where an event came from, after mapping */
export type EventSource =
  | "rudderstack"
  | "shopify"
  | "shopify_webhook"
  | "woocommerce"
  | "twilio"
  | "mailerlite"
  | "sendgrid"
  | "cartback";

/** contact details an event carries; phone is E.164 when it could be parsed */
export interface Contact {
  userId?: string;
  anonymousId?: string;
  email?: string;
  phone?: string;
  /** the phone as received, when it could not be turned into E.164 */
  invalidPhone?: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  timezone?: string;
  locale?: string;
  device?: Device;
}

export interface CartItem {
  productId: string;
  sku?: string;
  variantId?: string;
  name?: string;
  quantity: number;
  /** unit price in the cart's currency, major units (19.99) */
  price: number;
  url?: string;
  imageUrl?: string;
}

/**
 * every id a source uses for one cart: RudderStack `cart_id`, Shopify cart token, checkout token and
 * checkout id, a WooCommerce order id. A cart matches an event when any of them overlap.
 */
export type CartRefs = string[];

interface EventBase {
  /** unique per event: the source message id, suffixed when one message yields several events */
  id: string;
  /** epoch milliseconds of when it happened at the source */
  at: number;
  source: EventSource;
  contact: Contact;
}

export interface IdentifiedEvent extends EventBase {
  type: "identified";
  /** traits cartback keeps (e.g. `loyalty_tier`); scalars only */
  traits: Record<string, string | number | boolean | null>;
}

export interface ConsentChangedEvent extends EventBase {
  type: "consent_changed";
  channel: Channel;
  status: Exclude<ConsentStatus, "unknown">;
}

/** any sign the shopper is still around (page, screen, checkout step), which postpones abandonment */
export interface ActivityEvent extends EventBase {
  type: "activity";
  cartRefs: CartRefs;
  /** e.g. "page", "screen", "checkout_step", "payment_info" */
  activity: string;
}

export interface ItemAddedEvent extends EventBase {
  type: "item_added";
  cartRefs: CartRefs;
  item: CartItem;
  currency?: string;
}

export interface ItemRemovedEvent extends EventBase {
  type: "item_removed";
  cartRefs: CartRefs;
  productId: string;
  sku?: string;
  variantId?: string;
  /** how many to remove; all of that product when absent */
  quantity?: number;
}

/** a full snapshot of the cart's items: replaces what was known */
export interface CartViewedEvent extends EventBase {
  type: "cart_viewed";
  cartRefs: CartRefs;
  items: CartItem[];
  currency?: string;
}

export interface CheckoutStartedEvent extends EventBase {
  type: "checkout_started";
  cartRefs: CartRefs;
  /** a snapshot; empty when the source sent no products (then the known items stay) */
  items: CartItem[];
  currency?: string;
  /** the shop's own restore link, e.g. Shopify's `abandoned_checkout_url` */
  checkoutUrl?: string;
  coupon?: string;
}

export interface CouponChangedEvent extends EventBase {
  type: "coupon_changed";
  cartRefs: CartRefs;
  coupon: string | null;
}

export interface OrderCompletedEvent extends EventBase {
  type: "order_completed";
  orderId?: string;
  cartRefs: CartRefs;
  value: number;
  currency?: string;
}

export interface OrderCancelledEvent extends EventBase {
  type: "order_cancelled";
  orderId?: string;
  cartRefs: CartRefs;
  /** refunds keep the order but lower lifetime value */
  reason: "cancelled" | "refunded";
  value?: number;
}

export type Engagement =
  | "delivered"
  | "opened"
  | "clicked"
  | "replied"
  | "failed"
  | "bounced"
  | "complained"
  | "unsubscribed";

export interface MessageEngagedEvent extends EventBase {
  type: "message_engaged";
  engagement: Engagement;
  channel: Channel;
  cartRefs: CartRefs;
  stage?: number;
  step?: string;
  /** idempotency key of the command this answers, when known */
  key?: string;
}

/** alias: `previousId` and the event's identity are the same person */
export interface IdentityMergedEvent extends EventBase {
  type: "identity_merged";
  previousId: string;
}

export type CartEvent =
  | IdentifiedEvent
  | ConsentChangedEvent
  | ActivityEvent
  | ItemAddedEvent
  | ItemRemovedEvent
  | CartViewedEvent
  | CheckoutStartedEvent
  | CouponChangedEvent
  | OrderCompletedEvent
  | OrderCancelledEvent
  | MessageEngagedEvent
  | IdentityMergedEvent;

export type CartEventType = CartEvent["type"];
