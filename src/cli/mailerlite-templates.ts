/**
 * The email templates shipped for the MailerLite groups of the presets (templates/mailerlite/):
 * their copy, one responsive layout, the file each is written to, and how a group finds its
 * template. MailerLite sends the emails; cartback writes the fields they show
 * (`MAILERLITE_FIELDS`). `npm run build:templates` writes the files from here and a test keeps
 * them in step; `cartback preview` and `cartback setup mailerlite` read the shipped files.
 *
 * The templates use only MailerLite's merge tags: `{$field}` and `{$field|default('…')}` over
 * the subscriber's fields, `{$unsubscribe}` and `{$preferences}`. Lines that may be empty (cart
 * lines past the cart's length, the discount) are hidden by a display value cartback writes
 * (`cart_item_2_display`, `discount_display`), since MailerLite's tags have no conditions.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { MAILERLITE_ITEM_SLOTS } from "../core/mailerlite-fields.js";
import { escapeHtml } from "../report/escape.js";

/** where the templates are published in the package */
export const MAILERLITE_TEMPLATE_DIR = "templates/mailerlite";

export interface EmailTemplateSpec {
  /** the file under templates/mailerlite/ */
  file: string;
  /** the preset and the group prefix it uses by default */
  preset: "playbook" | "classic" | "coordinated";
  prefix: string;
  /** the group name after the prefix and its dash: `stage-3-no-open` */
  suffix: string;
  /** what the email is for, in the guide and setup's list */
  purpose: string;
  subject: string;
  preheader: string;
  eyebrow: string;
  headline: string;
  /** paragraphs before the cart (HTML, merge tags allowed) */
  intro: string[];
  button: string;
  /** the discount line (HTML); null for emails that never carry a code */
  discount: string | null;
  /** paragraphs after the button */
  outro: string[];
  /** a short list of reassurances under the button */
  reassurance?: string[];
  signoff: string;
  /** a plain, personal look: no banner, a person signs */
  personal?: boolean;
}

const HI = "Hi {$name|default('there')},";
const TEAM = "The team at {$store_name|default('our shop')}";

