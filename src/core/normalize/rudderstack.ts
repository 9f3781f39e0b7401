/**
 * RudderStack and Segment messages (identify, track, alias, page, screen, group), including the event
 * names RudderStack's Shopify source uses ("Checkout Started Webhook", "Order Created", …).
 */
import type { CartEvent, Channel, Contact, Engagement, EventSource } from "../events.js";
import { fail, type Issue, issue, ok, type Result } from "../result.js";
import { currencyCode, firstTime, isIssue, refs, roundMoney, toItem, toItems } from "./common.js";
import { readConsent } from "./consent.js";
import { asObject, buildContact, type Json, text } from "./contact.js";
import { fromZodIssues } from "./issues.js";
import { DEFAULT_KEEP_TRAITS, type NormalizeOptions } from "./options.js";
import {
  CartProperties,
  EngagementProperties,
  type Product,
  ProductEventProperties,
  type RudderMessage,
  toId,
  toNumber,
} from "./schemas.js";

type Kind =
  | "item_added"
  | "item_removed"
  | "cart_viewed"
  | "checkout_started"
  | "checkout_step"
  | "browse"
  | "order_completed"
  | "order_updated"
  | "order_cancelled"
  | "order_refunded"
  | "coupon_applied"
  | "coupon_removed"
  | Engagement
  | "recovery_click";

/** track event names (lowercase) → what they mean for a cart */
const TRACKS: Record<string, Kind> = {
  "product added": "item_added",
  "product removed": "item_removed",
  "cart viewed": "cart_viewed",
  "checkout started": "checkout_started",
  "checkout started webhook": "checkout_started",
  "checkout updated": "checkout_started",
  "checkout step viewed": "checkout_step",
  "checkout step completed": "checkout_step",
  "payment info entered": "checkout_step",
  "shipping info entered": "checkout_step",
  "product viewed": "browse",
  "product list viewed": "browse",
  "product clicked": "browse",
  "products searched": "browse",
  "promotion viewed": "browse",
  "promotion clicked": "browse",
  "product added to wishlist": "browse",
  "order completed": "order_completed",
  "order created": "order_completed",
  "order updated": "order_updated",
  "order cancelled": "order_cancelled",
  "order refunded": "order_refunded",
  "coupon applied": "coupon_applied",
  "coupon removed": "coupon_removed",
  "email delivered": "delivered",
  "email opened": "opened",
  "email link clicked": "clicked",
  "email bounced": "bounced",
  "email marked as spam": "complained",
  unsubscribed: "unsubscribed",
  "recovery link clicked": "recovery_click",
};

// event names repeat endlessly: remember how each spelling maps
const kindCache = new Map<string, Kind | null>();

function trackKind(name: string): Kind | undefined {
  let kind = kindCache.get(name);
  if (kind === undefined) {
    kind = TRACKS[name.toLowerCase().replace(/[\s_]+/g, " ")] ?? null;
    if (kindCache.size > 1000) kindCache.clear();
    kindCache.set(name, kind);
  }
  return kind ?? undefined;
}

/** the track event names cartback reads, as RudderStack sends them */
export const SUPPORTED_TRACK_EVENTS = Object.keys(TRACKS);

/** where a message's time is read, in order */
const TIME_FIELDS = ["timestamp", "originalTimestamp", "receivedAt", "sentAt"] as const;

const CHANNEL_NAMES: readonly string[] = ["email", "sms", "whatsapp", "push"];

/** where a Shopify checkout keeps the shopper's number; the SMS consent's own number last */
const SHOPIFY_PHONE_KEYS = ["phone", "Phone", "phone_number", "mobile", "sms_marketing_phone"];

interface Envelope {
  id: string;
  at: number;
  source: EventSource;
  contact: Contact;
  context: Json | undefined;
  properties: Json;
  /**
   * where consent is looked up: `traits` → `context.traits`, and for the Shopify source also the
   * checkout it carries (`context.shopifyDetails`, its customer, `properties`)
   */
  traitSources: (Json | undefined)[];
}

