/**
 * The settings that can come from more than one place — a command-line flag, the config file, the
 * environment — checked by one schema each, so `--store-timezone Mars/Base`, `storeTimezone:
 * "Mars/Base"` in a config file are refused with the same words, each naming where the value came from.
 */
import { isSupportedCountry } from "libphonenumber-js/min";
import { z } from "zod";
import { isTimeZone } from "../core/timezone.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const isHttpUrl = (value: string): boolean => {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === "http:" || protocol === "https:";
};

export const TimezoneSetting = z
  .string()
  .refine(isTimeZone, "must be an IANA time zone such as Europe/London or America/New_York");
export const UrlSetting = z
  .string()
  .refine(isHttpUrl, "must be an absolute http(s) URL such as https://cartback.shop.example.com");
/** a host name such as `shop.example.com`: no scheme, port or path */
export const HostSetting = z
  .string()
  .regex(
    /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i,
    "must be a host name such as shop.example.com (no scheme, port or path)",
  );
/** a comma-separated list of host names, as an environment variable gives it */
export const HostListSetting = z
  .string()
  .transform((text) =>
    text
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== ""),
  )
  .pipe(z.array(HostSetting).min(1, "must name at least one host such as shop.example.com"));
/** `on`/`off` (also true/false, 1/0, yes/no) from the environment */
export const SwitchSetting = z
  .string()
  .transform((text) => text.trim().toLowerCase())
  .pipe(z.enum(["on", "off", "true", "false", "1", "0", "yes", "no"], { message: "must be on or off" }))
  .transform((text) => ["on", "true", "1", "yes"].includes(text));
/** signs checkout links and derives discount codes: guessable when short */
export const SecretSetting = z.string().min(16, "must be at least 16 characters");
export const RegionSetting = z
  .string()
  .refine(
    (value) => /^[A-Z]{2}$/.test(value) && isSupportedCountry(value),
    "must be a two-letter ISO country code such as IN, US or GB",
  );
/** an approved WhatsApp Content API template */
export const ContentSidSetting = z
  .string()
  .regex(/^HX[0-9a-fA-F]{32}$/, "must be a Content API template SID: HX followed by 32 hex digits");
const PORT_MESSAGE = "must be a port number from 0 to 65535";
export const PortSetting = z.int({ message: PORT_MESSAGE }).min(0, PORT_MESSAGE).max(65535, PORT_MESSAGE);
export const LogLevelSetting = z.enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(", ")}` });
export const PostgresUrlSetting = z
  .string()
  .refine(
    (value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value),
    "must be a PostgreSQL URL such as postgres://user@127.0.0.1:5432/shop",
  );

/** settings whose value is echoed in messages; secrets never are */
const SECRET = new Set<z.ZodType>([SecretSetting]);

/**
 * Checks a setting's text (a flag's or an environment variable's value) against its schema. `port`
 * takes the text as a number. Returns the value, or the problem: what is wrong and what was given.
 */
export function readSetting<T>(
  schema: z.ZodType<T>,
  text: string,
): { ok: true; value: T } | { ok: false; message: string } {
  const input = schema === (PortSetting as z.ZodType) && /^\d+$/.test(text) ? Number(text) : text;
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = parsed.error.issues[0]?.message ?? "is not valid";
  return {
    ok: false,
    message: SECRET.has(schema as z.ZodType) ? message : `${message}, got "${text}"`,
  };
}
