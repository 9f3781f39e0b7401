/**
 * Twilio webhooks (status callbacks, inbound replies): checks `X-Twilio-Signature` with the SDK's
 * `validateRequest` against the exact public URL Twilio called, then parses with the pure core.
 */
import twilio from "twilio";
import { parseTwilioWebhook } from "../core/engagement/twilio.js";
import {
  defaultWebhookLogger,
  type FetchWebhookOptions,
  publicUrlOf,
  type WebhookLogger,
  type WebhookOutcome,
} from "./outcome.js";

export interface TwilioWebhookRequest {
  /** the exact public URL Twilio posted to, with its query string (behind a proxy: the outside URL) */
  url: string;
  /** the `X-Twilio-Signature` header */
  signature: string | null | undefined;
  /** the form fields of the body */
  params: Record<string, string>;
}

export interface TwilioWebhookOptions {
  authToken: string;
  /** when the request was received, epoch ms */
  at: number;
  logger?: WebhookLogger;
}

/** true when the signature matches the URL and form fields under this auth token */
export function verifyTwilioSignature(
  authToken: string,
  signature: string | null | undefined,
  url: string,
  params: Record<string, string>,
): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}

/** the command key the status callback URL carries (the Twilio destination adds `?key=`) */
function keyFromUrl(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get("key") ?? undefined;
  } catch {
    return undefined;
  }
}

/** verifies, then parses; a bad signature is rejected with 403 and logged without the request's data */
export function handleTwilioWebhook(
  request: TwilioWebhookRequest,
  options: TwilioWebhookOptions,
): WebhookOutcome {
  const log = options.logger ?? defaultWebhookLogger;
  if (!request.signature) {
    log({
      level: "warn",
      provider: "twilio",
      message: "rejected: no X-Twilio-Signature header",
      reason: "missing_signature",
    });
    return { status: 403, events: [], issues: [], rejected: "missing_signature" };
  }
  if (!verifyTwilioSignature(options.authToken, request.signature, request.url, request.params)) {
    log({
      level: "warn",
      provider: "twilio",
      message:
        "rejected: X-Twilio-Signature does not match (check the auth token and that the URL is the public one)",
      reason: "bad_signature",
    });
    return { status: 403, events: [], issues: [], rejected: "bad_signature" };
  }
  const key = keyFromUrl(request.url);
  const parsed = parseTwilioWebhook(request.params, { at: options.at, ...(key ? { key } : {}) });
  if (!parsed.success) {
    log({
      level: "info",
      provider: "twilio",
      message: `accepted but not used: ${parsed.error.map((i) => i.message).join("; ")}`,
      reason: parsed.error[0]?.code ?? "unsupported_event",
    });
    return { status: 200, events: [], issues: parsed.error };
  }
  return { status: 200, events: parsed.data, issues: [] };
}

/**
 * A `fetch`-style handler for Twilio's status callbacks and inbound messages: verifies, parses,
 * hands the events to `onEvents`, and answers 200 with an empty TwiML response (Twilio itself
 * replies to STOP, START and HELP), or 403 for a bad signature.
 *
 * @example
 * const handle = twilioWebhookHandler({ authToken, publicOrigin: "https://shop.example.com", onEvents: apply });
 * // in any fetch-style server: (request) => handle(request)
 */
export function twilioWebhookHandler(
  options: Omit<TwilioWebhookOptions, "at"> & FetchWebhookOptions,
): (request: Request) => Promise<Response> {
  const now = options.now ?? Date.now;
  return async (request) => {
    if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
    const params = Object.fromEntries(new URLSearchParams(await request.text()));
    const outcome = handleTwilioWebhook(
      {
        url: publicUrlOf(request, options.publicOrigin),
        signature: request.headers.get("x-twilio-signature"),
        params,
      },
      { authToken: options.authToken, at: now(), ...(options.logger ? { logger: options.logger } : {}) },
    );
    if (outcome.rejected) return new Response("forbidden", { status: outcome.status });
    await options.onEvents(outcome.events, outcome);
    return new Response('<?xml version="1.0" encoding="UTF-8"?><Response></Response>', {
      status: 200,
      headers: { "content-type": "text/xml" },
    });
  };
}

export type { FetchWebhookOptions, WebhookLogEntry, WebhookLogger, WebhookOutcome } from "./outcome.js";
