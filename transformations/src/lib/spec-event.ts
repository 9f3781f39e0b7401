/**
 * Canonical cart events back into RudderStack's e-commerce v2 spec: what the normalize transformation
 * emits, so every destination after it sees one clean vocabulary whatever the store sent.
 */
import type { CartEvent, CartItem, Channel, Contact, Engagement } from "../../../src/core/events.js";
import type { NormalizeOptions } from "../../../src/core/normalize/index.js";

export interface NormalizeSettings {
  defaultRegion: string | null;
  consentCategories: Partial<Record<Channel, string[]>>;
}

/** the normalizer's options from the settings constant */
export function normalizeOptions(settings: NormalizeSettings): NormalizeOptions {
  const options: NormalizeOptions = { consentCategories: settings.consentCategories };
  if (settings.defaultRegion) options.defaultRegion = settings.defaultRegion;
  return options;
}

const ENGAGEMENT_EVENTS: Record<Engagement, string> = {
  delivered: "Email Delivered",
  opened: "Email Opened",
  clicked: "Email Link Clicked",
  bounced: "Email Bounced",
  complained: "Email Marked as Spam",
  unsubscribed: "Unsubscribed",
  replied: "Cart Recovery Message Replied",
  failed: "Cart Recovery Message Failed",
};

export type SpecMessage = Record<string, unknown> & { type: string; messageId: string };

function contactTraits(contact: Contact): Record<string, unknown> {
  const traits: Record<string, unknown> = {};
  if (contact.email) traits.email = contact.email;
  if (contact.phone) traits.phone = contact.phone;
  if (contact.firstName) traits.firstName = contact.firstName;
  if (contact.lastName) traits.lastName = contact.lastName;
  if (contact.name) traits.name = contact.name;
  return traits;
}

function envelope(event: CartEvent): SpecMessage {
  const { contact } = event;
  const context: Record<string, unknown> = { traits: contactTraits(contact) };
  if (contact.timezone) context.timezone = contact.timezone;
  if (contact.locale) context.locale = contact.locale;
  if (contact.invalidPhone) context.invalid_phone = contact.invalidPhone;
  const message: SpecMessage = {
    type: "track",
    messageId: event.id,
    timestamp: new Date(event.at).toISOString(),
    context,
  };
  if (contact.userId) message.userId = contact.userId;
  if (contact.anonymousId) message.anonymousId = contact.anonymousId;
  return message;
}

function product(item: CartItem): Record<string, unknown> {
  const p: Record<string, unknown> = {
    product_id: item.productId,
    quantity: item.quantity,
    price: item.price,
  };
  if (item.sku) p.sku = item.sku;
  if (item.variantId) p.variant = item.variantId;
  if (item.name) p.name = item.name;
  if (item.url) p.url = item.url;
  if (item.imageUrl) p.image_url = item.imageUrl;
  return p;
}

function cartProps(refs: readonly string[]): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  if (refs[0]) props.cart_id = refs[0];
  // every id of the cart (cart token, checkout token, checkout id) so later steps can join them
  if (refs.length > 1) props.cart_refs = [...refs];
  return props;
}

function value(items: readonly CartItem[]): number {
  return Math.round(items.reduce((sum, i) => sum + i.price * i.quantity, 0) * 10_000) / 10_000;
}

/** the canonical events that have a spec message of their own (activity goes on as it came) */
type SpecEvent = Exclude<CartEvent, { type: "activity" }>;