export const EMAIL_TEMPLATES: readonly EmailTemplateSpec[] = [
  {
    file: "stage-1.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "stage-1",
    purpose: "stage 1 nudge: you left something behind (never a discount)",
    subject: "You left something behind",
    preheader: "Your cart is saved: pick up where you left off in one tap.",
    eyebrow: "Your cart is saved",
    headline: "You left something behind",
    intro: [
      HI,
      "Looks like you got interrupted. We kept everything in your cart just as you left it, so you can finish whenever you're ready.",
    ],
    button: "Return to your cart",
    discount: null,
    outro: [
      "Questions about sizing, delivery or anything else? Just reply: a real person reads every email.",
    ],
    signoff: TEAM,
  },
  {
    file: "stage-1-returning.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "stage-1-returning",
    purpose: "stage 1 nudge for returning customers: welcome back, no discount",
    subject: "Good to see you again: your cart is saved",
    preheader: "Everything you picked is still in your cart.",
    eyebrow: "Welcome back",
    headline: "Your cart is right where you left it",
    intro: [
      HI,
      "Thanks for shopping with us again. You left a few things in your cart, and we've saved them for you.",
    ],
    button: "Finish your order",
    discount: null,
    outro: [
      "As before, your order is packed with care and you can reach us by replying to this email. Your last order: {$last_order_id|default('in your account')}.",
    ],
    signoff: TEAM,
  },
  {
    file: "loyalty-personal.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "loyalty-personal",
    purpose: "loyalty tier: one personal message instead of the sequence (a person follows up)",
    subject: "I saved your cart for you",
    preheader: "A personal note from our team.",
    eyebrow: "A personal note",
    headline: "I've set your cart aside",
    intro: [
      HI,
      "You're one of our most valued customers, so I wanted to write myself. I noticed you didn't get to finish your order, and I've put your cart aside so nothing sells out from under you.",
    ],
    button: "Complete your order",
    discount: null,
    outro: [
      "If anything held you back (a size, a delivery date, a question about a product) just reply to this email. It comes straight to me and I'll sort it out personally.",
    ],
    signoff: "Warmly,<br>{$store_name|default('Our shop')} customer care",
    personal: true,
  },
  {
    file: "stage-2.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "stage-2",
    purpose: "stage 2 consideration: reassurance and social proof, optional small discount",
    subject: "Still thinking it over?",
    preheader: "Secure checkout, easy returns, and people to help.",
    eyebrow: "Still deciding?",
    headline: "Take your time. Here's why shoppers choose us",
    intro: [
      HI,
      "Choosing the right thing takes a moment, and we want you to feel sure about it. Your cart is still saved:",
    ],
    button: "Review your cart",
    discount:
      'A little something for your first order: <strong>{$discount_percent}% off</strong> with code <strong style="letter-spacing:1px">{$discount_code}</strong>.',
    reassurance: [
      "Secure checkout, with the payment methods you already use",
      "Easy returns if it isn't right",
      "Real people on hand: reply to this email with any question",
    ],
    outro: [
      "Shoppers come back to us for the quality and the care we put into every order. We'd love you to be one of them.",
    ],
    signoff: TEAM,
  },
  {
    file: "stage-2-returning.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "stage-2-returning",
    purpose: "stage 2 for returning customers: reassurance, never a discount",
    subject: "Your picks are still waiting",
    preheader: "We saved your cart. Same care as your last order.",
    eyebrow: "Saved for you",
    headline: "Your picks are still waiting",
    intro: [
      HI,
      "You know how we work: carefully packed, quickly shipped. The items you chose are still in your cart.",
    ],
    button: "Go to your cart",
    discount: null,
    reassurance: ["Your details are saved for a quick checkout", "Easy returns, as always"],
    outro: ["Need a hand with anything? Reply and we'll help."],
    signoff: TEAM,
  },
  {
    file: "stage-3.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "stage-3",
    purpose: "stage 3 urgency with the discount code",
    subject: "{$discount_percent}% off your cart, but not for long",
    preheader: "Use {$discount_code} before your cart expires.",
    eyebrow: "Last chance",
    headline: "Your cart won't be held much longer",
    intro: [
      HI,
      "We can only hold your items for a little while longer, and popular pieces sell out. To help you decide, here's an offer just for you:",
    ],
    button: "Claim my discount",
    discount:
      '<strong>{$discount_percent}% off</strong> your order with code <strong style="letter-spacing:1px">{$discount_code}</strong>. Valid for a limited time.',
    outro: ["Once your cart expires, we can't promise these items will still be in stock."],
    signoff: TEAM,
  },
  {
    file: "stage-3-no-open.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "stage-3-no-open",
    purpose: "stage 3 for shoppers who opened no email yet: a new subject line, the code up front",
    subject: "A code for your cart: {$discount_code}",
    preheader: "{$discount_percent}% off, before your cart expires.",
    eyebrow: "In case you missed it",
    headline: "{$discount_percent}% off the things you picked",
    intro: [
      HI,
      "Our earlier notes may have slipped past you, so here's the short version: your cart is about to expire, and this code takes money off it.",
    ],
    button: "Use my code",
    discount:
      'Code <strong style="letter-spacing:1px">{$discount_code}</strong> for <strong>{$discount_percent}% off</strong>, applied at checkout. Don\'t wait too long.',
    outro: [],
    signoff: TEAM,
  },
  {
    file: "stage-3-returning.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "stage-3-returning",
    purpose: "stage 3 for returning customers: urgency without a discount",
    subject: "We can't hold your cart much longer",
    preheader: "Your items are in demand. Finish your order today.",
    eyebrow: "Last call",
    headline: "We can't hold your cart much longer",
    intro: [
      HI,
      "The items you chose are in demand and we can only keep them aside a little longer. Your details are saved, so checking out takes a minute.",
    ],
    button: "Complete my order",
    discount: null,
    outro: ["Thank you for coming back to us. It means a lot."],
    signoff: TEAM,
  },
  {
    file: "stage-4.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "stage-4",
    purpose: "stage 4 long tail (day 7): soft re-engagement, no discount",
    subject: "Still have your eye on these?",
    preheader: "Your cart is still saved, whenever you're ready.",
    eyebrow: "No rush",
    headline: "Still have your eye on these?",
    intro: [
      HI,
      "It's been a week, and your cart is still here. No pressure: if the timing wasn't right, these will be waiting when it is.",
    ],
    button: "Take another look",
    discount: null,
    outro: ["Changed your mind? No problem: just ignore this email and we'll leave you in peace."],
    signoff: TEAM,
  },
  {
    file: "stage-4-no-open.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "stage-4-no-open",
    purpose: "stage 4 (day 7) for shoppers who opened nothing: a fresh subject line, short",
    subject: "Quick question about your cart",
    preheader: "Was something missing? Tell us.",
    eyebrow: "Quick question",
    headline: "Was something missing?",
    intro: [
      HI,
      "You left a few things in your cart a while ago. If something stopped you (price, delivery, a detail you couldn't find) reply and tell us. We read every answer.",
    ],
    button: "See my cart",
    discount: null,
    outro: [],
    signoff: TEAM,
  },
  {
    file: "stage-4-final.html",
    preset: "playbook",
    prefix: "cartback",
    suffix: "stage-4-final",
    purpose: "stage 4 final note (day 21): the last reminder, no discount",
    subject: "One last note about your cart",
    preheader: "This is our final reminder.",
    eyebrow: "Our last reminder",
    headline: "One last note about your cart",
    intro: [
      HI,
      "This is the last time we'll mention it: your cart is still saved, but we'll clear it soon to keep things tidy.",
    ],
    button: "Open my cart",
    discount: null,
    outro: ["Thanks for considering us. We hope to see you again soon."],
    signoff: TEAM,
  },
  {
    file: "classic-reminder.html",
    preset: "classic",
    prefix: "cartback-classic",
    suffix: "reminder",
    purpose: "classic 24 h reminder",
    subject: "Did you forget something?",
    preheader: "Your cart is saved and ready when you are.",
    eyebrow: "Your cart is saved",
    headline: "Did you forget something?",
    intro: [
      HI,
      "You left some items in your cart. We've saved them so you can pick up right where you left off.",
    ],
    button: "Return to your cart",
    discount: null,
    outro: ["Questions? Just reply to this email."],
    signoff: TEAM,
  },
  {
    file: "classic-coupon.html",
    preset: "classic",
    prefix: "cartback-classic",
    suffix: "coupon",
    purpose: "classic 48 h coupon (10 %)",
    subject: "{$discount_percent}% off the items in your cart",
    preheader: "Use {$discount_code} at checkout.",
    eyebrow: "A little nudge",
    headline: "Here's {$discount_percent}% off your cart",
    intro: [HI, "Still thinking about it? Here's a little help to make up your mind."],
    button: "Use my discount",
    discount:
      '<strong>{$discount_percent}% off</strong> with code <strong style="letter-spacing:1px">{$discount_code}</strong> at checkout.',
    outro: [],
    signoff: TEAM,
  },
  {
    file: "classic-last-chance.html",
    preset: "classic",
    prefix: "cartback-classic",
    suffix: "last-chance",
    purpose: "classic 72 h last chance",
    subject: "Last chance: your cart expires soon",
    preheader: "We can't hold your items much longer.",
    eyebrow: "Last chance",
    headline: "Your cart expires soon",
    intro: [HI, "We can't hold your items much longer. Complete your order before they're gone."],
    button: "Complete my order",
    discount: null,
    outro: [],
    signoff: TEAM,
  },
  {
    file: "coordinated-first.html",
    preset: "coordinated",
    prefix: "cartback-coordinated",
    suffix: "first",
    purpose: "coordinated first email, sent at abandonment (a text follows 10–15 minutes later)",
    subject: "Your cart is saved",
    preheader: "Pick up where you left off.",
    eyebrow: "Saved for you",
    headline: "Your cart is saved",
    intro: [
      HI,
      "We noticed you didn't finish checking out, so we saved your cart. It's ready whenever you are.",
    ],
    button: "Return to your cart",
    discount: null,
    outro: ["Questions? Reply to this email and we'll help."],
    signoff: TEAM,
  },
  {
    file: "coordinated-second.html",
    preset: "coordinated",
    prefix: "cartback-coordinated",
    suffix: "second",
    purpose: "coordinated second email, within 24 h",
    subject: "Your items are going fast",
    preheader: "Your cart is still saved, but not for long.",
    eyebrow: "Popular right now",
    headline: "Your items are going fast",
    intro: [
      HI,
      "The items in your cart are popular, and we can't hold them forever. Finish your order while they're still here.",
    ],
    button: "Finish checking out",
    discount: null,
    outro: [],
    signoff: TEAM,
  },
];

