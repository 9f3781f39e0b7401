/**
 * Currency-aware thresholds. Journeys name amounts (`"sms"`, `"high"`) instead of hard-coding numbers,
 * so one journey works for carts in rupees and in dollars.
 */
import type { Amount } from "./schema.js";

/**
 * - `medium` / `high`: cart value bars of the first-time segments
 * - `highIntent`: cart value that, with time on the cart, marks high intent
 * - `sms`: SMS only for carts at least this
 * - `discount`: discounts only for carts at least this
 * - `veryHigh`: a sales task
 * - `loyalty`: lifetime value of the loyalty tier
 */
export type ThresholdTable = Record<string, number>;

/** INR follows the source playbook (1,000 / 3,000 / 5,000 / 20,000); the others are similar in spirit */
export const DEFAULT_THRESHOLDS: Record<string, ThresholdTable> = {
  INR: {
    medium: 1000,
    sms: 1000,
    discount: 3000,
    highIntent: 3000,
    high: 5000,
    veryHigh: 20000,
    loyalty: 50000,
  },
  USD: { medium: 50, sms: 50, discount: 75, highIntent: 75, high: 150, veryHigh: 1000, loyalty: 1500 },
  EUR: { medium: 50, sms: 50, discount: 75, highIntent: 75, high: 150, veryHigh: 1000, loyalty: 1500 },
  GBP: { medium: 40, sms: 40, discount: 60, highIntent: 60, high: 120, veryHigh: 800, loyalty: 1200 },
};

/** names every default table defines */
export const THRESHOLD_NAMES = Object.keys(DEFAULT_THRESHOLDS.USD as ThresholdTable);

export interface ThresholdSettings {
  tables: Record<string, ThresholdTable>;
  /** currency of carts that have none */
  currency: string;
  /** whose table a currency without one uses */
  fallbackCurrency: string;
}

/** merges a journey's tables over the defaults */
export function mergeThresholds(
  custom: Record<string, Record<string, number>> | undefined,
  currency = "USD",
  fallbackCurrency = "USD",
): ThresholdSettings {
  const tables: Record<string, ThresholdTable> = {};
  for (const [code, table] of Object.entries(DEFAULT_THRESHOLDS)) tables[code] = { ...table };
  for (const [code, table] of Object.entries(custom ?? {})) tables[code] = { ...tables[code], ...table };
  return { tables, currency, fallbackCurrency };
}

/** the table for a cart's currency, falling back as documented */
export function thresholdTable(settings: ThresholdSettings, currency: string | undefined): ThresholdTable {
  const code = (currency ?? settings.currency).toUpperCase();
  return settings.tables[code] ?? settings.tables[settings.fallbackCurrency] ?? {};
}

/** an amount in the cart's currency; a threshold name unknown for that currency never matches (Infinity) */
export function resolveAmount(amount: Amount, table: ThresholdTable): number {
  if (typeof amount === "number") return amount;
  return table[amount] ?? Number.POSITIVE_INFINITY;
}
