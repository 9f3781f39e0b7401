/**
 * Paste bundle: any store's cart events → RudderStack e-commerce v2 spec messages cartback reads.
 */
import { normalizeEvent } from "../../src/core/normalize/index.js";
import { formatIssues } from "../../src/core/result.js";
import { describeMessage } from "./lib/describe.js";
import { type NormalizeSettings, normalizeOptions, toSpecMessages } from "./lib/spec-event.js";
import { unwrapWebhook } from "./lib/unwrap.js";

declare const SETTINGS: NormalizeSettings;

let options: ReturnType<typeof normalizeOptions> | undefined;

/** one message in, its spec messages out (several when it says several things), null when of no use */
export function transformEvent(event: unknown) {
  options ??= normalizeOptions(SETTINGS);
  const result = normalizeEvent(unwrapWebhook(event), options);
  if (!result.success) throw new Error(`cannot use ${describeMessage(event)}: ${formatIssues(result.error)}`);
  if (result.data.length === 0) return null;
  const messages = toSpecMessages(result.data, event);
  return messages.length === 1 ? messages[0] : messages;
}
