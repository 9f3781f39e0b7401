/**
 * SMS rendering within a segment budget: the item list shrinks ("Linen shirt +2 more") before a message
 * is refused, because a third segment costs more than the detail is worth.
 */
import { fail, ok, type Result } from "../result.js";
import { countSmsSegments, type SmsEncoding } from "./sms-segments.js";
import { renderTemplate, type TemplateValues } from "./template.js";

export interface SmsText {
  body: string;
  encoding: SmsEncoding;
  segments: number;
}

/** the text, or why it cannot be sent within the budget and how many segments its shortest form needs */
export type SmsRender = Result<SmsText, { reason: string; segments: number }>;

/** item summaries from the longest to the shortest */
function itemSummaries(names: readonly string[]): string[] {
  if (names.length === 0) return ["your cart"];
  const out = [names.join(", ")];
  for (let keep = names.length - 1; keep >= 1; keep--) {
    out.push(`${names.slice(0, keep).join(", ")} +${names.length - keep} more`);
  }
  const first = names[0] as string;
  if (first.length > 24)
    out.push(`${first.slice(0, 23)}…${names.length > 1 ? ` +${names.length - 1} more` : ""}`);
  out.push(names.length === 1 ? "your item" : `your ${names.length} items`);
  return out;
}

/**
 * tidies what a template left after missing values dropped out: no space before punctuation, no
 * doubled spaces or punctuation, no punctuation opening the text, no colon or comma closing it
 */
export function tidySms(text: string): string {
  let out = text
    .replace(/[ \t]+/g, " ")
    .replace(/ +([,.:;!?)])/g, "$1")
    .replace(/([,:;])(?=[,.:;!?])/g, "")
    .replace(/\.{2,}/g, (dots) => (dots.length === 3 ? dots : "."))
    .replace(/\( *\)/g, "")
    .trim()
    .replace(/^[,.:;!?]+\s*/, "")
    .replace(/[ ,:;]+$/, "");
  if (/^\p{Ll}/u.test(out)) out = out[0]?.toUpperCase() + out.slice(1);
  return out.replace(/ {2,}/g, " ");
}

/** renders a template with the cart's item names, within `maxSegments` */
export function renderSms(
  template: string,
  values: Omit<TemplateValues, "items">,
  itemNames: readonly string[],
  maxSegments: number,
): SmsRender {
  let smallest = Number.POSITIVE_INFINITY;
  const filled: TemplateValues = Object.assign({}, values);
  for (const items of itemSummaries(itemNames)) {
    filled.items = items;
    const body = tidySms(renderTemplate(template, filled));
    const info = countSmsSegments(body);
    if (info.segments <= maxSegments) return ok({ body, encoding: info.encoding, segments: info.segments });
    smallest = Math.min(smallest, info.segments);
  }
  return fail({
    reason: `needs ${smallest} segments, more than the budget of ${maxSegments}`,
    segments: smallest,
  });
}

/** values long enough to be a fair worst case when a journey is validated */
export const SAMPLE_VALUES: Omit<TemplateValues, "items"> = {
  firstName: "Alexandra",
  name: "Alexandra Fernandes",
  itemCount: "3",
  link: "https://shop.example.com/r/eyJwIjoicHJvZmlsZS0xMjM0NTY3OCIsImMiOiJjYXJ0LTEyMyJ9.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
  cartTotal: "12,499.00",
  currency: "INR",
  discountCode: "CB-7K2M9QXA",
  discountPercent: "15",
  storeName: "Example Store",
  lastOrderId: "100234",
};
export const SAMPLE_ITEMS = ["Handwoven cotton kurta"];
