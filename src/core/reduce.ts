/**
 * `reduceProfile`: one shopper's state after one more event. Pure and deterministic; built to be
 * robust to what real streams do: duplicates, late and out-of-order events, snapshots vs increments.
 */
import type { CartEvent, CartItem, Channel, Contact, EventSource } from "./events.js";
import { itemsValue, roundMoney } from "./money.js";
import type {
  Cart,
  ConsentInstruction,
  ConsentState,
  EngagementRecord,
  OrderHistory,
  Profile,
} from "./profile.js";
import { copyCart, copyProfile, isOpenCart, PROFILE_LIMITS } from "./profile.js";

/** carts idle this long are expired when the shopper starts another */
export const CART_EXPIRY_MS = 30 * 24 * 60 * 60 * 1000;

export function emptyProfile(id: string, at: number): Profile {
  return copyProfile({
    id,
    anonymousIds: [],
    traits: {},
    consent: {
      email: { status: "unknown" },
      sms: { status: "unknown" },
      whatsapp: { status: "unknown" },
      push: { status: "unknown" },
    },
    orders: { count: 0, lifetimeValue: 0, recentIds: [] },
    carts: [],
    engagement: [],
    journeys: {},
    seen: [],
    firstSeenAt: at,
    lastSeenAt: at,
  });
}

/** `list` with `value` appended, the oldest entries dropped past `limit`; allocated at its final size */
function pushBounded<T>(list: readonly T[], value: T, limit: number): T[] {
  const from = list.length >= limit ? list.length - limit + 1 : 0;
  const next = new Array<T>(list.length - from + 1);
  for (let i = from; i < list.length; i++) next[i - from] = list[i] as T;
  next[list.length - from] = value;
  return next;
}

/**
 * Consent decisions and aliases give the same state however often and whenever they arrive (the
 * newest decision wins by its time); every other event is remembered in `profile.seen` so that a
 * duplicate delivery cannot count twice or bring back an older state.
 */
const IDEMPOTENT: ReadonlySet<CartEvent["type"]> = new Set(["consent_changed", "identity_merged"]);

/** the newest time a consent decision was made (first made, or confirmed since) */
export function decidedAt(state: ConsentState): number {
  return state.confirmedAt ?? state.at ?? Number.NEGATIVE_INFINITY;
}

/** sources whose consent events are the provider's own instructions (STOP, START, unsubscribe) */
const INSTRUCTING: ReadonlySet<EventSource> = new Set(["twilio", "mailerlite", "sendgrid"]);

/** true when a consent event from `source` is a provider's instruction rather than a store's traits */
export function isConsentInstruction(source: EventSource | undefined): boolean {
  return source !== undefined && INSTRUCTING.has(source);
}

type Decision = Pick<ConsentState, "status" | "at" | "eventId" | "source" | "confirmedAt">;

/** the newest decision behind a state, whatever an instruction holds its status at */
function decisionOf(state: ConsentState): Decision {
  return state.decided === undefined
    ? state
    : {
        status: state.decided,
        at: state.at,
        eventId: state.eventId,
        source: state.source,
        confirmedAt: state.confirmedAt,
      };
}

/**
 * The newer of two decisions from any source. The same decision made again keeps the time it was
 * first made and moves `confirmedAt`; a different one wins when it is newer than the newest time the
 * current one was made. Two different decisions made at the same instant resolve to "denied" whatever
 * order they arrive in, so a duplicate delivery of either cannot flip the outcome (and a tie never
 * opts anyone in).
 */
function resolveDecision(current: Decision, candidate: Decision): Decision {
  if (candidate.at === undefined) return current;
  const candidateAt = decidedAt(candidate);
  const currentAt = decidedAt(current);
  if (candidate.status === current.status) {
    return candidateAt > currentAt
      ? {
          status: current.status,
          at: current.at,
          eventId: current.eventId,
          source: current.source,
          confirmedAt: candidateAt,
        }
      : current;
  }
  return candidateAt > currentAt || (candidateAt === currentAt && candidate.status === "denied")
    ? candidate
    : current;
}

/** the newer of two provider instructions; at the same instant the opt-out, then the lower id */
function newerInstruction(
  a: ConsentInstruction | undefined,
  b: ConsentInstruction | undefined,
): ConsentInstruction | undefined {
  if (b === undefined || a === b) return a;
  if (a === undefined) return b;
  if (a.at !== b.at) return b.at > a.at ? b : a;
  if (a.status !== b.status) return a.status === "denied" ? a : b;
  return a.eventId <= b.eventId ? a : b;
}

