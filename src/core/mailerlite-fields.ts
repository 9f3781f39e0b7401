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

function slotFields(slot: number): MailerliteFieldSpec[] {
  const p = `cart_item_${slot}`;
  return [
    { key: `${p}_name`, type: "text", description: `name of cart line ${slot}` },
    { key: `${p}_qty`, type: "number", description: `quantity of cart line ${slot}` },
    { key: `${p}_price`, type: "text", description: `unit price of cart line ${slot}, with its currency` },
    { key: `${p}_image`, type: "text", description: `image URL of cart line ${slot}` },
    {
      key: `${p}_image_display`,
      type: "text",
      description: `"block" when cart line ${slot} has an image, "none" when not`,
    },
    {
      key: `${p}_display`,
      type: "text",
      description: `"table-row" when cart line ${slot} exists, "none" when not`,
    },
  ];
}

export const MAILERLITE_FIELDS: readonly MailerliteFieldSpec[] = [
  { key: "cart_url", type: "text", description: "link that restores the cart" },
  { key: "cart_total", type: "number", description: "cart value in major units" },
  { key: "cart_total_display", type: "text", description: "cart value with its currency, e.g. $129.50" },
  { key: "cart_currency", type: "text", description: "ISO 4217 currency of the cart" },
  { key: "cart_items", type: "text", description: "the item names, comma-separated" },
  { key: "cart_item_count", type: "number", description: "number of items in the cart" },
  ...Array.from({ length: MAILERLITE_ITEM_SLOTS }, (_, i) => slotFields(i + 1)).flat(),
  {
    key: "cart_more_items",
    type: "text",
    description: `the cart lines after the first ${MAILERLITE_ITEM_SLOTS}, e.g. "+ 2 more items"`,
  },
  { key: "discount_code", type: "text", description: "discount code offered in this step" },
  { key: "discount_percent", type: "number", description: "discount offered in this step" },
  {
    key: "discount_display",
    type: "text",
    description: `"block" when this step offers a code, "none" when not`,
  },
  { key: "store_name", type: "text", description: "the store's name, when configured" },
  { key: "recovery_stage", type: "number", description: "the journey stage being sent" },
  { key: "recovery_step", type: "text", description: "the step within the stage" },
  { key: "recovery_segment", type: "text", description: "the shopper's segment" },
  { key: "recovery_variant", type: "text", description: "the experiment variant" },
  { key: "last_order_id", type: "text", description: "the shopper's last order, for returning customers" },
];

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
  CAD: "CA$",
  AUD: "A$",
  NZD: "NZ$",
  BRL: "R$",
};
/** currencies without minor units */
const WHOLE = new Set(["JPY", "KRW", "VND", "CLP", "ISK", "HUF", "TWD"]);

/** `1234.5, "USD"` → `$1,234.50`; `12, "CHF"` → `12.00 CHF` */
export function formatMoney(value: number, currency: string): string {
  const code = currency.toUpperCase();
  const digits = WHOLE.has(code) ? 0 : 2;
  const fixed = Math.abs(value).toFixed(digits);
  const [whole = "0", fraction] = fixed.split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const amount = (value < 0 ? "-" : "") + grouped + (fraction ? `.${fraction}` : "");
  const symbol = SYMBOLS[code];
  return symbol ? `${value < 0 ? "-" : ""}${symbol}${amount.replace(/^-/, "")}` : `${amount} ${code}`;
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
    cart_items: cart.items
      .map((i) => {
        const name = i.name ?? i.sku ?? i.productId;
        return i.quantity > 1 ? `${name} x${i.quantity}` : name;
      })
      .join(", "),
    cart_item_count: quantity,
  };
  for (let slot = 1; slot <= MAILERLITE_ITEM_SLOTS; slot++) {
    const item = cart.items[slot - 1];
    const p = `cart_item_${slot}`;
    fields[`${p}_name`] = item ? (item.name ?? item.sku ?? item.productId) : null;
    fields[`${p}_qty`] = item ? item.quantity : null;
    fields[`${p}_price`] = item ? formatMoney(item.price, currency) : null;
    fields[`${p}_image`] = item?.imageUrl ?? null;
    fields[`${p}_image_display`] = item?.imageUrl ? "block" : "none";
    fields[`${p}_display`] = item ? "table-row" : "none";
  }
  const rest = cart.items.slice(MAILERLITE_ITEM_SLOTS);
  const restCount = rest.reduce((n, i) => n + i.quantity, 0);
  fields.cart_more_items =
    rest.length > 0 ? `+ ${restCount} more item${restCount === 1 ? "" : "s"} in your cart` : null;
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
