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

export interface FetchWebhookOptions {
  /**
   * the public origin the provider calls, e.g. `https://shop.example.com`: behind a proxy the request's
   * own URL is the inside one, and signatures cover the outside one. Default: the request's origin
   */
  publicOrigin?: string;
  /** receives the events of every authentic request; the answer waits for it */
  onEvents: (events: CartEvent[], outcome: WebhookOutcome) => void | Promise<void>;
  logger?: WebhookLogger;
  /** the clock, epoch ms */
  now?: () => number;
}

/** the URL as the provider saw it: the public origin with the request's path and query */
export function publicUrlOf(request: Request, publicOrigin: string | undefined): string {
  const url = new URL(request.url);
  if (!publicOrigin) return url.toString();
  const origin = new URL(publicOrigin);
  // a public origin with a path prefix (`https://shop.example.com/cartback`) keeps it
  const prefix = origin.pathname.replace(/\/+$/, "");
  return `${origin.origin}${prefix}${url.pathname}${url.search}`;
}