function unionIds(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (b === undefined || b.length === 0) return a;
  if (a === undefined) return b.slice(-PROFILE_LIMITS.instructionIds);
  let out: string[] | undefined;
  for (const id of b) {
    if (a.includes(id)) continue;
    out ??= a.slice();
    out.push(id);
  }
  return out === undefined ? a : out.slice(-PROFILE_LIMITS.instructionIds);
}

/**
 * The consent on record for a channel once `candidate` (a new decision, or the other profile's record
 * in a merge) is taken into account; `current` itself when it does not change.
 *
 * Two things are kept: the newest decision from any source (see `resolveDecision`), and the
 * provider's newest instruction. An opt-out from the provider (a STOP, an unsubscribe) holds the
 * status at "denied" against any grant in the store's traits, however it is dated, until the
 * provider reports a newer opt-in. An instruction whose id was applied before (a replayed webhook)
 * changes nothing. Both parts are order-free, so the outcome does not depend on arrival order.
 */
export function resolveConsent(current: ConsentState, candidate: ConsentState): ConsentState {
  const replayed =
    candidate.eventId !== undefined && current.instructionIds?.includes(candidate.eventId) === true;
  const base = decisionOf(current);
  const decision = replayed ? base : resolveDecision(base, decisionOf(candidate));
  const instruction = newerInstruction(current.instruction, candidate.instruction);
  const instructionIds = unionIds(current.instructionIds, candidate.instructionIds);
  if (decision === base && instruction === current.instruction && instructionIds === current.instructionIds) {
    return current;
  }
  const held = instruction?.status === "denied" && decision.status === "granted";
  const next: ConsentState = {
    status: held ? "denied" : decision.status,
    at: decision.at,
    eventId: decision.eventId,
    source: decision.source,
    confirmedAt: decision.confirmedAt,
  };
  if (held) next.decided = "granted";
  if (instruction !== undefined) next.instruction = instruction;
  if (instructionIds !== undefined) next.instructionIds = instructionIds;
  return next;
}

/** true when the event's contact details are all already on the profile */
function knownContact(profile: Profile, contact: Contact): boolean {
  if (contact.userId && contact.userId !== profile.userId) return false;
  if (contact.anonymousId && !profile.anonymousIds.includes(contact.anonymousId)) return false;
  // each detail by name (named reads are the fast ones; see applyContact)
  if (contact.email !== undefined && contact.email !== profile.email) return false;
  if (contact.phone !== undefined && contact.phone !== profile.phone) return false;
  if (contact.firstName !== undefined && contact.firstName !== profile.firstName) return false;
  if (contact.lastName !== undefined && contact.lastName !== profile.lastName) return false;
  if (contact.name !== undefined && contact.name !== profile.name) return false;
  if (contact.timezone !== undefined && contact.timezone !== profile.timezone) return false;
  if (contact.locale !== undefined && contact.locale !== profile.locale) return false;
  if (contact.device !== undefined && contact.device !== profile.device) return false;
  return (
    contact.invalidPhone === undefined || contact.invalidPhone === profile.invalidPhone || !!profile.phone
  );
}

/**
 * Applies one event to a profile. Returns the same object when the event changes nothing (a
 * duplicate delivery, a consent decision already known). Never mutates its input.
 *
 * @example
 * let profile = emptyProfile("p:anon:a1", now);
 * for (const event of events) profile = reduceProfile(profile, event);
 */
