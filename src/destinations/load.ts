/**
 * Builds the destinations a config names, importing each adapter (and so its SDK) only when it is
 * configured: a store on MailerLite classic never loads the new SDK, one without SMS never loads Twilio.
 *
 * @example
 * const destinations = await loadDestinations({
 *   mailerlite: { api: "classic", apiKey: process.env.MAILERLITE_API_KEY },
 *   webhook: { targets: { sales: { url: "https://hooks.zapier.com/…" } } },
 * });
 */
import type { MailerliteDestinationOptions } from "./mailerlite.js";
import type { MailerliteClassicDestinationOptions } from "./mailerlite-classic.js";
import type { RudderstackDestinationOptions } from "./rudderstack.js";
import type { SendgridDestinationOptions } from "./sendgrid.js";
import type { TwilioDestinationOptions } from "./twilio.js";
import type { Destination } from "./types.js";
import type { WebhookDestinationOptions } from "./webhook.js";

export interface DestinationsConfig {
  /** `api: "classic"` for accounts created before March 2022; the new API otherwise */
  mailerlite?:
    | ({ api?: "new" } & MailerliteDestinationOptions)
    | ({ api: "classic" } & MailerliteClassicDestinationOptions);
  twilio?: TwilioDestinationOptions;
  sendgrid?: SendgridDestinationOptions;
  rudderstack?: RudderstackDestinationOptions;
  webhook?: WebhookDestinationOptions;
}

const KNOWN = ["mailerlite", "twilio", "sendgrid", "rudderstack", "webhook"];

/** the configured destinations, in the order above; a misspelt key is an error, not silence */
export async function loadDestinations(config: DestinationsConfig): Promise<Destination[]> {
  const unknown = Object.keys(config).filter((key) => !KNOWN.includes(key));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown destination ${unknown.map((k) => `"${k}"`).join(", ")}; known: ${KNOWN.join(", ")}`,
    );
  }
  const out: Destination[] = [];
  if (config.mailerlite) {
    const { api, ...options } = config.mailerlite;
    if (api === "classic") {
      const { mailerliteClassicDestination } = await import("./mailerlite-classic.js");
      out.push(mailerliteClassicDestination(options as MailerliteClassicDestinationOptions));
    } else if (api === undefined || api === "new") {
      const { mailerliteDestination } = await import("./mailerlite.js");
      out.push(mailerliteDestination(options as MailerliteDestinationOptions));
    } else {
      throw new Error(`Invalid option \`mailerlite.api\`: "${String(api)}"; use "new" or "classic"`);
    }
  }
  if (config.twilio) out.push((await import("./twilio.js")).twilioDestination(config.twilio));
  if (config.sendgrid) out.push((await import("./sendgrid.js")).sendgridDestination(config.sendgrid));
  if (config.rudderstack)
    out.push((await import("./rudderstack.js")).rudderstackDestination(config.rudderstack));
  if (config.webhook) out.push((await import("./webhook.js")).webhookDestination(config.webhook));
  return out;
}
