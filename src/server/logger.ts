/**
 * Structured JSON logs (pino) that never carry a shopper's email address or phone number: fields
 * named like contact details are replaced, and addresses or numbers found inside any string (a log
 * message, an error text, a nested value) are masked.
 */
import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

export const REDACTED = "[redacted]";

const SENSITIVE_KEYS = new Set(
  ["email", "phone", "invalidphone", "to", "from", "firstname", "lastname", "address", "authorization"].map(
    (k) => k.toLowerCase(),
  ),
);
const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[A-Za-z]{2,}/g;
// `+` numbers (E.164, whatsapp:+…) and formatted US numbers
const PHONE = /\+\d[\d\s().-]{5,}\d|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g;
// any other run of digits, spaces, dots, dashes and brackets that stands alone: a phone number typed
// into a field nobody expected (`4155550188`, `020 7946 0958`, `00441234567890`) when it holds 10 to
// 15 digits (see `looksLikePhone`)
const DIGIT_RUN = /(?<![\w.+-])\(?\d[\d ().-]{8,24}\d(?![\w])/g;
const DATE = /\d{4}-\d\d-\d\d/;

/**
 * 10 to 15 digits, as every phone number in the world has, unless the run is a date or a bare
 * epoch time in seconds or milliseconds (10 or 13 digits starting with 1: no national number
 * starts with 1 at that length); ids as long as a phone number are masked too, the price of never
 * logging a number
 */
function looksLikePhone(run: string): boolean {
  const digits = run.replace(/\D/g, "");
  if (digits.length < 10 || digits.length > 15 || DATE.test(run)) return false;
  return !(digits === run && (digits.length === 10 || digits.length === 13) && digits[0] === "1");
}

/** masks every email address and phone number in a string */
export function redactText(text: string): string {
  return text
    .replace(EMAIL, REDACTED)
    .replace(PHONE, REDACTED)
    .replace(DIGIT_RUN, (run) => (looksLikePhone(run) ? REDACTED : run));
}

/**
 * true for the error a request's body stream gives when the client went away before sending all of
 * it: routine on the internet, logged at info rather than as a failure of the server
 */
export function isClientAbort(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === "ECONNRESET" ||
    code === "ECONNABORTED" ||
    code === "EPIPE" ||
    code === "ERR_STREAM_PREMATURE_CLOSE" ||
    (error instanceof Error && error.message === "aborted")
  );
}

/** a copy of `value` with contact fields replaced and contact details masked inside strings */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value instanceof Error) {
    return {
      type: value.name,
      message: redactText(value.message),
      stack: value.stack && redactText(value.stack),
    };
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] =
      SENSITIVE_KEYS.has(key.toLowerCase()) && item != null ? REDACTED : redactValue(item, depth + 1);
  }
  return out;
}

export interface CreateLoggerOptions {
  /** default `info` */
  level?: string;
  /** where lines go; default stdout */
  destination?: DestinationStream;
}

/**
 * A pino logger with contact details redacted.
 *
 * @example
 * const logger = createLogger({ level: "debug" });
 * logger.info({ email: "ada@example.com" }, "sent to +14155550100"); // both are "[redacted]"
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "cartback" },
      formatters: { log: (object) => redactValue(object) as Record<string, unknown> },
      serializers: { err: (error: unknown) => redactValue(error) },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg) => (typeof arg === "string" ? redactText(arg) : arg));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
