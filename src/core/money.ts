import type { CartItem } from "./events.js";

/** rounds money to 1/10,000 of a unit, so sums of prices stay comparable */
export function roundMoney(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** the value of a list of items: the sum of price × quantity */
export function itemsValue(items: readonly CartItem[]): number {
  let sum = 0;
  for (const item of items) sum += item.price * item.quantity;
  return roundMoney(sum);
}

/** `1234.5` → `1,234.50` */
export function formatAmount(value: number): string {
  const fixed = value.toFixed(2);
  const point = fixed.indexOf(".");
  const sign = fixed.startsWith("-") ? 1 : 0;
  // toFixed writes numbers of 1e21 and more in exponent form: leave those alone
  if (point < 0 || point - sign <= 3) return fixed;
  let out = fixed.slice(point);
  let end = point;
  while (end - sign > 3) {
    out = `,${fixed.slice(end - 3, end)}${out}`;
    end -= 3;
  }
  return fixed.slice(0, end) + out;
}