export function reduceProfile(profile: Profile, event: CartEvent): Profile {
  const counted = !IDEMPOTENT.has(event.type);
  if (counted && profile.seen.includes(event.id)) return profile;
  // a provider's instruction applied before (a replayed webhook) changes nothing, however late
  if (
    event.type === "consent_changed" &&
    INSTRUCTING.has(event.source) &&
    profile.consent[event.channel].instructionIds?.includes(event.id)
  ) {
    return profile;
  }
  // SDKs repeat the shopper's traits, and so their consent, with every event
  if (
    event.type === "consent_changed" &&
    (profile.consent[event.channel].decided ?? profile.consent[event.channel].status) === event.status &&
    !INSTRUCTING.has(event.source) &&
    event.at <= decidedAt(profile.consent[event.channel]) &&
    event.at <= profile.lastSeenAt &&
    event.at >= profile.firstSeenAt &&
    knownContact(profile, event.contact)
  ) {
    return profile;
  }
  const next = copyProfile(profile);
  if (counted) next.seen = pushBounded(profile.seen, event.id, PROFILE_LIMITS.seen);
  // a later event's contact details replace older ones. At the same instant only a counted event's
  // do: a consent decision or alias is not remembered in `seen`, so a duplicate of one must not
  // overwrite what a later-arriving event of the same instant said
  applyContact(next, event.contact, counted ? event.at >= profile.lastSeenAt : event.at > profile.lastSeenAt);
  if (event.at < next.firstSeenAt) next.firstSeenAt = event.at;
  if (event.at > next.lastSeenAt) next.lastSeenAt = event.at;

  switch (event.type) {
    case "identified":
      next.traits = { ...next.traits, ...event.traits };
      break;
    case "consent_changed": {
      const current = next.consent[event.channel];
      const candidate: ConsentState = {
        status: event.status,
        at: event.at,
        eventId: event.id,
        source: event.source,
      };
      if (INSTRUCTING.has(event.source)) {
        const instruction: ConsentInstruction = {
          status: event.status,
          at: event.at,
          eventId: event.id,
          source: event.source,
        };
        candidate.instruction = instruction;
        candidate.instructionIds = [event.id];
      }
      const resolved = resolveConsent(current, candidate);
      if (resolved !== current) {
        const { email, sms, whatsapp, push } = next.consent;
        next.consent = { email, sms, whatsapp, push };
        next.consent[event.channel] = resolved;
      }
      break;
    }
    case "identity_merged":
      if (!next.anonymousIds.includes(event.previousId) && event.previousId !== next.userId) {
        next.anonymousIds = pushBounded(next.anonymousIds, event.previousId, PROFILE_LIMITS.anonymousIds);
      }
      break;
    case "activity": {
      const cart = findCart(next, event.cartRefs, true);
      if (cart && isOpenCart(cart) && event.at > cart.updatedAt) {
        const active = copyCart(cart);
        active.updatedAt = event.at;
        updateCart(next, active);
      }
      break;
    }
    case "item_added":
    case "item_removed":
    case "cart_viewed":
    case "checkout_started":
    case "coupon_changed":
      applyCartEvent(next, event);
      break;
    case "order_completed":
      applyOrder(next, event);
      break;
    case "order_cancelled": {
      const orders = next.orders;
      const counted = event.orderId !== undefined && orders.recentIds.includes(event.orderId);
      if (counted || event.orderId === undefined) {
        next.orders = {
          ...orders,
          count: event.reason === "cancelled" ? Math.max(0, orders.count - 1) : orders.count,
          lifetimeValue: roundMoney(Math.max(0, orders.lifetimeValue - (event.value ?? 0))),
          recentIds:
            event.reason === "cancelled"
              ? orders.recentIds.filter((id) => id !== event.orderId)
              : orders.recentIds,
        };
      }
      break;
    }
    case "message_engaged": {
      const record: EngagementRecord = { at: event.at, engagement: event.engagement, channel: event.channel };
      const cart = findCart(next, event.cartRefs, false);
      if (cart) record.cartId = cart.id;
      else if (event.cartRefs[0]) record.cartId = event.cartRefs[0];
      if (event.stage !== undefined) record.stage = event.stage;
      if (event.step !== undefined) record.step = event.step;
      if (event.key !== undefined) record.key = event.key;
      next.engagement = pushBounded(next.engagement, record, PROFILE_LIMITS.engagement);
      break;
    }
  }
  return next;
}

function applyContact(profile: Profile, contact: Contact, isLatest: boolean): void {
  if (contact.userId && !profile.userId) profile.userId = contact.userId;
  if (contact.anonymousId && !profile.anonymousIds.includes(contact.anonymousId)) {
    profile.anonymousIds = pushBounded(
      profile.anonymousIds,
      contact.anonymousId,
      PROFILE_LIMITS.anonymousIds,
    );
  }
  // newer details replace older ones; a late event only fills gaps. Field by field: this runs for
  // every event, and named reads are the fast ones
  const { email, phone, firstName, lastName, name, timezone, locale, device } = contact;
  if (email !== undefined && (isLatest || profile.email === undefined)) profile.email = email;
  if (phone !== undefined && (isLatest || profile.phone === undefined)) profile.phone = phone;
  if (firstName !== undefined && (isLatest || profile.firstName === undefined)) profile.firstName = firstName;
  if (lastName !== undefined && (isLatest || profile.lastName === undefined)) profile.lastName = lastName;
  if (name !== undefined && (isLatest || profile.name === undefined)) profile.name = name;
  if (timezone !== undefined && (isLatest || profile.timezone === undefined)) profile.timezone = timezone;
  if (locale !== undefined && (isLatest || profile.locale === undefined)) profile.locale = locale;
  if (device !== undefined && (isLatest || profile.device === undefined)) profile.device = device;
  // cleared, not deleted: `delete` would take the object off its hidden class
  if (phone) {
    if (profile.invalidPhone !== undefined) profile.invalidPhone = undefined;
  } else if (contact.invalidPhone && !profile.phone) profile.invalidPhone = contact.invalidPhone;
}