/** the default group an email template is for: `cartback-stage-3-no-open` */
export function templateGroup(spec: EmailTemplateSpec): string {
  return `${spec.prefix}-${spec.suffix}`;
}

/**
 * The template for a group: the one whose default group it is, else the one whose suffix ends the
 * name (a journey with its own prefix, `shop-stage-3-no-open`), the longest suffix first.
 */
export function findEmailTemplate(group: string): EmailTemplateSpec | undefined {
  const exact = EMAIL_TEMPLATES.find((t) => templateGroup(t) === group);
  if (exact) return exact;
  return [...EMAIL_TEMPLATES]
    .sort((a, b) => b.suffix.length - a.suffix.length)
    .find((t) => group.endsWith(`-${t.suffix}`));
}

// colours and type, one place
const INK = "#1f2328";
const MUTED = "#5b616b";
const ACCENT = "#1f6f5c";
const PAPER = "#f4f1ec";
const LINE = "#e7e2d9";
const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

function paragraph(html: string): string {
  return `<p style="margin:0 0 16px;font-size:16px;line-height:1.55;color:${INK};">${html}</p>`;
}

function itemRow(slot: number): string {
  const p = `cart_item_${slot}`;
  return `<tr style="display:{$${p}_display|default('none')};">
  <td width="72" style="padding:12px 0;border-bottom:1px solid ${LINE};vertical-align:middle;">
    <img class="thumb" src="{$${p}_image}" alt="" width="64" height="64" style="display:{$${p}_image_display|default('none')};width:64px;height:64px;border:0;border-radius:8px;background:${PAPER};object-fit:cover;">
  </td>
  <td style="padding:12px 12px;border-bottom:1px solid ${LINE};vertical-align:middle;font-size:15px;line-height:1.4;color:${INK};">
    <strong class="item-name">{$${p}_name}</strong><br>
    <span style="color:${MUTED};font-size:14px;">Qty {$${p}_qty}</span>
  </td>
  <td align="right" style="padding:12px 0;border-bottom:1px solid ${LINE};vertical-align:middle;font-size:15px;color:${INK};white-space:nowrap;">{$${p}_price}</td>
</tr>`;
}

