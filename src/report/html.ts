/**
 * The recovery report as one self-contained HTML page: inline CSS and SVG, no script, no font or
 * file fetched, readable on a phone. Every number carries `data-metric` (its path in the JSON report)
 * so a test can check what is shown against the data.
 */
import type { JourneyResult, Money, RecoveryReport, TargetCheck } from "../core/analytics/index.js";
import { barChart } from "./charts.js";
import { escapeHtml } from "./escape.js";
import {
  formatCount,
  formatHours,
  formatMoney,
  formatMultiple,
  formatPercent,
  formatPoints,
} from "./format.js";
import { formatTarget, formatTargetActual } from "./text.js";

type Kind = "count" | "percent" | "money" | "multiple" | "points";

function show(path: string, kind: Kind, value: unknown): string {
  let text: string;
  switch (kind) {
    case "count":
      text = formatCount(value as number | null);
      break;
    case "percent":
      text = formatPercent(value as number | null);
      break;
    case "money":
      text = formatMoney(value as Money);
      break;
    case "multiple":
      text = formatMultiple(value as number | null);
      break;
    case "points":
      text = formatPoints(value as number | null);
      break;
  }
  return `<span data-metric="${escapeHtml(path)}" data-kind="${kind}">${escapeHtml(text)}</span>`;
}

function card(label: string, value: string, note = ""): string {
  return `<div class="card"><div class="card-label">${escapeHtml(label)}</div><div class="card-value">${value}</div>${note ? `<div class="card-note">${note}</div>` : ""}</div>`;
}

function tableHtml(head: string[], rows: string[][], caption?: string): string {
  return `<div class="scroll"><table>${caption ? `<caption>${escapeHtml(caption)}</caption>` : ""}<thead><tr>${head
    .map((h, i) => `<th${i === 0 ? ' class="first"' : ""}>${escapeHtml(h)}</th>`)
    .join("")}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td${i === 0 ? ' class="first"' : ""}>${c}</td>`).join("")}</tr>`)
    .join("")}</tbody></table></div>`;
}

const STATUS_TEXT: Record<TargetCheck["status"], string> = {
  met: "on target",
  below: "below target",
  above: "above target",
  no_data: "no data yet",
};

function targetsSection(j: JourneyResult, base: string): string {
  if (j.targets.length === 0) return "";
  const rows = j.targets.map((t) => {
    const i = j.targets.indexOf(t);
    const good =
      t.status === "met" ||
      (t.status === "above" && t.metric === "recovery_rate") ||
      (t.status === "above" && t.metric === "revenue_per_email");
    const tone = t.status === "no_data" ? "muted" : good ? "good" : "bad";
    return [
      escapeHtml(t.label),
      escapeHtml(formatTarget(t)),
      `<span data-metric="${base}.targets.${i}.actual" data-kind="${t.unit === "money" ? "amount" : "percent2"}" data-currency="${escapeHtml(t.currency ?? "")}">${escapeHtml(formatTargetActual(t))}</span>`,
      `<span class="badge ${tone}">${STATUS_TEXT[t.status]}</span>`,
    ];
  });
  const shares = j.targets.filter((t) => t.metric.startsWith("stage_share"));
  const chart =
    shares.length > 0
      ? barChart(
          "Share of recoveries per stage against the playbook's range",
          shares.map((t) => ({
            label: t.label.replace("Share of recoveries, ", ""),
            value: t.actual ?? 0,
            text: formatPercent(t.actual),
            target: { low: t.low, high: t.high },
            tone: t.status === "met" ? "good" : t.status === "no_data" ? "muted" : "main",
          })),
        )
      : "";
  return `<section><h3>Against the playbook</h3>${tableHtml(["metric", "target", "actual", ""], rows)}${chart ? `<figure>${chart}<figcaption>Bars: this journey's share of recoveries per stage (last touch). Shaded: the playbook's range.</figcaption></figure>` : ""}</section>`;
}