export function mapRudderstack(
  message: RudderMessage,
  id: string,
  options: NormalizeOptions,
): Result<CartEvent[]> {
  const time = firstTime(message, TIME_FIELDS);
  if (time !== undefined && "code" in time) return fail([time]);
  const at = time?.at;
  if (at === undefined) {
    const bad = (["timestamp", "originalTimestamp", "receivedAt", "sentAt"] as const).find((k) => message[k]);
    return fail([
      bad
        ? issue("invalid_value", [bad], `expected an ISO-8601 timestamp, got "${message[bad]}"`)
        : issue(
            "missing_field",
            ["timestamp"],
            "timestamp is required (or originalTimestamp, receivedAt, sentAt)",
          ),
    ]);
  }
  const context = message.context ?? undefined;
  const traits = message.traits ?? undefined;
  const properties = message.properties ?? {};
  const contextTraits = asObject(context?.traits);
  const shop = asObject(context?.shopifyDetails);
  const isShopify = shop !== undefined || isShopifyLibrary(asObject(context?.library)?.name);
  // RudderStack's Shopify source keeps the checkout's own fields (email, phone, the marketing boxes)
  // in context.shopifyDetails (pixel flow) or flat in properties (legacy flow)
  const shopCustomer = isShopify ? (asObject(shop?.customer) ?? asObject(properties.customer)) : undefined;
  const traitSources = isShopify
    ? [traits, contextTraits, shop, shopCustomer, properties]
    : [traits, contextTraits];
  const contact = buildContact({
    sources: isShopify
      ? [traits, contextTraits, properties, shop, shopCustomer]
      : [traits, contextTraits, properties],
    personSources: isShopify ? [traits, contextTraits, shopCustomer] : traitSources,
    userId: toId(message.userId),
    anonymousId: toId(message.anonymousId),
    context,
    region: options.defaultRegion,
    ...(isShopify ? { phoneKeys: SHOPIFY_PHONE_KEYS } : {}),
  });
  if (!contact.userId && !contact.anonymousId && !contact.email && !contact.phone) {
    return fail([
      issue(
        "missing_identity",
        ["userId"],
        "a message needs userId or anonymousId (or an email or phone in traits)",
      ),
    ]);
  }
  const env: Envelope = {
    id,
    at,
    source: isShopify ? "shopify" : "rudderstack",
    contact,
    context,
    properties,
    traitSources,
  };
  const consent = consentEvents(env, options);

  switch (message.type) {
    case "identify":
      return ok([identified(env, traits, contextTraits, options), ...consent]);
    case "alias": {
      const previousId = toId(message.previousId);
      if (!previousId) {
        return fail([issue("missing_field", ["previousId"], "an alias needs previousId: the id it joins")]);
      }
      if (!contact.userId) return fail([issue("missing_field", ["userId"], "an alias needs userId")]);
      return ok([
        {
          id: env.id,
          at: env.at,
          source: env.source,
          contact: env.contact,
          type: "identity_merged",
          previousId,
        },
        ...consent,
      ]);
    }
    case "page":
    case "screen":
      return ok([
        {
          id: env.id,
          at: env.at,
          source: env.source,
          contact: env.contact,
          type: "activity",
          cartRefs: contextRefs(env),
          activity: message.type,
        },
        ...consent,
      ]);
    case "group":
      return ok(consent);
    case "track": {
      const name = message.event?.trim();
      if (!name) return fail([issue("missing_field", ["event"], "a track message needs an event name")]);
      const kind = trackKind(name);
      if (kind === undefined) return ok(consent);
      const mapped = mapTrack(kind, env);
      if (!mapped.success || consent.length === 0) return mapped;
      return ok([...mapped.data, ...consent]);
    }
  }
}

// a source sends the same library name with every message: remember the last answer
let lastLibrary: unknown;
let lastLibraryIsShopify = false;

function isShopifyLibrary(name: unknown): boolean {
  if (name !== lastLibrary) {
    lastLibraryIsShopify = text(name)?.toLowerCase().includes("shopify") ?? false;
    lastLibrary = name;
  }
  return lastLibraryIsShopify;
}

function identified(
  env: Envelope,
  traits: Json | undefined,
  contextTraits: Json | undefined,
  options: NormalizeOptions,
) {
  const kept: Record<string, string | number | boolean | null> = {};
  for (const key of options.keepTraits ?? DEFAULT_KEEP_TRAITS) {
    const value = traits?.[key] ?? contextTraits?.[key];
    if (
      value === null ||
      typeof value === "string" ||
      typeof value === "number" ||
      typeof value === "boolean"
    ) {
      kept[key] = value as string | number | boolean | null;
    }
  }
  return {
    id: env.id,
    at: env.at,
    source: env.source,
    contact: env.contact,
    type: "identified" as const,
    traits: kept,
  };
}

