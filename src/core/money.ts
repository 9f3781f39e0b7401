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
