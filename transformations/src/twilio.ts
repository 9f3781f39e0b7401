/**
 * Paste bundle for RudderStack's HTTP destination: `Cart Recovery Message Due` events → Twilio
 * Messages API form fields, checked for consent and quiet hours at delivery time.
 */
import { describeMessage } from "./lib/describe.js";
import { MESSAGE_DUE } from "./lib/due-events.js";
import { say } from "./lib/say.js";
import { decideTwilioMessage, type TwilioSettings } from "./lib/twilio-requests.js";

declare const SETTINGS: TwilioSettings;

/** one due message → the form fields of one Twilio message, or null (with the reason logged) */
export function transformEvent(event: Record<string, unknown>) {
  if (event.type !== "track" || event.event !== MESSAGE_DUE) return null;
  const decision = decideTwilioMessage(event, SETTINGS, Date.now());
  if (!decision.send) {
    say(`dropped ${describeMessage(event)}: ${decision.reason}`);
    return null;
  }
  return decision.form;
}
