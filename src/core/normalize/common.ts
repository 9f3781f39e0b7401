import { isPlausibleEventTime } from "../event-time.js";
import type { CartItem } from "../events.js";
import { roundMoney } from "../money.js";
import { type Issue, issue } from "../result.js";
import { text } from "./contact.js";
import { type Product, toId, toNumber } from "./schemas.js";
import { parseUtcMillis } from "./utc-time.js";

/**
 * the first of `fields` (names in `source`) that holds a readable time: its name and epoch ms, or an
 * `out_of_range` issue when that time lies outside the years 2000 to 2099; undefined when none parses
 */
export function firstTime<K extends string>(
  source: Partial<Record<K, string | null | undefined>>,
  fields: readonly K[],
  read: (value: string | null | undefined) => string | null | undefined = (value) => value,
): { field: K; at: number } | Issue | undefined {
  for (const field of fields) {
    const at = parseTime(read(source[field]));
    if (at === undefined) continue;
    if (isPlausibleEventTime(at)) return { field, at };
    return issue(
      "out_of_range",
      [field],
      `expected a time in the years 2000 to 2099, got "${String(source[field]).slice(0, 40)}"`,
    );
  }
  return undefined;
}

/** epoch ms of an ISO-8601 string, or undefined when it does not parse */
export function parseTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = parseUtcMillis(value) ?? Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

export function currencyCode(value: unknown): string | undefined {
  const code = text(value)?.toUpperCase();
  return code && /^[A-Z]{3}$/.test(code) ? code : undefined;
}

/** keeps the order, drops empties and repeats */
export function refs(...values: unknown[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const id = text(value);
    if (id !== undefined && !out.includes(id)) out.push(id);
  }
  return out;
}

export { roundMoney } from "../money.js";

/** a product as a cart item; an issue when it names no product or has an impossible quantity or price */
export function toItem(
  product: Partial<Product>,
  parent: (string | number)[],
  index?: number,
): CartItem | Issue {
  // the path is built only for an issue: this runs for every product of every message
  const productId =
    toId(product.product_id) || toId(product.id) || toId(product.sku) || toId(product.variant_id);
  if (!productId) {
    return issue(
      "missing_field",
      fieldPath(parent, index, "product_id"),
      "a product needs product_id (or sku) to tell items apart",
    );
  }
  const quantity = product.quantity == null ? 1 : toNumber(product.quantity);
  if (!Number.isInteger(quantity) || quantity < 0) {
    return issue(
      "invalid_value",
      fieldPath(parent, index, "quantity"),
      `expected a whole number of items, got ${quantity}`,
    );
  }
  const price = product.price == null ? 0 : toNumber(product.price);
  if (price < 0) {
    return issue(
      "invalid_value",
      fieldPath(parent, index, "price"),
      `expected a price of zero or more, got ${price}`,
    );
  }
  const item: CartItem = { productId, quantity, price: roundMoney(price) };
  const sku = toId(product.sku);
  const variantId = toId(product.variant_id);
  if (sku) item.sku = sku;
  if (variantId) item.variantId = variantId;
  else if (typeof product.variant === "string" && product.variant !== "") item.variantId = product.variant;
  const name = product.name ?? product.title;
  if (name) item.name = name;
  if (product.url) item.url = product.url;
  if (product.image_url) item.imageUrl = product.image_url;
  return item;
}

function fieldPath(parent: (string | number)[], index: number | undefined, field: string) {
  return index === undefined ? [...parent, field] : [...parent, index, field];
}

export function isIssue(value: CartItem | Issue): value is Issue {
  return "code" in value;
}

/** every product of a snapshot as items; products with quantity 0 are left out */
export function toItems(
  products: readonly Partial<Product>[] | null | undefined,
  path: (string | number)[],
): { items: CartItem[]; issues: Issue[] } {
  const items: CartItem[] = [];
  const issues: Issue[] = [];
  if (!products) return { items, issues };
  for (let index = 0; index < products.length; index++) {
    const item = toItem(products[index] as Partial<Product>, path, index);
    if (isIssue(item)) issues.push(item);
    else if (item.quantity > 0) items.push(item);
  }
  return { items, issues };
}

/** FNV-1a, for a stable id when a source sent none */
export function fnv1a(input: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < input.length; i++) {
    hash ^= input.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}
