/**
 * The report's charts as inline SVG strings: no script, no library, nothing fetched. Each scales to
 * its container (`viewBox`, width 100 %), so it reads on a phone as well as on a desktop.
 */

import { escapeHtml } from "./escape.js";

export interface Bar {
  label: string;
  value: number;
  /** the text at the bar's end */
  text: string;
  /** a 95 % interval drawn as a whisker, in the value's units */
  interval?: { low: number; high: number } | null;
  /** a target range drawn behind the bar */
  target?: { low: number | null; high: number | null } | null;
  tone?: "main" | "muted" | "good" | "bad";
}

const WIDTH = 440;
const LABEL = 168;
const ROW = 32;

const TONES = { main: "#2563eb", muted: "#94a3b8", good: "#16a34a", bad: "#dc2626" };

/** horizontal bars, one per row, scaled to `max` (default: the largest value or interval end) */
export function barChart(title: string, bars: readonly Bar[], options: { max?: number } = {}): string {
  const max =
    options.max ??
    Math.max(
      1e-9,
      ...bars.map((b) => Math.max(b.value, b.interval?.high ?? 0, b.target?.high ?? b.target?.low ?? 0)),
    );
  const plot = WIDTH - LABEL - 70;
  const x = (v: number) => LABEL + Math.max(0, Math.min(1, v / max)) * plot;
  const height = bars.length * ROW + 8;
  const rows = bars
    .map((b, i) => {
      const y = 4 + i * ROW;
      const parts: string[] = [];
      parts.push(
        `<text x="${LABEL - 8}" y="${y + 21}" text-anchor="end" class="label">${escapeHtml(b.label)}</text>`,
      );
      if (b.target && (b.target.low !== null || b.target.high !== null)) {
        const from = x(b.target.low ?? 0);
        const to = b.target.high !== null ? x(b.target.high) : LABEL + plot;
        parts.push(
          `<rect x="${from.toFixed(1)}" y="${y + 2}" width="${Math.max(1, to - from).toFixed(1)}" height="${ROW - 6}" class="target"><title>target</title></rect>`,
        );
      }
      const w = Math.max(b.value > 0 ? 2 : 0, x(b.value) - LABEL);
      parts.push(
        `<rect x="${LABEL}" y="${y + 7}" width="${w.toFixed(1)}" height="${ROW - 16}" rx="2" fill="${TONES[b.tone ?? "main"]}" class="bar"/>`,
      );
      if (b.interval) {
        const lo = x(b.interval.low);
        const hi = x(b.interval.high);
        const mid = y + ROW / 2 - 1;
        parts.push(
          `<path d="M${lo.toFixed(1)} ${mid - 5}v10M${lo.toFixed(1)} ${mid}H${hi.toFixed(1)}M${hi.toFixed(1)} ${mid - 5}v10" class="whisker"/>`,
        );
      }
      const end = Math.max(x(b.value), b.interval ? x(b.interval.high) : 0);
      parts.push(
        `<text x="${(end + 6).toFixed(1)}" y="${y + 21}" class="value">${escapeHtml(b.text)}</text>`,
      );
      return parts.join("");
    })
    .join("");
  return `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${rows}</svg>`;
}