function holdoutSection(j: JourneyResult, base: string): string {
  if (!j.comparison) {
    const why =
      j.holdoutPercent > 0
        ? `A ${j.holdoutPercent} % holdout is set; no held-out cart has entered yet.`
        : "No holdout group is set. Add <code>holdout: { percent: 5 }</code> to the journey to see how many carts come back without any message: the honest measure of what the journey adds.";
    return `<section><h3>Holdout comparison</h3><p class="note">${why}</p></section>`;
  }
  const c = j.comparison;
  const chart = barChart("Recovery rate of treated and held-out carts, with 95 % intervals", [
    {
      label: `treated (${formatCount(j.treated.carts)})`,
      value: j.treated.rate ?? 0,
      text: formatPercent(j.treated.rate),
      interval: j.treated.interval,
    },
    {
      label: `holdout (${formatCount(j.holdout.carts)})`,
      value: j.holdout.rate ?? 0,
      text: formatPercent(j.holdout.rate),
      interval: j.holdout.interval,
      tone: "muted",
    },
  ]);
  const significant = c.interval !== null && (c.interval.low > 0 || c.interval.high < 0);
  return `<section><h3>Holdout comparison</h3><div class="cards">${card(
    "Incremental recovery",
    show(`${base}.comparison.difference`, "points", c.difference),
    `95 % CI ${show(`${base}.comparison.interval.low`, "points", c.interval?.low)} to ${show(`${base}.comparison.interval.high`, "points", c.interval?.high)}`,
  )}${card("Carts brought back", show(`${base}.comparison.incrementalRecoveries`, "count", c.incrementalRecoveries), "beyond the holdout's rate")}${card(
    "Incremental revenue",
    show(`${base}.comparison.incrementalRevenue`, "money", c.incrementalRevenue),
  )}</div><figure>${chart}<figcaption>${
    significant
      ? "The interval of the difference excludes zero: the journey changes how many carts come back."
      : "The interval of the difference includes zero: the data cannot yet tell the journey's effect from chance."
  } Held out: ${j.holdoutPercent} % of carts, chosen by hash; they enter the journey and get no message.</figcaption></figure></section>`;
}

function funnelSection(j: JourneyResult, base: string): string {
  const bars = [
    { label: "entered", value: j.treated.carts, text: formatCount(j.treated.carts), tone: "muted" as const },
    ...j.stages.map((s) => ({
      label: `stage ${s.stage} ${s.name}`,
      value: s.reached,
      text: formatCount(s.reached),
    })),
    {
      label: "recovered",
      value: j.treated.recovered,
      text: formatCount(j.treated.recovered),
      tone: "good" as const,
    },
  ];
  const chart = barChart("Carts per stage: entered, reached each stage, recovered", bars);
  const rows = j.stages.map((s, i) => {
    const p = `${base}.stages.${i}`;
    return [
      escapeHtml(`${s.stage} ${s.name}`),
      show(`${p}.reached`, "count", s.reached),
      show(`${p}.sent`, "count", s.sent),
      show(`${p}.delivered`, "count", s.delivered),
      show(`${p}.opened`, "count", s.opened),
      show(`${p}.clicked`, "count", s.clicked),
      show(`${p}.unsubscribed`, "count", s.unsubscribed),
      show(`${p}.unsubscribesPerSend`, "percent", s.unsubscribesPerSend),
      show(`${p}.recoveries`, "count", s.recoveries),
      show(`${p}.share`, "percent", s.share),
      show(`${p}.revenue`, "money", s.revenue),
      show(`${p}.revenuePerMessage`, "money", s.revenuePerMessage),
    ];
  });
  return `<section><h3>Funnel per stage</h3><figure>${chart}<figcaption>Treated carts that entered, that at least one message of each stage reached, and that were recovered.</figcaption></figure>${tableHtml(
    [
      "stage",
      "reached",
      "sent",
      "delivered",
      "opened",
      "clicked",
      "unsubscribed",
      "unsub. per send",
      "recovered (last touch)",
      "share",
      "revenue",
      "per message",
    ],
    rows,
  )}</section>`;
}

function segmentSection(j: JourneyResult, base: string): string {
  if (j.segments.length === 0) return "";
  const chart = barChart(
    "Recovery rate per segment, with 95 % intervals",
    j.segments.map((s) => ({
      label: s.segment,
      value: s.rate ?? 0,
      text: formatPercent(s.rate),
      interval: s.interval,
      tone: s.carts === 0 ? "muted" : "main",
    })),
  );
  const rows = j.segments.map((s, i) => {
    const p = `${base}.segments.${i}`;
    return [
      escapeHtml(s.segment),
      show(`${p}.carts`, "count", s.carts),
      show(`${p}.recovered`, "count", s.recovered),
      show(`${p}.rate`, "percent", s.rate),
      show(`${p}.revenue`, "money", s.revenue),
      show(`${p}.sent`, "count", s.sent),
    ];
  });
  return `<section><h3>Per segment</h3><figure>${chart}</figure>${tableHtml(
    ["segment", "carts", "recovered", "rate", "revenue", "messages"],
    rows,
  )}</section>`;
}

