/**
 * The page `cartback preview` writes: one self-contained HTML file (inline CSS, one small inline
 * script that sizes the email frames; no CDN, no fetch). Each email sits in a sandboxed frame of its
 * own, so its styles stay its own, as in a mail client.
 */
import { escapeHtml } from "../report/escape.js";
import { CONTENT_SID, type Preview, type PreviewEntry, type PreviewShopper } from "./preview.js";

const REASONS: Record<string, string> = {
  no_consent: "no opt-in for this channel",
  no_phone: "no phone number",
  no_email: "no email address",
  below_channel_bar: "cart below the channel's value bar",
  other_text_channel: "another text already went in this stage",
  channel_cap: "the channel's cap per sequence is reached",
  sms_too_long: "the text would be too long",
  quiet_hours: "quiet hours",
  engaged: "the shopper engaged",
  no_template: "no approved WhatsApp template configured (cartback setup twilio)",
  no_link: "no link back to the cart (no checkout URL, and no shop URL configured)",
  one_text_per_stage: "one text per stage: another text of this stage went",
  paced: "pacing: too soon after the last message",
  stale: "held past the next stage's start",
  too_late: "would go too long after its time",
  holdout: "the cart is in the holdout group",
};

function when(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function offset(at: number, start: number): string {
  const minutes = Math.round((at - start) / 60_000);
  if (minutes <= 0) return "start";
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return `+${[d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : ""].filter(Boolean).join(" ")}`;
}

function stageLabel(e: PreviewEntry): string {
  const parts = [
    e.stage !== null ? `stage ${e.stage}` : null,
    e.step,
    e.variant ? `variant ${e.variant}` : null,
  ];
  return parts.filter(Boolean).join(" · ");
}

function heldNote(e: PreviewEntry): string {
  if (!e.held) return "";
  const due = new Date(e.held.due).toISOString().slice(11, 16);
  return `<span class="badge held" title="went out later than due">held from ${due} UTC: ${escapeHtml(e.held.by.join(", "))}</span>`;
}

function entryHtml(e: PreviewEntry, start: number): string {
  const meta = `<div class="meta"><span class="time">${when(e.at)}</span><span class="offset">${offset(e.at, start)}</span><span class="stage">${escapeHtml(stageLabel(e))}</span>${heldNote(e)}</div>`;
  switch (e.kind) {
    case "email": {
      const warn =
        e.emptyTags.length > 0
          ? `<p class="warn">Empty in this email: ${e.emptyTags.map((t) => `<code>{$${escapeHtml(t)}}</code>`).join(", ")}</p>`
          : "";
      const body = e.html
        ? `<iframe class="email-frame" title="${escapeHtml(e.subject)}" sandbox="allow-same-origin" srcdoc="${escapeHtml(e.html)}"></iframe>`
        : `<p class="warn">No shipped template for group <code>${escapeHtml(e.group)}</code>: write one over the fields cartback writes (docs/mailerlite.md).</p>`;
      return `<li class="entry email" data-kind="email" data-group="${escapeHtml(e.group)}">${meta}
<div class="head"><span class="channel">Email</span><span class="subject">${escapeHtml(e.subject)}</span></div>
<div class="sub">to ${escapeHtml(e.to)} · MailerLite group <code>${escapeHtml(e.group)}</code>${e.template ? ` · template <code>${escapeHtml(e.template)}</code>` : ""}</div>
${warn}${body}</li>`;
    }
    case "sms":
      return `<li class="entry sms" data-kind="sms">${meta}
<div class="head"><span class="channel">SMS</span><span class="sub">to ${escapeHtml(e.to)} · ${escapeHtml(e.encoding)} · ${e.segments} segment${e.segments === 1 ? "" : "s"} · ${[...e.body].length} characters</span></div>
<div class="bubble">${escapeHtml(e.body)}</div></li>`;
    case "whatsapp": {
      const vars = Object.entries(e.variables)
        .map(
          ([k, v]) =>
            `<tr><th>{{${escapeHtml(k)}}}</th><td>${v ? escapeHtml(v) : '<span class="muted">(empty)</span>'}</td></tr>`,
        )
        .join("");
      const sidWarn = CONTENT_SID.test(e.contentSid)
        ? ""
        : `<p class="warn">Not a Content API template SID: Twilio would refuse this message until a real, approved template is configured.</p>`;
      return `<li class="entry whatsapp" data-kind="whatsapp">${meta}
<div class="head"><span class="channel">WhatsApp</span><span class="sub">to ${escapeHtml(e.to)} · template <code>${escapeHtml(e.contentSid)}</code></span></div>
${sidWarn}<table class="vars">${vars}</table></li>`;
    }
    case "task":
      return `<li class="entry task" data-kind="task">${meta}
<div class="head"><span class="channel">Task</span><span class="sub"><code>${escapeHtml(e.event)}</code> to webhook <code>${escapeHtml(e.target)}</code>: a person follows up</span></div></li>`;
    case "other":
      return `<li class="entry other" data-kind="other">${meta}<div class="head"><span class="channel">${escapeHtml(e.type)}</span></div></li>`;
    case "skipped":
      return `<li class="entry skipped" data-kind="skipped">${meta}
<div class="head"><span class="channel">${escapeHtml(e.channel ?? "task")} not sent</span><span class="sub"><code>${escapeHtml(e.reason)}</code>${REASONS[e.reason] ? `: ${escapeHtml(REASONS[e.reason] as string)}` : ""}</span></div></li>`;
  }
}

function shopperHtml(s: PreviewShopper): string {
  const start = s.entries[0]?.at ?? 0;
  const sent = s.entries.filter((e) => e.kind !== "skipped" && e.kind !== "task").length;
  const skipped = s.entries.filter((e) => e.kind === "skipped").length;
  const segment = s.entries.find((e) => e.segment)?.segment;
  const who = [s.email, s.phone]
    .filter(Boolean)
    .map((v) => escapeHtml(v as string))
    .join(" · ");
  return `<section class="shopper" id="${escapeHtml(s.id)}" data-shopper="${escapeHtml(s.id)}">
<h2>${escapeHtml(s.name ?? s.email ?? s.id)}</h2>
<p class="who">${who || "no contact"} · <code>${escapeHtml(s.id)}</code>${segment ? ` · segment <strong>${escapeHtml(segment)}</strong>` : ""} · ${sent} message${sent === 1 ? "" : "s"}, ${skipped} not sent</p>
<ol class="timeline">
${s.entries.map((e) => entryHtml(e, start)).join("\n")}
</ol>
</section>`;
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#eef0f3;color:#1f2328;font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
header{background:#1f2328;color:#fff;padding:20px 28px}
header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c9ced6;font-size:14px}
nav{padding:10px 28px;background:#fff;border-bottom:1px solid #d9dde3;font-size:14px}
nav a{color:#1f6f5c;margin-right:14px;text-decoration:none}
main{max-width:780px;margin:0 auto;padding:16px}
.shopper{background:#fff;border:1px solid #d9dde3;border-radius:12px;padding:18px 20px;margin:16px 0}
.shopper h2{margin:0;font-size:18px}
.who{margin:2px 0 8px;color:#5b616b;font-size:13px}
.timeline{list-style:none;margin:0;padding:0 0 0 14px;border-left:2px solid #d9dde3}
.entry{position:relative;margin:14px 0;padding-left:14px}
.entry:before{content:"";position:absolute;left:-21px;top:6px;width:12px;height:12px;border-radius:50%;background:#1f6f5c;border:2px solid #fff}
.entry.skipped:before{background:#b8bec7}
.entry.task:before{background:#7a5af8}
.meta{font-size:12px;color:#5b616b;display:flex;flex-wrap:wrap;gap:10px;align-items:center}
.offset{font-weight:600;color:#1f2328}
.badge{padding:1px 8px;border-radius:10px;font-size:11px}
.held{background:#fff4d6;color:#7a5200}
.head{display:flex;flex-wrap:wrap;gap:8px;align-items:baseline;margin-top:2px}
.channel{font-weight:700;font-size:13px;text-transform:uppercase;letter-spacing:.5px;color:#1f6f5c}
.skipped .channel{color:#7d848f}
.task .channel{color:#7a5af8}
.subject{font-weight:600}
.sub{color:#5b616b;font-size:13px}
.email-frame{display:block;width:100%;height:760px;border:1px solid #d9dde3;border-radius:10px;margin-top:8px;background:#f4f1ec}
.bubble{display:inline-block;max-width:420px;margin-top:6px;padding:10px 14px;border-radius:16px 16px 16px 4px;background:#e7f6ee;white-space:pre-wrap;word-break:break-word;font-size:14px}
.vars{margin-top:6px;border-collapse:collapse;font-size:13px}
.vars th{text-align:left;padding:3px 10px 3px 0;color:#5b616b;font-family:ui-monospace,Menlo,monospace;font-weight:400}
.vars td{padding:3px 0}
.warn{margin:6px 0 0;padding:6px 10px;border-radius:8px;background:#fdecea;color:#8a1c12;font-size:13px}
.muted{color:#8a9099}
code{font-family:ui-monospace,Menlo,monospace;font-size:12px;background:#f1f3f5;padding:1px 4px;border-radius:4px}
`;

// sizes each email's frame to its content once it has loaded (the frames are same-origin srcdoc);
// a product image this machine cannot reach shows as a labelled placeholder, not a broken icon
const SCRIPT = `
const PLACEHOLDER = "data:image/svg+xml," + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" rx="8" fill="#ebe6dd"/><path d="M18 42l9-11 7 8 5-6 7 9z" fill="#b9b1a3"/><circle cx="40" cy="24" r="4" fill="#b9b1a3"/></svg>');
for (const frame of document.querySelectorAll(".email-frame")) {
  const fit = () => {
    const d = frame.contentDocument;
    if (!d || !d.body) return;
    for (const img of d.images) {
      const swap = () => { if (img.src !== PLACEHOLDER) { img.title = "not reachable from here: " + img.getAttribute("src"); img.src = PLACEHOLDER; } };
      if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) swap();
      else img.addEventListener("error", swap);
    }
    frame.style.height = (d.documentElement.scrollHeight + 4) + "px";
  };
  frame.addEventListener("load", fit);
  fit();
}
`;

/** the preview as one HTML page */
export function renderPreviewHtml(preview: Preview): string {
  const messages = preview.shoppers.reduce(
    (n, s) => n + s.entries.filter((e) => e.kind !== "skipped" && e.kind !== "task").length,
    0,
  );
  const nav = preview.shoppers
    .map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.name ?? s.email ?? s.id)}</a>`)
    .join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cartback preview: ${escapeHtml(preview.journey)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>What each shopper would receive</h1><p>Journey <strong>${escapeHtml(preview.journey)}</strong> · ${preview.shoppers.length} shopper${preview.shoppers.length === 1 ? "" : "s"} · ${messages} message${messages === 1 ? "" : "s"}. Emails are the shipped MailerLite templates filled with the fields cartback writes; nothing was sent.</p></header>
<nav>${nav}</nav>
<main>
${preview.shoppers.length === 0 ? "<p>No shopper would receive anything.</p>" : preview.shoppers.map(shopperHtml).join("\n")}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
