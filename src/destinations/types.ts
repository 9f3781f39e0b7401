/**
 * The plug point for delivery: every adapter (MailerLite, Twilio, SendGrid, RudderStack, webhooks)
 * implements `Destination`, and every failure is a `DeliveryError` the runtime can act on.
 */
import type { Command, CommandType } from "../core/commands.js";
import type { CartEvent } from "../core/events.js";

export interface DeliveryReceipt {
  /** the provider's id for what was created (Twilio message sid, MailerLite subscriber id, …) */
  providerId?: string;
  /** events to feed back into the shopper's profile (e.g. a delivery status) */
  events?: CartEvent[];
}

export interface Destination {
  /** e.g. `mailerlite`, `twilio`: the prefix of the command types it handles */
  readonly name: string;
  readonly handles: readonly CommandType[];
  execute(command: Command): Promise<DeliveryReceipt>;
  /**
   * finds what an earlier attempt of `command`, started at `since` (epoch ms), created at the
   * provider, or null when it created nothing; lets the runtime resend without duplicating
   */
  lookup?(command: Command, since: number): Promise<DeliveryReceipt | null>;
  /**
   * true when the provider applies a command once however often it arrives (an upsert, a group
   * membership, an idempotency key it honours), so a command whose earlier attempt has no known
   * outcome can simply be sent again. A destination with neither `lookup` nor `idempotent` gets such a
   * command dead-lettered instead: sending it again could deliver it twice.
   */
  readonly idempotent?: boolean;
  dispose?(): Promise<void>;
}

/**
 * - `retryable`: try again later (429, 5xx, timeouts, network, Twilio 20429), after `retryAfterMs` if set
 * - `permanent`: this command will never succeed (422, invalid or opted-out number); dead-letter it
 * - `configuration`: a setting is wrong (401/403, missing template); `setting` names it
 */
export type DeliveryErrorKind = "retryable" | "permanent" | "configuration";

const DELIVERY_ERROR = Symbol.for("cartback.DeliveryError");

export class DeliveryError extends Error {
  override name = "DeliveryError";
  readonly [DELIVERY_ERROR] = true;
  readonly kind: DeliveryErrorKind;
  readonly destination: string;
  /** HTTP status, when there was a response */
  readonly status?: number;
  /** provider error code, e.g. Twilio 21610 */
  readonly code?: string | number;
  readonly retryAfterMs?: number;
  /** the configuration setting to fix, for `configuration` errors */
  readonly setting?: string;
  /** field errors from a validation response */
  readonly fieldErrors?: Record<string, string[]>;
  /** events to feed back into the profile (e.g. SMS consent denied after 21610) */
  readonly events?: CartEvent[];
  /**
   * true when the request may have reached the provider and been carried out though no answer came
   * back (a timeout, a connection lost after the request was sent): find out before sending again
   */
  readonly outcomeUnknown?: boolean;

  constructor(
    message: string,
    options: {
      kind: DeliveryErrorKind;
      destination: string;
      status?: number;
      code?: string | number;
      retryAfterMs?: number;
      setting?: string;
      fieldErrors?: Record<string, string[]>;
      events?: CartEvent[];
      outcomeUnknown?: boolean;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.kind = options.kind;
    this.destination = options.destination;
    if (options.status !== undefined) this.status = options.status;
    if (options.code !== undefined) this.code = options.code;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.setting !== undefined) this.setting = options.setting;
    if (options.fieldErrors !== undefined) this.fieldErrors = options.fieldErrors;
    if (options.events !== undefined) this.events = options.events;
    if (options.outcomeUnknown) this.outcomeUnknown = true;
  }
}

/** true for a DeliveryError from any copy of cartback (the brand survives duplicate bundles) */
export function isDeliveryError(error: unknown): error is DeliveryError {
  return (
    typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[DELIVERY_ERROR] === true
  );
}
