/**
 * The unified state of one shopper: identity, consent, order history, carts and engagement.
 * Built only by `reduceProfile`; epoch milliseconds everywhere.
 */
import type { CartItem, Channel, ConsentStatus, Device, Engagement, EventSource } from "./events.js";
import type { JourneyInstance } from "./journey/instance.js";

/**
 * an opt-out or opt-in the provider itself reported: a STOP or START reply to Twilio, a MailerLite
 * unsubscribe or spam report. It is a legal instruction, not a preference: see `ConsentState.status`
 */
export interface ConsentInstruction {
  status: "granted" | "denied";
  at: number;
  eventId: string;
  source: EventSource;
}

export interface ConsentState {
  /**
   * what may be done: "denied" while the provider's newest instruction is an opt-out, whatever the
   * store's traits say; otherwise the status of the newest decision from any source
   */
  status: ConsentStatus;
  /** when the status was set at the source */
  at?: number;
  /** the event that set it */
  eventId?: string;
  source?: EventSource;
  /**
   * the newest time the same decision was made again (SDKs resend traits with every event); a
   * different decision replaces this one only when it is newer than that
   */
  confirmedAt?: number;
  /** the newest decision's own status, when a provider's opt-out holds `status` at "denied" against it */
  decided?: "granted";
  /** the provider's newest instruction for this channel */
  instruction?: ConsentInstruction;
  /**
   * ids of the provider instructions applied (newest last, bounded, see `PROFILE_LIMITS`): a replayed
   * webhook changes nothing, however late it comes
   */
  instructionIds?: string[];
}

export type CartStatus = "active" | "checkout" | "ordered" | "expired";

export interface Cart {
  /** the first id a source gave this cart (or one derived from the first event) */
  id: string;
  /** every id that names this cart: cart id, cart token, checkout token, checkout id */
  refs: string[];
  items: CartItem[];
  /** sum of price × quantity, rounded to 1/10,000 of the currency unit */
  value: number;
  currency?: string;
  checkoutUrl?: string;
  coupon?: string;
  status: CartStatus;
  createdAt: number;
  /** last shopper activity on this cart (drives abandonment) */
  updatedAt: number;
  /** when the current item list was last replaced by a snapshot */
  snapshotAt?: number;
  checkoutStartedAt?: number;
  orderedAt?: number;
  orderId?: string;
  /** what the order was worth, as the order event said (the items' value can differ: shipping, discounts) */
  orderValue?: number;
}

export interface EngagementRecord {
  at: number;
  engagement: Engagement;
  channel: Channel;
  cartId?: string;
  stage?: number;
  step?: string;
  key?: string;
}

export interface OrderHistory {
  count: number;
  lifetimeValue: number;
  currency?: string;
  lastOrderAt?: number;
  lastOrderId?: string;
  /** recent order ids, to count each order once */
  recentIds: string[];
}

export interface Profile {
  id: string;
  userId?: string;
  anonymousIds: string[];
  email?: string;
  /** E.164 */
  phone?: string;
  /** a phone number that was received but is not a valid number: recorded, never used */
  invalidPhone?: string;
  firstName?: string;
  lastName?: string;
  name?: string;
  timezone?: string;
  locale?: string;
  device?: Device;
  traits: Record<string, string | number | boolean | null>;
  consent: Record<Channel, ConsentState>;
  orders: OrderHistory;
  /** newest last; bounded (see `PROFILE_LIMITS`) */
  carts: Cart[];
  /** newest last; bounded */
  engagement: EngagementRecord[];
  /** journey instances by `journey:cartId`; written only by the planner */
  journeys: Record<string, JourneyInstance>;
  /** message ids already applied, newest last; bounded, for duplicate deliveries */
  seen: string[];
  firstSeenAt: number;
  lastSeenAt: number;
}

export const PROFILE_LIMITS = {
  carts: 10,
  engagement: 100,
  seen: 256,
  orderIds: 50,
  anonymousIds: 20,
  instructionIds: 100,
} as const;

/**
 * A shallow copy with every field in one fixed order, the optional ones present even when
 * undefined (JSON leaves those out). Every profile the reducer returns then has the same hidden
 * class, so the code that reads profiles stays monomorphic; a spread copies whichever of the many
 * shapes a profile arrived in, slowly.
 */
export function copyProfile(p: Profile): Profile {
  return {
    id: p.id,
    userId: p.userId,
    anonymousIds: p.anonymousIds,
    email: p.email,
    phone: p.phone,
    invalidPhone: p.invalidPhone,
    firstName: p.firstName,
    lastName: p.lastName,
    name: p.name,
    timezone: p.timezone,
    locale: p.locale,
    device: p.device,
    traits: p.traits,
    consent: p.consent,
    orders: p.orders,
    carts: p.carts,
    engagement: p.engagement,
    journeys: p.journeys,
    seen: p.seen,
    firstSeenAt: p.firstSeenAt,
    lastSeenAt: p.lastSeenAt,
  };
}

/** a cart the shopper can still change: not ordered, not expired */
export function isOpenCart(cart: Cart): boolean {
  return (cart.status === "active" || cart.status === "checkout") && cart.orderedAt === undefined;
}

/** a cart copied the same way (see `copyProfile`) */
export function copyCart(c: Cart): Cart {
  return {
    id: c.id,
    refs: c.refs,
    items: c.items,
    value: c.value,
    currency: c.currency,
    checkoutUrl: c.checkoutUrl,
    coupon: c.coupon,
    status: c.status,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    snapshotAt: c.snapshotAt,
    checkoutStartedAt: c.checkoutStartedAt,
    orderedAt: c.orderedAt,
    orderId: c.orderId,
    orderValue: c.orderValue,
  };
}