function consentEvents(env: Envelope, options: NormalizeOptions): CartEvent[] {
  return readConsent(env.traitSources, env.context, options).map(({ channel, status }) => ({
    id: `${env.id}#consent:${channel}`,
    at: env.at,
    source: env.source,
    contact: env.contact,
    type: "consent_changed" as const,
    channel,
    status,
  }));
}

function shopifyDetails(env: Envelope): Json | undefined {
  return asObject(env.context?.shopifyDetails);
}

function contextRefs(env: Envelope): string[] {
  return refs(env.context?.cart_token, env.context?.checkout_token);
}

function mapTrack(kind: Kind, env: Envelope): Result<CartEvent[]> {
  switch (kind) {
    case "item_added":
    case "item_removed":
      return itemEvent(kind, env);
    case "cart_viewed":
    case "checkout_started":
      return snapshotEvent(kind, env);
    case "checkout_step":
    case "browse": {
      const p = env.properties;
      const cartRefs = refs(p.cart_id, p.checkout_id, env.context?.checkout_token, env.context?.cart_token);
      return ok([
        {
          id: env.id,
          at: env.at,
          source: env.source,
          contact: env.contact,
          type: "activity",
          cartRefs,
          activity: kind,
        },
      ]);
    }
    case "order_completed":
    case "order_updated":
    case "order_cancelled":
    case "order_refunded":
      return orderEvent(kind, env);
    case "coupon_applied":
    case "coupon_removed": {
      const p = env.properties;
      const coupon = text(p.coupon) ?? text(p.coupon_name) ?? text(p.coupon_id);
      if (kind === "coupon_applied" && !coupon) {
        return fail([
          issue("missing_field", ["properties", "coupon"], "Coupon Applied needs the coupon code"),
        ]);
      }
      const cartRefs = refs(p.cart_id, p.checkout_id, p.order_id, ...contextRefs(env));
      return ok([
        {
          id: env.id,
          at: env.at,
          source: env.source,
          contact: env.contact,
          type: "coupon_changed",
          cartRefs,
          coupon: kind === "coupon_applied" ? (coupon as string) : null,
        },
      ]);
    }
    default:
      return engagementEvent(kind, env);
  }
}

function itemEvent(kind: "item_added" | "item_removed", env: Envelope): Result<CartEvent[]> {
  const parsed = ProductEventProperties.parse(env.properties);
  if (!parsed.success) return fail(fromZodIssues(parsed.error.issues, env.properties, ["properties"]));
  const p = parsed.data;
  const cartRefs = refs(p.cart_id, ...contextRefs(env));
  const item = toItem(p, ["properties"]);
  if (isIssue(item)) return fail([item]);
  if (kind === "item_added") {
    if (item.quantity === 0) {
      return fail([
        issue("invalid_value", ["properties", "quantity"], "Product Added needs a quantity of 1 or more"),
      ]);
    }
    const currency = currencyCode(p.currency);
    return ok([
      {
        id: env.id,
        at: env.at,
        source: env.source,
        contact: env.contact,
        type: "item_added",
        cartRefs,
        item,
        ...(currency ? { currency } : {}),
      },
    ]);
  }
  const removed: CartEvent = {
    id: env.id,
    at: env.at,
    source: env.source,
    contact: env.contact,
    type: "item_removed",
    cartRefs,
    productId: item.productId,
  };
  if (item.sku) removed.sku = item.sku;
  if (item.variantId) removed.variantId = item.variantId;
  if (p.quantity != null) removed.quantity = item.quantity;
  return ok([removed]);
}