/**
 * the newest cart any of `refs` names; with no refs (and `fallback`), the shopper's newest open cart
 */
function findCart(profile: Profile, refs: readonly string[], fallback: boolean): Cart | undefined {
  const carts = profile.carts;
  if (refs.length > 0) {
    for (let i = carts.length - 1; i >= 0; i--) {
      const cart = carts[i] as Cart;
      for (const ref of refs) if (cart.refs.includes(ref)) return cart;
    }
    return undefined;
  }
  if (!fallback) return undefined;
  for (let i = carts.length - 1; i >= 0; i--) {
    const cart = carts[i] as Cart;
    if (isOpenCart(cart)) return cart;
  }
  return undefined;
}

function updateCart(profile: Profile, cart: Cart): void {
  const carts = profile.carts.slice();
  for (let i = 0; i < carts.length; i++) if ((carts[i] as Cart).id === cart.id) carts[i] = cart;
  profile.carts = carts;
}

function expired(cart: Cart): Cart {
  const next = copyCart(cart);
  next.status = "expired";
  return next;
}

function addCart(profile: Profile, cart: Cart): void {
  // an idle open cart is expired when a new one starts; the oldest closed carts make room first
  let carts = profile.carts.map((c) =>
    isOpenCart(c) && cart.createdAt - c.updatedAt > CART_EXPIRY_MS ? expired(c) : c,
  );
  if (carts.length >= PROFILE_LIMITS.carts) {
    const drop = carts.findIndex((c) => !isOpenCart(c));
    carts = carts.filter((_, i) => i !== (drop === -1 ? 0 : drop));
  }
  carts.push(cart);
  profile.carts = carts;
}

function mergeRefs(current: readonly string[], extra: readonly string[]): string[] {
  let out: string[] | undefined;
  for (const ref of extra) {
    if (!current.includes(ref)) {
      out ??= current.slice();
      out.push(ref);
    }
  }
  return out ?? (current as string[]);
}

type CartChange = Extract<
  CartEvent,
  { type: "item_added" | "item_removed" | "cart_viewed" | "checkout_started" | "coupon_changed" }
>;

function newCart(profile: Profile, event: CartChange, after?: Cart): Cart {
  const base = event.cartRefs[0] ?? `cart:${event.id}`;
  // a cart id reused after its order starts a new cart with a derived, stable id
  const id = after ? `${after.id}~${profile.carts.filter((c) => c.id.startsWith(after.id)).length}` : base;
  return copyCart({
    id,
    refs: [...event.cartRefs],
    items: [],
    value: 0,
    status: "active",
    createdAt: event.at,
    updatedAt: event.at,
  });
}

function applyCartEvent(profile: Profile, event: CartChange): void {
  let cart = findCart(profile, event.cartRefs, true);
  if (cart && !isOpenCart(cart)) {
    // an ordered or expired cart is final: a late event is history, a newer one starts a new cart
    const closedAt = cart.orderedAt ?? cart.updatedAt;
    if (event.at <= closedAt || event.type === "item_removed" || event.type === "coupon_changed") return;
    const created = newCart(profile, event, cart);
    addCart(profile, created);
    cart = created;
  } else if (!cart) {
    if (event.type === "item_removed" || event.type === "coupon_changed") return;
    cart = newCart(profile, event);
    addCart(profile, cart);
  }
  const next = copyCart(cart);
  next.refs = mergeRefs(cart.refs, event.cartRefs);
  if (event.at > next.updatedAt) next.updatedAt = event.at;

  switch (event.type) {
    case "item_added": {
      const { item } = event;
      const index = next.items.findIndex((i) => sameProduct(i, item));
      const items = next.items.slice();
      if (index === -1) items.push(item);
      else {
        const existing = items[index] as CartItem;
        items[index] = { ...existing, ...item, quantity: existing.quantity + item.quantity };
      }
      next.items = items;
      if (event.currency && !next.currency) next.currency = event.currency;
      break;
    }
    case "item_removed": {
      const items: CartItem[] = [];
      for (const item of next.items) {
        if (!sameProduct(item, event)) items.push(item);
        else if (event.quantity !== undefined && item.quantity > event.quantity) {
          items.push({ ...item, quantity: item.quantity - event.quantity });
        }
      }
      next.items = items;
      break;
    }
    case "cart_viewed":
    case "checkout_started": {
      const fresh = next.snapshotAt === undefined || event.at >= next.snapshotAt;
      if (fresh && (event.items.length > 0 || event.type === "cart_viewed")) {
        next.items = keepProductDetails(event.items, next.items);
        next.snapshotAt = event.at;
      }
      if (event.currency && (fresh || !next.currency)) next.currency = event.currency;
      if (event.type === "checkout_started") {
        next.status = "checkout";
        if (next.checkoutStartedAt === undefined || event.at < next.checkoutStartedAt)
          next.checkoutStartedAt = event.at;
        if (event.checkoutUrl && (fresh || !next.checkoutUrl)) next.checkoutUrl = event.checkoutUrl;
        if (event.coupon) next.coupon = event.coupon;
      }
      break;
    }
    case "coupon_changed":
      if (event.coupon === null) next.coupon = undefined;
      else next.coupon = event.coupon;
      break;
  }
  next.value = itemsValue(next.items);
  updateCart(profile, next);
}

