/**
 * MailerLite API requests shaped for RudderStack's Webhook destination: `fullPath` replaces the
 * destination URL, `header` adds the bearer token, and the rest of the event is the JSON body. The
 * Webhook destination sends one POST per event, so a removal from groups travels inside `POST /api/batch`.
 */
import type { CartEvent, CartItem } from "../../../src/core/events.js";
import { MAILERLITE_FIELD_KEYS, MAILERLITE_STAGE_GROUPS } from "../../../src/core/mailerlite-fields.js";
import { GROUP_LEFT, STAGE_DUE } from "./due-events.js";

export interface MailerliteSettings {
  apiBase: string;
  /** group id per group name; MailerLite's API takes ids, and a paste bundle cannot look them up cheaply */
  groupIds: Record<string, string>;
  defaultRegion: string | null;
}

export interface MailerliteRequest {
  fullPath: string;
  header: Record<string, string>;
  [body: string]: unknown;
}

const GROUP_ID = /^\d+$/;

/** the API token, read only when a request is really made (each read crosses into the host) */
export type TokenSource = () => string;

function request(
  settings: MailerliteSettings,
  token: TokenSource,
  path: string,
  body: object,
): MailerliteRequest {
  return Object.assign(
    {
      fullPath: `${settings.apiBase.replace(/\/+$/, "")}${path}`,
      header: {
        Authorization: `Bearer ${token()}`,
        "Content-Type": "application/json",
        Accept: "application/json",
      },
    },
    body,
  );
}

/** the MailerLite id of a group name (or an id given as is); a missing one is a settings error */
export function groupId(settings: MailerliteSettings, group: string): string {
  if (GROUP_ID.test(group)) return group;
  const id = settings.groupIds[group];
  if (id === undefined || !GROUP_ID.test(id)) {
    throw new Error(
      `no MailerLite group id for "${group}": add it to SETTINGS.groupIds (MailerLite → Subscribers → Groups shows the id)`,
    );
  }
  return id;
}

/** a subscriber's group membership in a batch path: an email may hold `/`, `?`, `#` or `%` */
function groupPath(email: string, group: string): string {
  return `api/subscribers/${encodeURIComponent(email)}/groups/${group}`;
}

function itemNames(items: readonly CartItem[]): string[] {
  return items.map((i) => {
    const name = i.name ?? i.sku ?? i.productId;
    return i.quantity > 1 ? `${name} x${i.quantity}` : name;
  });
}

/** the cart fields a snapshot event tells for sure */
function cartFields(event: CartEvent): Record<string, string | number | null> | undefined {
  if (event.type !== "cart_viewed" && event.type !== "checkout_started") return undefined;
  if (event.items.length === 0) return undefined;
  const total = Math.round(event.items.reduce((s, i) => s + i.price * i.quantity, 0) * 10_000) / 10_000;
  const fields: Record<string, string | number | null> = {
    cart_total: total,
    cart_items: itemNames(event.items).join(", "),
    cart_item_count: event.items.reduce((n, i) => n + i.quantity, 0),
  };
  if (event.currency) fields.cart_currency = event.currency;
  if (event.type === "checkout_started" && event.checkoutUrl) fields.cart_url = event.checkoutUrl;
  return fields;
}

/** MailerLite's built-in name fields from what a contact carries */
function contactFields(event: CartEvent): Record<string, string> {
  const fields: Record<string, string> = {};
  const c = event.contact;
  const first = c.firstName ?? c.name?.split(" ")[0];
  if (first) fields.name = first;
  if (c.lastName) fields.last_name = c.lastName;
  if (c.phone) fields.phone = c.phone;
  return fields;
}

/** the fields a finished journey leaves: nothing cart-specific, the last order remembered */
function resetFields(orderId: string | undefined): Record<string, string | number | null> {
  const fields: Record<string, string | number | null> = {};
  for (const key of MAILERLITE_FIELD_KEYS) fields[key] = null;
  if (orderId) fields.last_order_id = orderId;
  return fields;
}

/**
 * The requests for one message's canonical events: at most one per message, because the Webhook
 * destination sends one request per event. Returns [] when MailerLite has nothing to learn.
 */
export function mailerliteRequestsForEvents(
  events: readonly CartEvent[],
  settings: MailerliteSettings,
  token: TokenSource,
): MailerliteRequest[] {
  const email = events.find((e) => e.contact.email)?.contact.email;
  if (!email) return [];
  // a refusal in the same message wins: unsubscribe and nothing else
  if (events.some((e) => e.type === "consent_changed" && e.channel === "email" && e.status === "denied")) {
    return [request(settings, token, "/api/subscribers", { email, status: "unsubscribed" })];
  }
  const order = events.find((e) => e.type === "order_completed");
  if (order) {
    const requests = [
      {
        method: "POST",
        path: "api/subscribers",
        body: { email, fields: resetFields(order.orderId) },
      },
      ...MAILERLITE_STAGE_GROUPS.filter((g) => settings.groupIds[g]).map((g) => ({
        method: "DELETE",
        path: groupPath(email, groupId(settings, g)),
      })),
    ];
    return [request(settings, token, "/api/batch", { requests })];
  }
  // only what changes MailerLite's copy: names from identify calls, the cart from its snapshots. A
  // consent grant riding on a page or a Product Added (SDKs attach it to every call) changes nothing:
  // the upsert never sets a status, and the journey's own upsert adds a new subscriber when a stage is due
  const fields: Record<string, string | number | null> = {};
  for (const event of events) {
    if (event.type === "identified") Object.assign(fields, contactFields(event));
    const cart = cartFields(event);
    // names only from identify calls: the normalizer also reads `properties.name`, a product name on cart events
    if (cart) Object.assign(fields, event.contact.phone ? { phone: event.contact.phone } : {}, cart);
  }
  if (Object.keys(fields).length === 0) return [];
  return [request(settings, token, "/api/subscribers", { email, fields })];
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/**
 * the request for one of cartback's own events (`Cart Recovery Stage Due`, `Cart Recovery Group Left`),
 * null when its shopper refused email, or undefined when the message is not one of them
 */
export function mailerliteRequestForDue(
  message: Record<string, unknown>,
  settings: MailerliteSettings,
  token: TokenSource,
): MailerliteRequest | null | undefined {
  if (message.type !== "track" || (message.event !== STAGE_DUE && message.event !== GROUP_LEFT))
    return undefined;
  const props = (message.properties ?? {}) as Record<string, unknown>;
  const traits = ((message.context as Record<string, unknown> | undefined)?.traits ?? {}) as Record<
    string,
    unknown
  >;
  const email = text(props.email) ?? text(traits.email);
  if (!email) throw new Error(`${String(message.event)} needs properties.email`);
  const consent = (props.consent ?? {}) as Record<string, unknown>;
  if (message.event === GROUP_LEFT) {
    const group = text(props.group);
    if (!group) throw new Error(`${GROUP_LEFT} needs properties.group`);
    return request(settings, token, "/api/batch", {
      requests: [{ method: "DELETE", path: groupPath(email, groupId(settings, group)) }],
    });
  }
  if (consent.email === "denied") return null;
  const body: Record<string, unknown> = { email };
  const fields = props.fields;
  if (fields !== undefined && (typeof fields !== "object" || fields === null || Array.isArray(fields))) {
    throw new Error(`${STAGE_DUE}: properties.fields must be an object of MailerLite field keys`);
  }
  body.fields = fields ?? {};
  const group = text(props.group);
  if (group) body.groups = [groupId(settings, group)];
  return request(settings, token, "/api/subscribers", body);
}