/** one canonical event as a RudderStack spec message (identify for identity and consent, track for the rest) */
export function toSpecMessage(event: SpecEvent): SpecMessage {
  const message = envelope(event);
  switch (event.type) {
    case "identified":
      message.type = "identify";
      message.traits = Object.assign(contactTraits(event.contact), event.traits);
      return message;
    case "consent_changed":
      message.type = "identify";
      message.traits = Object.assign(contactTraits(event.contact), {
        [`${event.channel}_opt_in`]: event.status === "granted",
      });
      return message;
    case "identity_merged":
      message.type = "alias";
      message.previousId = event.previousId;
      return message;
    case "item_added":
      message.event = "Product Added";
      message.properties = Object.assign(cartProps(event.cartRefs), product(event.item));
      if (event.currency) (message.properties as Record<string, unknown>).currency = event.currency;
      return message;
    case "item_removed": {
      message.event = "Product Removed";
      const props: Record<string, unknown> = Object.assign(cartProps(event.cartRefs), {
        product_id: event.productId,
      });
      if (event.sku) props.sku = event.sku;
      if (event.variantId) props.variant = event.variantId;
      if (event.quantity !== undefined) props.quantity = event.quantity;
      message.properties = props;
      return message;
    }
    case "cart_viewed":
    case "checkout_started": {
      message.event = event.type === "cart_viewed" ? "Cart Viewed" : "Checkout Started";
      const props: Record<string, unknown> = Object.assign(cartProps(event.cartRefs), {
        products: event.items.map(product),
        value: value(event.items),
      });
      if (event.currency) props.currency = event.currency;
      if (event.type === "checkout_started") {
        if (event.checkoutUrl) props.checkout_url = event.checkoutUrl;
        if (event.coupon) props.coupon = event.coupon;
      }
      message.properties = props;
      return message;
    }
    case "coupon_changed":
      message.event = event.coupon === null ? "Coupon Removed" : "Coupon Applied";
      message.properties = Object.assign(
        cartProps(event.cartRefs),
        event.coupon ? { coupon: event.coupon } : {},
      );
      return message;
    case "order_completed": {
      message.event = "Order Completed";
      const props: Record<string, unknown> = Object.assign(cartProps(event.cartRefs), {
        total: event.value,
        revenue: event.value,
      });
      if (event.orderId) props.order_id = event.orderId;
      if (event.currency) props.currency = event.currency;
      message.properties = props;
      return message;
    }
    case "order_cancelled": {
      message.event = event.reason === "refunded" ? "Order Refunded" : "Order Cancelled";
      const props: Record<string, unknown> = cartProps(event.cartRefs);
      if (event.orderId) props.order_id = event.orderId;
      if (event.value !== undefined) props.total = event.value;
      message.properties = props;
      return message;
    }
    case "message_engaged": {
      // the names cartback reads back; the channel travels in properties.channel
      message.event = ENGAGEMENT_EVENTS[event.engagement];
      const props: Record<string, unknown> = Object.assign(cartProps(event.cartRefs), {
        channel: event.channel,
      });
      if (event.stage !== undefined) props.stage = event.stage;
      if (event.step) props.step = event.step;
      if (event.key) props.key = event.key;
      message.properties = props;
      return message;
    }
  }
}

/**
 * One message's canonical events as few spec messages as possible: consent rides along as
 * `<channel>_opt_in` traits on the message's own event (which cartback reads back as consent), so a
 * destination sees one event per thing the shopper did, not one more per consent flag. A page, a
 * screen or a browsing event is activity, not a checkout step: `original` goes on unchanged.
 */
export function toSpecMessages(events: readonly CartEvent[], original: unknown): unknown[] {
  if (events.some((e) => e.type === "activity")) return [original];
  const flags: Record<string, boolean> = {};
  const rest: SpecEvent[] = [];
  for (const event of events as readonly SpecEvent[]) {
    if (event.type === "consent_changed") flags[`${event.channel}_opt_in`] = event.status === "granted";
    else rest.push(event);
  }
  const messages =
    rest.length > 0
      ? rest.map(toSpecMessage)
      : events.length > 0
        ? [toSpecMessage(events[0] as SpecEvent)]
        : [];
  for (const message of messages) {
    Object.assign((message.context as { traits: Record<string, unknown> }).traits, flags);
    if (message.type === "identify") Object.assign(message.traits as Record<string, unknown>, flags);
  }
  return messages;
}
