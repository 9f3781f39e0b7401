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
// `+` numbers (E.164, whatsapp:+…) and formatted national numbers; bare digit runs are left alone so
// timestamps and ids stay readable
const PHONE = /\+\d[\d\s().-]{5,}\d|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b/g;

/** masks every email address and phone number in a string */
export function redactText(text: string): string {
  return text.replace(EMAIL, REDACTED).replace(PHONE, REDACTED);
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
