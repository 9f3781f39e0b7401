/**
 * Turns what SDKs throw (axios errors, Twilio `RestException`, SendGrid `ResponseError`, fetch
 * failures) into a classified `DeliveryError`, so the runtime knows whether to retry, dead-letter or
 * stop and ask for a setting to be fixed.
 */
import type { CartEvent } from "../core/events.js";
import { DeliveryError, isDeliveryError } from "./types.js";

/** failures to connect at all: the request never left, so nothing can have been carried out */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * network failures worth retrying; apart from the ones above, the request may have reached the
 * service and been carried out before the connection broke or the client stopped waiting
 */
const NETWORK_CODES = new Set([
  ...NOT_SENT_CODES,
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EPIPE",
  "ERR_NETWORK",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** the error thrown when a required option is missing, naming the option and the factory */
export function missingOptionError(factory: string, option: string): Error {
  return new Error(`Missing required option \`${option}\` for ${factory}`);
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: unknown, now: number = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text === "number" && Number.isFinite(text)) return Math.max(0, Math.round(text * 1000));
  if (typeof text !== "string" || text.trim() === "") return undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** field errors from a 422 body shaped `{ errors: { field: [messages] } }` (MailerLite, many others) */
export function readFieldErrors(body: unknown): Record<string, string[]> | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const errors = (body as { errors?: unknown }).errors;
  if (typeof errors !== "object" || errors === null) return undefined;
  const out: Record<string, string[]> = {};
  if (Array.isArray(errors)) {
    // SendGrid: [{ field, message }]
    for (const entry of errors) {
      if (typeof entry !== "object" || entry === null) continue;
      const { field, message } = entry as { field?: unknown; message?: unknown };
      const key = typeof field === "string" && field !== "" ? field : "(root)";
      out[key] = [...(out[key] ?? []), String(message ?? "invalid")];
    }
  } else {
    for (const [field, messages] of Object.entries(errors)) {
      out[field] = Array.isArray(messages) ? messages.map(String) : [String(messages)];
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export interface HttpFailure {
  status: number;
  headers?: Record<string, unknown>;
  body?: unknown;
  /** provider code, e.g. Twilio 21610 */
  code?: string | number;
  message?: string;
}

export interface ClassifyContext {
  destination: string;
  /** the setting to fix when credentials are rejected (401/403), e.g. `apiKey` */
  authSetting: string;
  /** what was being done, for the message, e.g. `upsert subscriber` */
  action: string;
  cause?: unknown;
  events?: CartEvent[];
}

function describe(failure: HttpFailure): string {
  const detail = failure.message ?? bodyMessage(failure.body);
  const code = failure.code !== undefined ? ` (code ${failure.code})` : "";
  return `HTTP ${failure.status}${code}${detail ? `: ${detail}` : ""}`;
}

function bodyMessage(body: unknown): string | undefined {
  if (typeof body === "string") return body.slice(0, 200) || undefined;
  if (typeof body === "object" && body !== null) {
    const message = (body as { message?: unknown }).message;
    if (typeof message === "string") return message;
  }
  return undefined;
}

/** classifies an HTTP error response by its status */
export function classifyHttpFailure(failure: HttpFailure, context: ClassifyContext): DeliveryError {
  const { status } = failure;
  const base = {
    destination: context.destination,
    status,
    ...(failure.code !== undefined ? { code: failure.code } : {}),
    ...(context.cause !== undefined ? { cause: context.cause } : {}),
    ...(context.events ? { events: context.events } : {}),
  };
  const what = `${context.destination}: ${context.action} failed with ${describe(failure)}`;
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headerValue(failure.headers, "retry-after"));
    return new DeliveryError(what, {
      ...base,
      kind: "retryable",
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status === 401 || status === 403) {
    return new DeliveryError(`${what}; check the \`${context.authSetting}\` setting`, {
      ...base,
      kind: "configuration",
      setting: context.authSetting,
    });
  }
  const fieldErrors = readFieldErrors(failure.body);
  return new DeliveryError(what, { ...base, kind: "permanent", ...(fieldErrors ? { fieldErrors } : {}) });
}

/** a header from either a plain object (any case) or a `Headers`-like object */
export function headerValue(headers: unknown, name: string): unknown {
  if (headers === null || headers === undefined) return undefined;
  const maybe = headers as { get?: unknown };
  if (typeof maybe.get === "function") {
    const got = (maybe.get as (n: string) => unknown).call(headers, name);
    if (got !== undefined && got !== null) return got;
  }
  if (typeof headers !== "object") return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

/** true for timeouts and connection failures, from Node, undici, axios or an AbortSignal */
export function isNetworkOrTimeout(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, name, cause } = error as { code?: unknown; name?: unknown; cause?: unknown };
  if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
  if (name === "TimeoutError" || name === "AbortError") return true;
  if (name === "TypeError" && (error as Error).message === "fetch failed") return true;
  return cause !== undefined && cause !== error && isNetworkOrTimeout(cause);
}

/** true when `error` (or one of its causes) says the connection was never made */
function neverSent(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  if (typeof code === "string" && NOT_SENT_CODES.has(code)) return true;
  return cause !== undefined && cause !== error && neverSent(cause);
}

/** a retryable error for a call that did not answer within `ms`: it may have been carried out */
export function timeoutError(
  destination: string,
  action: string,
  ms: number,
  cause?: unknown,
): DeliveryError {
  return new DeliveryError(`${destination}: ${action} timed out after ${ms} ms`, {
    kind: "retryable",
    destination,
    code: "TIMEOUT",
    outcomeUnknown: true,
    ...(cause !== undefined ? { cause } : {}),
  });
}

/**
 * Classifies an axios error (the MailerLite SDKs use axios): a response by its status, otherwise
 * network and timeouts as retryable; anything else is rethrown as a permanent error.
 */
export function classifyAxiosError(error: unknown, context: ClassifyContext): DeliveryError {
  if (isDeliveryError(error)) return error;
  const response = (error as { response?: { status?: unknown; headers?: unknown; data?: unknown } } | null)
    ?.response;
  if (response && typeof response.status === "number") {
    return classifyHttpFailure(
      {
        status: response.status,
        headers: (response.headers ?? {}) as Record<string, unknown>,
        body: response.data,
      },
      { ...context, cause: error },
    );
  }
  return classifyUnknown(error, context);
}

/**
 * network failures and timeouts are retryable (with `outcomeUnknown` unless the connection was never
 * made); anything else we cannot explain is permanent
 */
export function classifyUnknown(error: unknown, context: ClassifyContext): DeliveryError {
  if (isDeliveryError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (isNetworkOrTimeout(error)) {
    return new DeliveryError(`${context.destination}: ${context.action} failed: ${message}`, {
      kind: "retryable",
      destination: context.destination,
      ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
      outcomeUnknown: !neverSent(error),
      cause: error,
    });
  }
  return new DeliveryError(`${context.destination}: ${context.action} failed: ${message}`, {
    kind: "permanent",
    destination: context.destination,
    cause: error,
  });
}

/**
 * Resolves with `promise`, or rejects with a retryable timeout error after `ms`. For SDKs that
 * cannot be given a timeout or an AbortSignal: the request is abandoned, not aborted.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  destination: string,
  action: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(destination, action, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
