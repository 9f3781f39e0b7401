/**
 * MailerLite webhooks: checks the `Signature` header (hex HMAC-SHA256 of the raw body with the
 * webhook's secret, compared in constant time), then parses with the pure core.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { parseMailerliteWebhook } from "../core/engagement/mailerlite.js";
import { issue } from "../core/result.js";
import {
  defaultWebhookLogger,
  type FetchWebhookOptions,
  type WebhookLogger,
  type WebhookOutcome,
} from "./outcome.js";

export interface MailerliteWebhookRequest {
  /** the body exactly as received: the signature covers these bytes */
  rawBody: string | Uint8Array;
  /** the `Signature` header */
  signature: string | null | undefined;
}

export interface MailerliteWebhookOptions {
  /** the webhook's secret, shown when it is created in MailerLite */
  secret: string;
  at: number;
  logger?: WebhookLogger;
}

/** true when `signature` is the hex HMAC-SHA256 of `rawBody` under `secret` */
export function verifyMailerliteSignature(
  secret: string,
  rawBody: string | Uint8Array,
  signature: string | null | undefined,
): boolean {
  if (!signature || !/^[0-9a-f]+$/i.test(signature.trim())) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  const given = Buffer.from(signature.trim(), "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** verifies, then parses; a bad signature is rejected with 403 and logged without the request's data */
export function handleMailerliteWebhook(
  request: MailerliteWebhookRequest,
  options: MailerliteWebhookOptions,
): WebhookOutcome {
  const log = options.logger ?? defaultWebhookLogger;
  if (!request.signature) {
    log({
      level: "warn",
      provider: "mailerlite",
      message: "rejected: no Signature header",
      reason: "missing_signature",
    });
    return { status: 403, events: [], issues: [], rejected: "missing_signature" };
  }
  if (!verifyMailerliteSignature(options.secret, request.rawBody, request.signature)) {
    log({
      level: "warn",
      provider: "mailerlite",
      message: "rejected: Signature does not match the body (check the webhook secret)",
      reason: "bad_signature",
    });
    return { status: 403, events: [], issues: [], rejected: "bad_signature" };
  }
  let payload: unknown;
  try {
    const text =
      typeof request.rawBody === "string" ? request.rawBody : Buffer.from(request.rawBody).toString("utf8");
    payload = JSON.parse(text);
  } catch {
    log({
      level: "warn",
      provider: "mailerlite",
      message: "rejected: body is not JSON",
      reason: "invalid_body",
    });
    return {
      status: 400,
      events: [],
      issues: [issue("invalid_json", [], "the body is not JSON")],
      rejected: "invalid_body",
    };
  }
  const parsed = parseMailerliteWebhook(payload, { at: options.at });
  if (!parsed.success) {
    log({
      level: "info",
      provider: "mailerlite",
      message: `accepted but not used: ${parsed.error.map((i) => i.message).join("; ")}`,
      reason: parsed.error[0]?.code ?? "unsupported_event",
    });
    return { status: 200, events: [], issues: parsed.error };
  }
  return { status: 200, events: parsed.data, issues: [] };
}

/**
 * A `fetch`-style handler for MailerLite webhooks: verifies the raw body, parses, hands the events to
 * `onEvents` and answers 200, or 403 for a bad signature. MailerLite wants an answer within 3 s.
 */
export function mailerliteWebhookHandler(
  options: Omit<MailerliteWebhookOptions, "at"> & Omit<FetchWebhookOptions, "publicOrigin">,
): (request: Request) => Promise<Response> {
  const now = options.now ?? Date.now;
  return async (request) => {
    if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
    const rawBody = new Uint8Array(await request.arrayBuffer());
    const outcome = handleMailerliteWebhook(
      { rawBody, signature: request.headers.get("signature") },
      { secret: options.secret, at: now(), ...(options.logger ? { logger: options.logger } : {}) },
    );
    if (outcome.rejected) return new Response(outcome.rejected, { status: outcome.status });
    await options.onEvents(outcome.events, outcome);
    return Response.json({ ok: true, events: outcome.events.length });
  };
}

export type { FetchWebhookOptions, WebhookLogEntry, WebhookLogger, WebhookOutcome } from "./outcome.js";
