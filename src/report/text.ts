/** The recovery report as plain text for a terminal: the same numbers as the JSON and the page. */
import type { JourneyResult, RecoveryReport, TargetCheck } from "../core/analytics/index.js";
import {
  formatCount,
  formatHours,
  formatMoney,
  formatMultiple,
  formatPercent,
  formatPoints,
} from "./format.js";

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export function formatTarget(t: TargetCheck): string {
  const fmt = (v: number) =>
    t.unit === "money" ? formatMoney({ [t.currency ?? "USD"]: v }) : formatPercent(v);
  if (t.low !== null && t.high !== null) return `${fmt(t.low)} – ${fmt(t.high)}`;
  if (t.low !== null) return `≥ ${fmt(t.low)}`;
  if (t.high !== null) return `< ${fmt(t.high)}`;
  return "–";
}

export function formatTargetActual(t: TargetCheck): string {
  if (t.actual === null) return "–";
  return t.unit === "money" ? formatMoney({ [t.currency ?? "USD"]: t.actual }) : formatPercent(t.actual, 2);
}

const STATUS: Record<TargetCheck["status"], string> = {
  met: "on target",
  below: "below",
  above: "above",
  no_data: "no data",
};

function journeyText(j: JourneyResult): string {
  const out: string[] = [];
  out.push(`Journey ${j.id}${j.name !== j.id ? ` (${j.name})` : ""}`);
  out.push("");
  const t = j.treated;
  out.push(
    `  carts entered ${formatCount(j.carts.carts)} · recovered ${formatCount(t.recovered)} of ${formatCount(t.carts)} treated (${formatPercent(t.rate)}${t.interval ? `, 95 % CI ${formatPercent(t.interval.low)}–${formatPercent(t.interval.high)}` : ""})`,
  );
  out.push(
    `  recovered revenue ${formatMoney(t.revenue)} · per recipient ${formatMoney(j.revenuePerRecipient)} · per message ${formatMoney(j.revenuePerMessage)}`,
  );
  out.push(
    `  messages sent ${formatCount(j.messages.sent)} · cost ${j.messages.cost === null ? "– (no prices set)" : formatCount(j.messages.cost)} · return on spend ${formatMultiple(j.returnOnSpend)}`,
  );
  if (j.comparison) {
    const c = j.comparison;
    out.push(
      `  holdout ${j.holdoutPercent} %: ${formatCount(j.holdout.recovered)} of ${formatCount(j.holdout.carts)} recovered (${formatPercent(c.holdoutRate)}) · incremental ${formatPoints(c.difference)} (95 % CI ${formatPoints(c.interval?.low)} to ${formatPoints(c.interval?.high)}, p = ${c.pValue?.toFixed(3)}) · ${formatCount(c.incrementalRecoveries)} carts, ${formatMoney(c.incrementalRevenue)}`,
    );
  } else if (j.holdoutPercent > 0) out.push(`  holdout ${j.holdoutPercent} %: no held-out carts yet`);
  else out.push("  no holdout group: set `holdout: { percent: 5 }` to measure incremental recovery");
  out.push("");
  out.push(
    table(
      ["target", "playbook", "actual", ""],
      j.targets.map((x) => [x.label, formatTarget(x), formatTargetActual(x), STATUS[x.status]]),
    ),
  );
  out.push("");
  out.push(
    table(
      [
        "stage",
        "reached",
        "sent",
        "delivered",
        "opened",
        "clicked",
        "unsub/send",
        "recovered",
        "share",
        "revenue",
      ],
      j.stages.map((s) => [
        `${s.stage} ${s.name}`,
        formatCount(s.reached),
        formatCount(s.sent),
        formatCount(s.delivered),
        formatCount(s.opened),
        formatCount(s.clicked),
        formatPercent(s.unsubscribesPerSend, 2),
        formatCount(s.recoveries),
        formatPercent(s.share),
        formatMoney(s.revenue),
      ]),
    ),
  );
  out.push("");
  out.push(
    table(
      ["segment", "carts", "recovered", "rate", "revenue", "sent"],
      j.segments.map((s) => [
        s.segment,
        formatCount(s.carts),
        formatCount(s.recovered),
        formatPercent(s.rate),
        formatMoney(s.revenue),
        formatCount(s.sent),
      ]),
    ),
  );
  out.push("");
  out.push(
    table(
      [
        "channel",
        "sent",
        "failed",
        "delivered",
        "clicked",
        "unsub",
        "recovered",
        "revenue",
        "per msg",
        "cost",
        "ROS",
      ],
      j.channels.map((c) => [
        c.channel,
        formatCount(c.sent),
        formatCount(c.failed + c.dropped),
        formatCount(c.delivered),
        formatCount(c.clicked),
        formatCount(c.unsubscribed),
        formatCount(c.recoveries),
        formatMoney(c.revenue),
        formatMoney(c.revenuePerMessage),
        c.cost === null ? "–" : formatCount(c.cost),
        formatMultiple(c.returnOnSpend),
      ]),
    ),
  );
  for (const e of j.experiments) {
    out.push("");
    out.push(`  experiment ${e.id}: ${e.summary}`);
    out.push(
      table(
        ["variant", "carts", "recovered", "rate", "uplift", "P(beats control)", "p-value", "revenue"],
        e.variants.map((v, i) => [
          i === 0 ? `${v.id} (control)` : v.id,
          formatCount(v.carts),
          formatCount(v.recovered),
          formatPercent(v.rate),
          v.uplift === null ? "–" : formatPercent(v.uplift),
          formatPercent(v.probabilityToBeatControl),
          v.pValue === null ? "–" : v.pValue.toFixed(3),
          formatMoney(v.revenue),
        ]),
      ),
    );
  }
  const skipped = Object.entries(j.skipped).sort((a, b) => b[1] - a[1]);
  if (skipped.length > 0) {
    out.push("");
    out.push(`  not sent: ${skipped.map(([reason, n]) => `${reason} ${formatCount(n)}`).join(", ")}`);
  }
  const w = j.windowsHours;
  out.push(
    `  attribution windows: email ${formatHours(w.email)}, SMS ${formatHours(w.sms)}, WhatsApp ${formatHours(w.whatsapp)}, clicks ${formatHours(w.click)}`,
  );
  return out.join("\n");
}

/** the report for a terminal */
export function renderReportText(report: RecoveryReport): string {
  const out: string[] = [];
  out.push(
    `cartback recovery report · ${report.since ? `carts abandoned ${report.since} to ${report.generatedAt}` : `all carts up to ${report.generatedAt}`}`,
  );
  out.push("");
  if (report.journeys.length === 0) out.push("No journey has any carts in this period.");
  for (const j of report.journeys) {
    out.push(journeyText(j));
    out.push("");
  }
  const o = report.orders;
  out.push(
    `Orders: ${formatCount(o.recovered.orders)} recovered (${formatMoney(o.recovered.revenue)}), ${formatCount(o.notRecovered.orders)} in a journey but outside its windows (${formatMoney(o.notRecovered.revenue)}), ${formatCount(o.noJourney.orders)} of carts that never entered a journey (${formatMoney(o.noJourney.revenue)})`,
  );
  return `${out.join("\n")}\n`;
}