function channelSection(j: JourneyResult, base: string): string {
  if (j.channels.length === 0)
    return `<section><h3>Per channel</h3><p class="note">No message has been planned yet.</p></section>`;
  const rows = j.channels.map((c, i) => {
    const p = `${base}.channels.${i}`;
    return [
      escapeHtml(c.channel),
      show(`${p}.sent`, "count", c.sent),
      show(`${p}.delivered`, "count", c.delivered),
      show(`${p}.opened`, "count", c.opened),
      show(`${p}.clicked`, "count", c.clicked),
      show(`${p}.bounced`, "count", c.bounced),
      show(`${p}.unsubscribed`, "count", c.unsubscribed),
      show(`${p}.failed`, "count", c.failed),
      show(`${p}.recoveries`, "count", c.recoveries),
      show(`${p}.clickRecoveries`, "count", c.clickRecoveries),
      show(`${p}.revenue`, "money", c.revenue),
      show(`${p}.revenuePerMessage`, "money", c.revenuePerMessage),
      c.cost === null ? "–" : show(`${p}.cost`, "count", c.cost),
      show(`${p}.returnOnSpend`, "multiple", c.returnOnSpend),
    ];
  });
  const chart = barChart(
    "Recoveries credited per channel (last touch)",
    j.channels.map((c) => ({ label: c.channel, value: c.recoveries, text: formatCount(c.recoveries) })),
  );
  return `<section><h3>Per channel</h3><figure>${chart}</figure>${tableHtml(
    [
      "channel",
      "sent",
      "delivered",
      "opened",
      "clicked",
      "bounced",
      "unsubscribed",
      "failed",
      "recovered (last touch)",
      "recovered (click)",
      "revenue",
      "per message",
      "cost",
      "return on spend",
    ],
    rows,
  )}</section>`;
}

const VERDICT_TONE = {
  winner: "good",
  control_wins: "good",
  no_clear_winner: "muted",
  collecting: "muted",
} as const;

function experimentSection(j: JourneyResult, base: string): string {
  if (j.experiments.length === 0) return "";
  const parts = j.experiments.map((e, k) => {
    const p = `${base}.experiments.${k}`;
    const rows = e.variants.map((v, i) => {
      const q = `${p}.variants.${i}`;
      return [
        escapeHtml(i === 0 ? `${v.id} (control)` : v.id),
        show(`${q}.carts`, "count", v.carts),
        show(`${q}.recovered`, "count", v.recovered),
        show(`${q}.rate`, "percent", v.rate),
        show(`${q}.uplift`, "percent", v.uplift),
        show(`${q}.probabilityToBeatControl`, "percent", v.probabilityToBeatControl),
        v.pValue === null ? "–" : escapeHtml(v.pValue.toFixed(3)),
        show(`${q}.revenue`, "money", v.revenue),
      ];
    });
    return `<div class="experiment"><h4>${escapeHtml(e.id)} <span class="badge ${VERDICT_TONE[e.status]}" data-verdict="${escapeHtml(e.status)}">${escapeHtml(e.status.replace(/_/g, " "))}</span></h4><p>${escapeHtml(e.summary)}</p>${tableHtml(
      ["variant", "carts", "recovered", "rate", "uplift", "P(beats control)", "p-value", "revenue"],
      rows,
    )}</div>`;
  });
  return `<section><h3>Experiments</h3>${parts.join("")}</section>`;
}

function journeySection(j: JourneyResult, index: number): string {
  const base = `journeys.${index}`;
  const t = j.treated;
  const cards = [
    card(
      "Carts entered",
      show(`${base}.carts.carts`, "count", j.carts.carts),
      j.holdoutPercent > 0 ? `${formatCount(j.holdout.carts)} held out` : "",
    ),
    card(
      "Recovery rate",
      show(`${base}.treated.rate`, "percent", t.rate),
      t.interval ? `95 % CI ${formatPercent(t.interval.low)}–${formatPercent(t.interval.high)}` : "",
    ),
    card(
      "Recovered carts",
      show(`${base}.treated.recovered`, "count", t.recovered),
      `${formatCount(t.recoveredBeforeMessage)} before any message`,
    ),
    card("Recovered revenue", show(`${base}.treated.revenue`, "money", t.revenue)),
    card("Messages sent", show(`${base}.messages.sent`, "count", j.messages.sent)),
    card("Revenue per recipient", show(`${base}.revenuePerRecipient`, "money", j.revenuePerRecipient)),
    card(
      "Return on spend",
      show(`${base}.returnOnSpend`, "multiple", j.returnOnSpend),
      j.messages.cost === null ? "set prices to see it" : `cost ${formatCount(j.messages.cost)}`,
    ),
  ].join("");
  const skipped = Object.entries(j.skipped).sort((a, b) => b[1] - a[1]);
  const w = j.windowsHours;
  return `<article class="journey" id="journey-${escapeHtml(j.id)}"><h2>${escapeHtml(j.name)} <small>${escapeHtml(j.id)}</small></h2>
<div class="cards">${cards}</div>
${targetsSection(j, base)}
${holdoutSection(j, base)}
${funnelSection(j, base)}
${segmentSection(j, base)}
${channelSection(j, base)}
${experimentSection(j, base)}
${skipped.length > 0 ? `<section><h3>Not sent</h3><p class="note">${skipped.map(([r, n]) => `${escapeHtml(r.replace(/_/g, " "))}: ${formatCount(n)}`).join(" · ")}</p></section>` : ""}
<p class="note">Attribution windows: email ${formatHours(w.email)}, SMS ${formatHours(w.sms)}, WhatsApp ${formatHours(w.whatsapp)}, clicks ${formatHours(w.click)} after the message.</p>
</article>`;
}

