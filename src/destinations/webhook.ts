/**
 * @module cartback/destinations/webhook — executes `webhook.post`: a signed JSON POST to a named
 * target, for tasks (sales calls, personal messages), discount registration, Zapier / Pabbly catch
 * hooks, HubSpot or Intercom workflows.
 *
 * The body is signed like `X-Cartback-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`,
 * so a receiver can check both who sent it and that it is fresh (see `verifyWebhookSignature`).
 *
 * @example
 * const hooks = webhookDestination({
 *   targets: { sales: { url: "https://hooks.zapier.com/…", secret: process.env.SALES_HOOK_SECRET } },
 * });
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Command, CommandType, WebhookPost } from "../core/commands.js";
import {
  classifyHttpFailure,
  classifyUnknown,
  isNetworkOrTimeout,
  missingOptionError,
  timeoutError,
} from "./errors.js";
import { DeliveryError, type DeliveryReceipt, type Destination } from "./types.js";

export const NAME = "webhook";

export const SIGNATURE_HEADER = "x-cartback-signature";

export interface WebhookTarget {
  url: string;
  /** signs each body; without it the request goes unsigned */
  secret?: string;
  headers?: Record<string, string>;
  /** overrides the destination's `timeoutMs` */
  timeoutMs?: number;
}

export interface WebhookDestinationOptions {
  /** targets by name; a command's `target` names one */
  targets: Record<string, WebhookTarget>;
  /** per request, default 10 s */
  timeoutMs?: number;
  /** the `fetch` to use, default the global one */
  fetch?: typeof fetch;
  /** the clock for signature timestamps, epoch ms */
  now?: () => number;
}

const HANDLES: readonly CommandType[] = ["webhook.post"];

/** the signature header value for a body sent at `timestampSeconds` */
export function signWebhookBody(secret: string, body: string, timestampSeconds: number): string {
  const digest = createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex");
  return `t=${timestampSeconds},v1=${digest}`;
}

/**
 * Checks a cartback webhook signature on the receiving side: the HMAC must match (constant-time)
 * and the timestamp be within `toleranceSeconds` of `nowMs`.
 */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | null | undefined,
  nowMs: number = Date.now(),
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(",").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get("t"));
  const given = parts.get("v1");
  if (!Number.isInteger(timestamp) || !given) return false;
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(
    signWebhookBody(secret, body, timestamp).slice(`t=${timestamp},v1=`.length),
    "hex",
  );
  const actual = Buffer.from(given, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** what the receiver gets: the command's event and payload, and where it belongs in the journey */
function bodyOf(command: WebhookPost) {
  return {
    event: command.event,
    payload: command.payload,
    key: command.key,
    profileId: command.profileId,
    cartId: command.cartId,
    journey: command.journey,
    stage: command.stage,
    step: command.step,
    segment: command.segment,
    channel: command.channel,
  };
}

/** The webhook destination: one signed POST per command to the target it names. */
export function webhookDestination(options: WebhookDestinationOptions): Destination {
  if (!options?.targets) throw missingOptionError("webhookDestination", "targets");
  for (const [name, target] of Object.entries(options.targets)) {
    try {
      new URL(target.url);
    } catch {
      throw new Error(
        `Invalid option \`targets.${name}.url\` for webhookDestination: "${target.url}" is not a URL`,
      );
    }
  }
  const send = options.fetch ?? fetch;
  const now = options.now ?? Date.now;

  async function execute(command: Command): Promise<DeliveryReceipt> {
    if (command.type !== "webhook.post") {
      throw new DeliveryError(`${NAME}: cannot execute ${command.type}`, {
        kind: "configuration",
        destination: NAME,
        setting: "destinations",
      });
    }
    const target = options.targets[command.target];
    if (!target) {
      throw new DeliveryError(
        `${NAME}: no target named "${command.target}" (configured: ${Object.keys(options.targets).join(", ") || "none"})`,
        { kind: "configuration", destination: NAME, setting: `targets.${command.target}` },
      );
    }
    const body = JSON.stringify(bodyOf(command));
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "idempotency-key": command.key,
      ...target.headers,
    };
    if (target.secret)
      headers[SIGNATURE_HEADER] = signWebhookBody(target.secret, body, Math.floor(now() / 1000));
    const timeoutMs = target.timeoutMs ?? options.timeoutMs ?? 10_000;
    const action = `POST to "${command.target}"`;
    let response: Response;
    try {
      response = await send(target.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (isNetworkOrTimeout(error) && (error as Error).name === "TimeoutError") {
        throw timeoutError(NAME, action, timeoutMs, error);
      }
      throw classifyUnknown(error, {
        destination: NAME,
        authSetting: `targets.${command.target}.secret`,
        action,
      });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      throw classifyHttpFailure(
        { status: response.status, headers: Object.fromEntries(response.headers), body: parsed },
        { destination: NAME, authSetting: `targets.${command.target}.secret`, action },
      );
    }
    await response.body?.cancel();
    return {};
  }

  // every request carries the command key as `Idempotency-Key`: a receiver that honours it acts once
  return { name: NAME, handles: HANDLES, execute, idempotent: true };
}