/**
 * a snapshot's items, with the image and page of the items they replace where the snapshot has none
 * (checkout payloads often carry neither, the Product Added before them did; the emails show them)
 */
function keepProductDetails(items: CartItem[], previous: readonly CartItem[]): CartItem[] {
  if (previous.length === 0) return items;
  return items.map((item) => {
    if (item.imageUrl && item.url) return item;
    const before = previous.find((p) => sameProduct(p, item));
    if (!before || (!before.imageUrl && !before.url)) return item;
    const kept: CartItem = { ...item };
    if (!kept.imageUrl && before.imageUrl) kept.imageUrl = before.imageUrl;
    if (!kept.url && before.url) kept.url = before.url;
    return kept;
  });
}

function sameProduct(
  a: { productId: string; variantId?: string | undefined },
  b: { productId: string; variantId?: string | undefined },
): boolean {
  return a.productId === b.productId && (a.variantId === b.variantId || !a.variantId || !b.variantId);
}

function applyOrder(profile: Profile, event: Extract<CartEvent, { type: "order_completed" }>): void {
  const orders = profile.orders;
  const known = event.orderId !== undefined && orders.recentIds.includes(event.orderId);
  if (!known) {
    const next: OrderHistory = {
      count: orders.count + 1,
      lifetimeValue: roundMoney(orders.lifetimeValue + event.value),
      lastOrderAt: Math.max(orders.lastOrderAt ?? event.at, event.at),
      recentIds: event.orderId
        ? pushBounded(orders.recentIds, event.orderId, PROFILE_LIMITS.orderIds)
        : orders.recentIds,
    };
    const currency = orders.currency ?? event.currency;
    if (currency !== undefined) next.currency = currency;
    const lastOrderId =
      orders.lastOrderAt !== undefined && orders.lastOrderAt > event.at ? orders.lastOrderId : event.orderId;
    if (lastOrderId !== undefined) next.lastOrderId = lastOrderId;
    profile.orders = next;
  }
  // ids often do not line up across a store's events (cart_id on the cart, order_id on the order):
  // an order that names no known cart completes the shopper's open cart, so no reminder follows it
  const cart = findCart(profile, event.cartRefs, true) ?? findCart(profile, [], true);
  if (cart) {
    if (cart.status === "ordered") return;
    const ordered = copyCart(cart);
    ordered.refs = mergeRefs(cart.refs, event.cartRefs);
    ordered.status = "ordered";
    ordered.orderedAt = event.at;
    ordered.orderValue = event.value;
    if (event.currency) ordered.currency = event.currency;
    if (event.orderId) ordered.orderId = event.orderId;
    updateCart(profile, ordered);
  } else if (event.cartRefs.length > 0) {
    // the order arrived before its cart: remember it so the late cart events cannot open it again
    const ordered = copyCart({
      id: event.cartRefs[0] as string,
      refs: [...event.cartRefs],
      items: [],
      value: 0,
      status: "ordered",
      createdAt: event.at,
      updatedAt: event.at,
      orderedAt: event.at,
      orderValue: event.value,
      currency: event.currency,
    });
    if (event.orderId) ordered.orderId = event.orderId;
    addCart(profile, ordered);
  }
}

/** the channels a profile can be reached on, by contact detail alone (consent is separate) */
export function reachableChannels(profile: Profile): Channel[] {
  const out: Channel[] = [];
  if (profile.email) out.push("email");
  if (profile.phone) out.push("sms", "whatsapp");
  return out;
}
