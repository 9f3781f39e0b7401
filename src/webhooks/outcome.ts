/**
 * What a webhook handler decided: the HTTP status to answer, the events to apply, and the issues to
 * log. Shared by the Twilio and MailerLite handlers so the server answers both the same way.
 */
import type { CartEvent } from "../core/events.js";
import type { Issue } from "../core/result.js";

export interface WebhookOutcome {
  /** 2xx for any authentic request (providers retry anything else), 403 for a bad signature */
  status: number;
  events: CartEvent[];
  /** what could not be used, for the log; never contains the payload itself */
  issues: Issue[];
  rejected?: "missing_signature" | "bad_signature" | "invalid_body";
}

/** log lines carry the provider and the reason, never personal data from the request */
export interface WebhookLogEntry {
  level: "warn" | "info";
  provider: "twilio" | "mailerlite";
  message: string;
  reason?: string;
}

export type WebhookLogger = (entry: WebhookLogEntry) => void;

export const defaultWebhookLogger: WebhookLogger = (entry) => {
  console.warn(`[cartback] ${entry.provider} webhook: ${entry.message}`);
};
