/**
 * The MailerLite subscriber fields and groups cartback writes. Email copy lives in MailerLite
 * automations that read these fields and are triggered by joining a stage group, so the journey
 * engine, the MailerLite adapters, the shipped email templates (templates/mailerlite/) and
 * `cartback setup mailerlite` all take the names from here.
 *
 * MailerLite fields are flat and its merge tags have no loops or conditions (`{$field}` and
 * `{$field|default('…')}` only), so a cart reaches the email as numbered item slots
 * (`cart_item_1_name`, `_qty`, `_price`, `_image`, `_image_display`, `_display`) for the first
 * `MAILERLITE_ITEM_SLOTS` lines, a `cart_more_items` line for the rest, and display values
 * (`none` or a CSS display) that the templates put in `style="display:…"` to hide what is empty.
 */
import type { FieldValue } from "./commands.js";
import type { JourneySpec } from "./journey/schema.js";
import { formatAmount } from "./money.js";
import type { Cart, Profile } from "./profile.js";

export type MailerliteFieldType = "text" | "number" | "date";

export interface MailerliteFieldSpec {
  /** the field key as MailerLite derives it from the name (lowercase, underscores) */
  key: string;
  type: MailerliteFieldType;
  description: string;
}

/** how many cart lines get their own fields; the rest are summed up in `cart_more_items` */
export const MAILERLITE_ITEM_SLOTS = 3;

const SLOT_PARTS = ["name", "qty", "price", "image", "image_display", "display"];

// built from parts: the key list ships in every paste bundle, where bytes count
function fieldKeys(): string[] {
  const keys = ["url", "total", "total_display", "currency", "items", "item_count"].map((k) => `cart_${k}`);
  for (let slot = 1; slot <= MAILERLITE_ITEM_SLOTS; slot++)
    for (const part of SLOT_PARTS) keys.push(`cart_item_${slot}_${part}`);
  keys.push("cart_more_items", ...["code", "percent", "display"].map((k) => `discount_${k}`), "store_name");
  keys.push(...["stage", "step", "segment", "variant"].map((k) => `recovery_${k}`), "last_order_id");
  return keys;
}

/**
 * every field key cartback writes, in order; the paste bundles need only this, so the types and
 * descriptions of `MAILERLITE_FIELDS` stay out of them
 */
export const MAILERLITE_FIELD_KEYS: readonly string[] = fieldKeys();

/** the number fields; every other field is text */
const NUMBERS = /^(cart_total|cart_item_count|cart_item_\d+_qty|discount_percent|recovery_stage)$/;

const DESCRIPTIONS: Record<string, string> = {
  cart_url: "link that restores the cart",
  cart_total: "cart value in major units",
  cart_total_display: "cart value with its currency, e.g. $129.50",
  cart_currency: "ISO 4217 currency of the cart",
  cart_items: "the item names, comma-separated",
  cart_item_count: "number of items in the cart",
  name: "name of cart line N",
  qty: "quantity of cart line N",
  price: "unit price of cart line N, with its currency",
  image: "image URL of cart line N",
  image_display: '"block" when cart line N has an image, "none" when not',
  display: '"table-row" when cart line N exists, "none" when not',
  // plain strings only: the paste bundles drop this table as long as building it cannot have effects
  cart_more_items: 'the cart lines after the numbered ones, e.g. "+ 2 more items"',
  discount_code: "discount code offered in this step",
  discount_percent: "discount offered in this step",
  discount_display: '"block" when this step offers a code, "none" when not',
  store_name: "the store's name, when configured",
  recovery_stage: "the journey stage being sent",
  recovery_step: "the step within the stage",
  recovery_segment: "the shopper's segment",
  recovery_variant: "the experiment variant",
  last_order_id: "the shopper's last order, for returning customers",
};

function fieldSpecs(): MailerliteFieldSpec[] {
  return MAILERLITE_FIELD_KEYS.map((key) => {
    const slot = /^cart_item_(\d+)_(.+)$/.exec(key);
    const description = slot
      ? (DESCRIPTIONS[slot[2] as string] as string).replace("line N", `line ${slot[1]}`)
      : (DESCRIPTIONS[key] as string);
    return { key, type: NUMBERS.test(key) ? "number" : "text", description };
  });
}

export const MAILERLITE_FIELDS: readonly MailerliteFieldSpec[] = /* @__PURE__ */ fieldSpecs();

/** the group a subscriber joins to receive a stage's email (the automation trigger) */
export function mailerliteStageGroup(stage: number): string {
  return `cartback-stage-${stage}`;
}

