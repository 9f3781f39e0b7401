import type { CartItem } from "../events.js";
import { roundMoney } from "../money.js";
import { type Issue, issue } from "../result.js";
import { text } from "./contact.js";
import { type Product, toId, toNumber } from "./schemas.js";

/** epoch ms of an ISO-8601 string, or undefined when it does not parse */
export function parseTime(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const ms = parseUtcMillis(value) ?? Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function digit(text: string, at: number): number {
  const d = text.charCodeAt(at) - 48;
  return d >= 0 && d <= 9 ? d : Number.NaN;
}

/**
 * The form every SDK sends, `2026-03-02T10:15:00.000Z`, read without `Date.parse` (several times
 * slower, and every message carries one); undefined for any other form, which `Date.parse` reads.
 * Gives what `Date.parse` gives, including its rolling over of days 29 to 31 a month does not have.
 */
export function parseUtcMillis(text: string): number | undefined {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 || // .
    text.charCodeAt(23) !== 90 // Z
  ) {
    return undefined;
  }
  const year = digit(text, 0) * 1000 + digit(text, 1) * 100 + digit(text, 2) * 10 + digit(text, 3);
  const month = digit(text, 5) * 10 + digit(text, 6);
  const day = digit(text, 8) * 10 + digit(text, 9);
  const hour = digit(text, 11) * 10 + digit(text, 12);
  const minute = digit(text, 14) * 10 + digit(text, 15);
  const second = digit(text, 17) * 10 + digit(text, 18);
  const ms = digit(text, 20) * 100 + digit(text, 21) * 10 + digit(text, 22);
  // NaN (a character that is not a digit) fails every comparison
  if (
    !(year >= 0) ||
    !(month >= 1 && month <= 12) ||
    !(day >= 1 && day <= 31) ||
    !(hour <= 23) ||
    !(minute <= 59) ||
    !(second <= 59) ||
    !(ms >= 0)
  ) {
    return undefined;
  }
  // days since 1970-01-01 of a proleptic Gregorian date, with March as the first month of the year
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  const days = era * 146_097 + dayOfEra - 719_468;
  return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
}

export function currencyCode(value: unknown): string | undefined {
  const code = text(value)?.toUpperCase();
  return code && /^[A-Z]{3}$/.test(code) ? code : undefined;
}

function addRef(out: string[] | undefined, value: unknown): string[] | undefined {
  const id = text(value);
  if (id === undefined) return out;
  if (out === undefined) return [id];
  if (!out.includes(id)) out.push(id);
  return out;
}

/**
 * the ids that name a cart, in order, without empties and repeats. Fixed parameters rather than a
 * rest array, and the list made at the first id: this runs for nearly every message, and most name
 * one cart id
 */
export function refs(
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
  e?: unknown,
  f?: unknown,
  g?: unknown,
  h?: unknown,
): string[] {
  let out = addRef(undefined, a);
  if (b !== undefined) out = addRef(out, b);
  if (c !== undefined) out = addRef(out, c);
  if (d !== undefined) out = addRef(out, d);
  if (e !== undefined) out = addRef(out, e);
  if (f !== undefined) out = addRef(out, f);
  if (g !== undefined) out = addRef(out, g);
  if (h !== undefined) out = addRef(out, h);
  return out ?? [];
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