function button(label: string): string {
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px;">
  <tr><td align="center" bgcolor="${ACCENT}" style="border-radius:8px;">
    <a class="cta" href="{$cart_url}" target="_blank" style="display:inline-block;padding:14px 28px;font-family:${FONT};font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:8px;">${label}</a>
  </td></tr>
</table>`;
}

/** the HTML of one template, in MailerLite's merge-tag syntax */
export function renderEmailTemplate(spec: EmailTemplateSpec): string {
  const items = Array.from({ length: MAILERLITE_ITEM_SLOTS }, (_, i) => itemRow(i + 1)).join("\n");
  const discount = spec.discount
    ? `<div class="discount" style="display:{$discount_display|default('none')};margin:0 0 20px;padding:16px 18px;border:2px dashed ${ACCENT};border-radius:10px;background:#eef6f3;font-size:16px;line-height:1.5;color:${INK};">${spec.discount}</div>`
    : "";
  const reassurance = spec.reassurance
    ? `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px;">
${spec.reassurance.map((r) => `  <tr><td style="padding:3px 10px 3px 0;color:${ACCENT};font-size:16px;vertical-align:top;">&#10003;</td><td style="padding:3px 0;font-size:15px;line-height:1.45;color:${INK};">${r}</td></tr>`).join("\n")}
</table>`
    : "";
  const banner = spec.personal
    ? ""
    : `<tr><td class="px" style="padding:22px 40px;border-bottom:1px solid ${LINE};font-size:18px;font-weight:700;letter-spacing:0.5px;color:${INK};">{$store_name|default('Your cart')}</td></tr>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<title>${spec.subject}</title>
<!-- cartback template for the MailerLite group "${templateGroup(spec)}": ${spec.purpose}. Subject: ${spec.subject} -->
<style>
  @media (max-width: 620px) {
    .container { width: 100% !important; }
    .px { padding-left: 20px !important; padding-right: 20px !important; }
    .thumb { width: 56px !important; height: 56px !important; }
    h1 { font-size: 24px !important; }
  }
</style>
</head>
<body style="margin:0;padding:0;background:${PAPER};">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${spec.preheader}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:${PAPER};">
<tr><td align="center" style="padding:24px 12px;font-family:${FONT};">
<table class="container" role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:600px;background:#ffffff;border-radius:12px;">
${banner}
<tr><td class="px" style="padding:32px 40px 8px;font-family:${FONT};">
<p style="margin:0 0 8px;font-size:13px;font-weight:600;letter-spacing:1px;text-transform:uppercase;color:${ACCENT};">${spec.eyebrow}</p>
<h1 style="margin:0 0 20px;font-size:28px;line-height:1.25;color:${INK};">${spec.headline}</h1>
${spec.intro.map(paragraph).join("\n")}
<table class="items" role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 4px;border-top:1px solid ${LINE};">
${items}
</table>
<p style="margin:8px 0 0;font-size:14px;color:${MUTED};">{$cart_more_items}</p>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin:4px 0 20px;">
  <tr>
    <td style="padding:8px 0;font-size:16px;font-weight:600;color:${INK};">Total</td>
    <td class="total" align="right" style="padding:8px 0;font-size:18px;font-weight:700;color:${INK};">{$cart_total_display}</td>
  </tr>
</table>
${discount}
${button(spec.button)}
${reassurance}
${spec.outro.map(paragraph).join("\n")}
${paragraph(spec.signoff)}
</td></tr>
<tr><td class="px" style="padding:20px 40px 28px;border-top:1px solid ${LINE};font-family:${FONT};font-size:12px;line-height:1.6;color:${MUTED};">
You're receiving this because you left items in your cart at {$store_name|default('our shop')}.
If the button does not work, copy this link: <a href="{$cart_url}" style="color:${MUTED};word-break:break-all;">{$cart_url}</a><br>
<a href="{$unsubscribe}" style="color:${MUTED};">Unsubscribe</a> &middot; <a href="{$preferences}" style="color:${MUTED};">Email preferences</a>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`.replace(/\n{2,}/g, "\n");
}

/** the package's root: src/cli/ and dist/cli/ both sit two levels under it */
const ROOT = resolve(import.meta.dirname, "../..");

/** where a shipped template file is on this machine */
export function templatePath(spec: EmailTemplateSpec, root = ROOT): string {
  return join(root, MAILERLITE_TEMPLATE_DIR, spec.file);
}

/** reads a shipped template file */
export function readEmailTemplate(spec: EmailTemplateSpec, root = ROOT): string {
  return readFileSync(templatePath(spec, root), "utf8");
}

const MERGE_TAG = /\{\$([a-z0-9_]+)(?:\|default\('((?:[^'\\]|\\.)*)'\))?\}/g;

/**
 * Fills merge tags as MailerLite does: `{$field}` with the subscriber's value (escaped for HTML),
 * `{$field|default('x')}` with `x` when the field is empty. `specials` supplies `unsubscribe`,
 * `preferences` and the like. Returns the text and the tags that had no value and no default.
 */
export function fillMergeTags(
  template: string,
  fields: Record<string, string | number | null | undefined>,
  specials: Record<string, string> = {},
): { text: string; empty: string[] } {
  const empty = new Set<string>();
  const text = template.replace(MERGE_TAG, (_, key: string, fallback: string | undefined) => {
    const value = key in specials ? specials[key] : fields[key];
    if (value !== null && value !== undefined && String(value) !== "") return escapeHtml(String(value));
    if (fallback !== undefined) return escapeHtml(fallback.replace(/\\(.)/g, "$1"));
    empty.add(key);
    return "";
  });
  return { text, empty: [...empty] };
}

/** the merge-tag keys a template uses */
export function mergeTagKeys(template: string): string[] {
  return [...new Set([...template.matchAll(MERGE_TAG)].map((m) => m[1] as string))];
}