const CSS = `
:root{--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 16px}
header{padding-top:20px}
h1{font-size:1.5rem;margin:0 0 4px}
h2{font-size:1.25rem;margin:28px 0 12px}
h2 small{color:var(--muted);font-weight:400;font-size:.85rem}
h3{font-size:1.05rem;margin:24px 0 8px}
h4{margin:12px 0 4px}
.sub,.note,figcaption{color:var(--muted);font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(128px,1fr));gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card-label{color:var(--muted);font-size:.8rem}
.card-value{font-size:1.35rem;font-weight:600;font-variant-numeric:tabular-nums}
.card-note{color:var(--muted);font-size:.8rem}
.scroll{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:.9rem}
th,td{padding:6px 10px;text-align:right;border-bottom:1px solid var(--line);white-space:nowrap}
th{font-weight:600;color:var(--muted);font-size:.8rem}
th.first,td.first{text-align:left;position:sticky;left:0;background:var(--card)}
tbody tr:last-child td{border-bottom:0}
figure{margin:12px 0}
.chart{width:100%;max-width:600px;height:auto;display:block}
.chart .label{font-size:14px;fill:var(--fg)}
.chart .value{font-size:14px;fill:var(--muted)}
.chart .target{fill:#bbf7d0;opacity:.7}
.chart .whisker{stroke:var(--fg);stroke-width:1.5;fill:none}
.badge{display:inline-block;padding:1px 8px;border-radius:99px;font-size:.78rem;font-weight:600;white-space:nowrap}
.badge.good{background:#dcfce7;color:#166534}.badge.bad{background:#fee2e2;color:#991b1b}.badge.muted{background:#e2e8f0;color:#334155}
.journey{border-top:2px solid var(--line);margin-top:24px}
code{background:#e2e8f0;padding:0 4px;border-radius:4px}
footer{padding:24px 16px 40px}
`;

/** the whole page; `jsonHref` links the same report as JSON when it is served */
export function renderReportHtml(report: RecoveryReport, options: { jsonHref?: string } = {}): string {
  const period = report.since
    ? `Carts abandoned from ${report.since.slice(0, 16).replace("T", " ")} to ${report.generatedAt.slice(0, 16).replace("T", " ")} UTC`
    : `All carts up to ${report.generatedAt.slice(0, 16).replace("T", " ")} UTC`;
  const o = report.orders;
  const body = report.journeys.length
    ? report.journeys.map(journeySection).join("\n")
    : `<p class="note">No journey has any carts in this period yet.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>cartback · recovery report</title>
<style>${CSS}</style>
</head><body>
<header><h1>Recovery report</h1><p class="sub">${escapeHtml(period)}${report.journey ? ` · journey ${escapeHtml(report.journey)}` : ""}${options.jsonHref ? ` · <a href="${escapeHtml(options.jsonHref)}">JSON</a>` : ""}</p></header>
<main>
${body}
<section><h2>Orders</h2><div class="cards">${card("Recovered", show("orders.recovered.orders", "count", o.recovered.orders), show("orders.recovered.revenue", "money", o.recovered.revenue))}${card("In a journey, not recovered", show("orders.notRecovered.orders", "count", o.notRecovered.orders), show("orders.notRecovered.revenue", "money", o.notRecovered.revenue))}${card("Never in a journey", show("orders.noJourney.orders", "count", o.noJourney.orders), show("orders.noJourney.revenue", "money", o.noJourney.revenue))}</div>
<p class="note">"Never in a journey": orders of carts that were not abandoned, or that another journey was already handling. They are counted, never credited.</p></section>
</main>
<footer class="note">Recovered: ordered while the journey ran, or within the attribution window after its last message. Last touch credits the last message before the order; click-through credits the message whose link the shopper came back through. Totals are the sums of the rows. Generated by cartback at ${escapeHtml(report.generatedAt)}.</footer>
</body></html>
`;
}
