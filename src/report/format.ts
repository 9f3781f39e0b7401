/** How the report writes its numbers, the same in the terminal and on the page. */
import type { Money } from "../core/analytics/index.js";

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** `12.5 %`; `–` when there is nothing to divide */
export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return `${(value * 100).toFixed(digits)} %`;
}

/** a rate difference in points: `+3.2 pts` */
export function formatPoints(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const points = value * 100;
  return `${points >= 0 ? "+" : "−"}${Math.abs(points).toFixed(1)} pts`;
}

export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }).format(value);
}

/** one amount in its currency: `$1,234.50` */
export function formatAmount(amount: number, currency: string): string {
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat("en-US", { style: "currency", currency });
    } catch {
      // not an ISO code Intl knows: write the code next to the number
      format = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      const plain = format;
      format = { format: (n: number) => `${plain.format(n)} ${currency}` } as Intl.NumberFormat;
    }
    moneyFormats.set(currency, format);
  }
  return format.format(amount);
}

/** amounts per currency, largest first: `$1,234.50 · €20.00`; `–` for none */
export function formatMoney(money: Money | null | undefined): string {
  const entries = Object.entries(money ?? {}).sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return "–";
  return entries.map(([currency, amount]) => formatAmount(amount, currency)).join(" · ");
}

/** return on spend: `12.3×` */
export function formatMultiple(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return `${value.toFixed(1)}×`;
}

export function formatHours(hours: number): string {
  return hours % 24 === 0 ? `${hours / 24} d` : `${hours} h`;
}