function snapshotEvent(kind: "cart_viewed" | "checkout_started", env: Envelope): Result<CartEvent[]> {
  const parsed = CartProperties.parse(env.properties);
  if (!parsed.success) return fail(fromZodIssues(parsed.error.issues, env.properties, ["properties"]));
  const p = parsed.data;
  const { items, issues } = toItems(p.products, ["properties", "products"]);
  if (issues.length > 0) return fail(issues);
  const currency = currencyCode(p.currency);
  const extra = currency ? { currency } : {};
  if (kind === "cart_viewed") {
    const cartRefs = refs(p.cart_id, ...contextRefs(env));
    return ok([
      {
        id: env.id,
        at: env.at,
        source: env.source,
        contact: env.contact,
        type: "cart_viewed",
        cartRefs,
        items,
        ...extra,
      },
    ]);
  }
  const shop = shopifyDetails(env);
  const cartRefs = refs(
    p.cart_id,
    p.checkout_id,
    p.order_id,
    ...contextRefs(env),
    shop?.id,
    shop?.token,
    shop?.cart_token,
  );
  const checkoutUrl =
    p.checkout_url ??
    text(env.properties.abandoned_checkout_url) ??
    text(env.context?.abandoned_checkout_url) ??
    text(shop?.abandoned_checkout_url);
  const event: CartEvent = {
    id: env.id,
    at: env.at,
    source: env.source,
    contact: env.contact,
    type: "checkout_started",
    cartRefs,
    items,
    ...extra,
  };
  if (checkoutUrl) event.checkoutUrl = checkoutUrl;
  if (p.coupon) event.coupon = p.coupon;
  return ok([event]);
}

function orderEvent(
  kind: "order_completed" | "order_updated" | "order_cancelled" | "order_refunded",
  env: Envelope,
): Result<CartEvent[]> {
  const parsed = CartProperties.parse(env.properties);
  if (!parsed.success) return fail(fromZodIssues(parsed.error.issues, env.properties, ["properties"]));
  const p = parsed.data;
  const shop = shopifyDetails(env);
  const cartRefs = refs(
    p.cart_id,
    p.checkout_id,
    p.order_id,
    ...contextRefs(env),
    shop?.checkout_id,
    shop?.checkout_token,
    shop?.cart_token,
  );
  const orderId = toId(p.order_id) || text(shop?.id);
  const stated = p.total ?? p.revenue ?? p.value;
  const value =
    stated != null
      ? toNumber(stated)
      : p.subtotal != null
        ? toNumber(p.subtotal)
        : sumProducts(p.products ?? []);
  const currency = currencyCode(p.currency);
  const cancelled =
    kind === "order_cancelled" || (kind === "order_updated" && text(env.properties.cancelled_at));
  if (cancelled || kind === "order_refunded") {
    const event: CartEvent = {
      id: env.id,
      at: env.at,
      source: env.source,
      contact: env.contact,
      type: "order_cancelled",
      cartRefs,
      reason: kind === "order_refunded" ? "refunded" : "cancelled",
    };
    if (orderId) event.orderId = orderId;
    if (stated != null) event.value = roundMoney(value);
    return ok([event]);
  }
  const event: CartEvent = {
    id: env.id,
    at: env.at,
    source: env.source,
    contact: env.contact,
    type: "order_completed",
    cartRefs,
    value: roundMoney(value),
  };
  if (orderId) event.orderId = orderId;
  if (currency) event.currency = currency;
  return ok([event]);
}

function sumProducts(products: readonly Product[]): number {
  let sum = 0;
  for (const p of products)
    sum += (p.price == null ? 0 : toNumber(p.price)) * (p.quantity == null ? 1 : toNumber(p.quantity));
  return sum;
}

function engagementEvent(kind: Engagement | "recovery_click", env: Envelope): Result<CartEvent[]> {
  const parsed = EngagementProperties.parse(env.properties);
  if (!parsed.success) return fail(fromZodIssues(parsed.error.issues, env.properties, ["properties"]));
  const p = parsed.data;
  const channelText = p.channel?.toLowerCase();
  if (channelText && !CHANNEL_NAMES.includes(channelText)) {
    const problem: Issue = issue(
      "invalid_value",
      ["properties", "channel"],
      `expected one of ${CHANNEL_NAMES.join(", ")}, got "${p.channel}"`,
    );
    return fail([problem]);
  }
  const channel = (channelText ?? "email") as Channel;
  const engagement: Engagement = kind === "recovery_click" ? "clicked" : kind;
  const event: CartEvent = {
    id: env.id,
    at: env.at,
    source: env.source,
    contact: env.contact,
    type: "message_engaged",
    engagement,
    channel,
    cartRefs: refs(p.cart_id),
  };
  if (p.stage != null) event.stage = toNumber(p.stage);
  if (p.step) event.step = p.step;
  if (p.key) event.key = p.key;
  const events: CartEvent[] = [event];
  if (engagement === "unsubscribed" || engagement === "complained") {
    events.push({
      id: `${env.id}#consent:${channel}`,
      at: env.at,
      source: env.source,
      contact: env.contact,
      type: "consent_changed",
      channel,
      status: "denied",
    });
  }
  return ok(events);
}