/** the stage groups of the 4-stage playbook preset (its default group prefix `cartback`) */
export const MAILERLITE_STAGE_GROUPS: readonly string[] = [1, 2, 3, 4].map(mailerliteStageGroup);

const SYMBOLS: Record<string, string> = {
  USD: "$",
  EUR: "€",
  GBP: "£",
  INR: "₹",
  JPY: "¥",
};
/** currencies without minor units */
const WHOLE = new Set(["JPY"]);

/** `1234.5, "USD"` → `$1,234.50`; `12, "CHF"` → `12.00 CHF` */
export function formatMoney(value: number, currency: string): string {
  const code = currency.toUpperCase();
  const amount = WHOLE.has(code) ? formatAmount(Math.round(value)).slice(0, -3) : formatAmount(value);
  const symbol = SYMBOLS[code];
  return symbol ? amount.replace(/^-?/, (sign) => sign + symbol) : `${amount} ${code}`;
}

// each cart line's field keys, built once: planning writes them for every email it sends
type SlotKeys = [string, string, string, string, string, string];
const SLOT_KEYS: SlotKeys[] = [];
function slotKeys(slot: number): SlotKeys {
  let keys = SLOT_KEYS[slot];
  if (keys === undefined) {
    keys = SLOT_PARTS.map((part) => `cart_item_${slot + 1}_${part}`) as SlotKeys;
    SLOT_KEYS[slot] = keys;
  }
  return keys;
}

export interface MailerliteFieldsInput {
  profile: Profile;
  cart: Cart;
  /** the link that restores the cart */
  link: string | null;
  discount: { percent: number; code: string } | null;
  /** the journey's currency, for carts that have none */
  currency: string;
  storeName: string | null;
  /** the cart's lines as the texts name them (`Silk dupatta x2`) */
  itemNames: readonly string[];
  origin: { stage: number | null; step: string | null; segment: string | null; variant: string | null };
}

/**
 * The fields one email step writes before its group join sends the email. Every field is written
 * each time (null clears), so an email never shows what an earlier, larger cart left behind.
 */
export function mailerliteCartFields(input: MailerliteFieldsInput): Record<string, FieldValue> {
  const { profile, cart, origin } = input;
  const currency = cart.currency ?? input.currency;
  const quantity = cart.items.reduce((n, i) => n + i.quantity, 0);
  const fields: Record<string, FieldValue> = {
    cart_url: input.link,
    cart_total: cart.value,
    cart_total_display: formatMoney(cart.value, currency),
    cart_currency: currency,
    cart_items: input.itemNames.join(", "),
    cart_item_count: quantity,
  };
  for (let slot = 0; slot < MAILERLITE_ITEM_SLOTS; slot++) {
    const item = cart.items[slot];
    const [name, qty, price, image, imageDisplay, display] = slotKeys(slot);
    fields[name] = item ? (item.name ?? item.sku ?? item.productId) : null;
    fields[qty] = item ? item.quantity : null;
    fields[price] = item ? formatMoney(item.price, currency) : null;
    fields[image] = item?.imageUrl ?? null;
    fields[imageDisplay] = item?.imageUrl ? "block" : "none";
    fields[display] = item ? "table-row" : "none";
  }
  const rest = cart.items.slice(MAILERLITE_ITEM_SLOTS);
  const restCount = rest.reduce((n, i) => n + i.quantity, 0);
  fields.cart_more_items = rest.length > 0 ? `+ ${restCount} more item${restCount === 1 ? "" : "s"}` : null;
  fields.discount_code = input.discount?.code ?? null;
  fields.discount_percent = input.discount?.percent ?? null;
  fields.discount_display = input.discount ? "block" : "none";
  fields.store_name = input.storeName;
  fields.recovery_stage = origin.stage;
  fields.recovery_step = origin.step;
  fields.recovery_segment = origin.segment;
  fields.recovery_variant = origin.variant;
  fields.last_order_id = profile.orders.lastOrderId ?? null;
  return fields;
}

/**
 * Every MailerLite group a journey can add a shopper to: each email step's group, its alternates'
 * groups and the groups experiment variants put in their place, in the journey's order.
 */
export function journeyMailerliteGroups(journey: JourneySpec): string[] {
  const groups = new Set<string>();
  for (const stage of journey.stages) {
    for (const step of stage.steps) {
      if (step.channel !== "email") continue;
      groups.add(step.group);
      for (const alternate of step.alternates ?? []) if (alternate.group) groups.add(alternate.group);
    }
  }
  for (const experiment of journey.experiments ?? []) {
    for (const variant of experiment.variants)
      for (const group of Object.values(variant.groups ?? {})) groups.add(group);
  }
  return [...groups];
}
