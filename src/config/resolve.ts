/**
 * Turns a config file's contents and the environment into the settings `cartback serve` runs with.
 * Secrets come from the environment; every problem is collected and reported by the setting's name.
 */
import type { z } from "zod";
import type { Prices, WinnerRule } from "../core/analytics/index.js";
import type { JourneySpec, PlanContext } from "../core/journey/index.js";
import { parseJourney } from "../core/journey/index.js";
import { PRESETS } from "../core/journey/presets/index.js";
import type { DestinationsConfig } from "../destinations/load.js";
import { ConfigSchema } from "./define.js";
import {
  ContentSidSetting,
  HostListSetting,
  LogLevelSetting,
  PortSetting,
  PostgresUrlSetting,
  readSetting,
  SecretSetting,
  SwitchSetting,
  UrlSetting,
} from "./settings.js";

export type Env = Record<string, string | undefined>;

/** one wrong or missing setting, named as in the config file or the environment */
export interface ConfigProblem {
  setting: string;
  message: string;
}

/** thrown when the configuration cannot run; the message lists every problem */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], source: string | null) {
    const where = source ? ` in ${source}` : "";
    super(
      `invalid configuration${where}:\n${problems.map((p) => `  - ${p.setting}: ${p.message}`).join("\n")}`,
    );
    this.problems = problems;
  }
}

export type StoreSettings =
  | { kind: "sqlite"; path: string; synchronous?: "normal" | "full" }
  | { kind: "postgres"; url: string; schema?: string }
  | { kind: "memory" };

export interface ResolvedConfig {
  /** the config file read, or null for defaults */
  source: string | null;
  /** the `.env` file read into the environment, or null (set by `loadConfig`) */
  envFile: string | null;
  /** null: no write key set, every RudderStack request is accepted (emulator mode only) */
  writeKey: string | null;
  /** where the write key came from: `CARTBACK_WRITE_KEY` or `writeKey` in the config file */
  writeKeyFrom: string | null;
  server: {
    port: number;
    /** `127.0.0.1` unless set */
    host: string;
    /** true (default): no listening beyond this machine without a write key */
    protectedMode: boolean;
    publicUrl: string | null;
    maxBodyBytes: number;
    bodyTimeoutMs: number;
    webhookHeader: { name: string; value: string } | null;
  };
  store: StoreSettings;
  journeys: JourneySpec[];
  destinations: DestinationsConfig;
  /** true: start the local emulators and aim the destinations at them */
  emulate: boolean;
  links: {
    secret: string | null;
    baseUrl: string | null;
    fallbackUrl: string | null;
    /** the hosts links may redirect to (with their subdomains); `"any"` only for the emulator demo */
    allowedHosts: string[] | "any";
  };
  webhooks: { mailerliteSecret: string | null; twilioAuthToken: string | null };
  /** the report page's key (null: the page is off), prices and the experiments' winner rule */
  report: ReportSettings;
  plan: PlanContext;
  logLevel: string;
}

export interface ReportSettings {
  key: string | null;
  prices: Prices | null;
  winnerRule: Partial<WinnerRule>;
}

export const DEFAULT_PORT = 3000;
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_SQLITE_PATH = "./cartback.db";

function zodPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/** an environment variable checked against its setting's schema; a problem names the variable */
function envSetting<T>(
  env: Env,
  name: string,
  schema: z.ZodType<T>,
  problems: ConfigProblem[],
): T | undefined {
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  const result = readSetting(schema, text);
  if (result.ok) return result.value;
  problems.push({ setting: name, message: result.message });
  return undefined;
}

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === "" ? undefined : value.trim();

/** true when a destination has what it needs to reach a real account */
function hasCredentials(destinations: DestinationsConfig): boolean {
  return Object.keys(destinations).length > 0;
}

/**
 * Validates a config file's export against the schema, merges the environment and applies defaults.
 * Throws a `ConfigError` naming every missing or wrong setting.
 */
export function resolveConfig(input: unknown, env: Env = {}, source: string | null = null): ResolvedConfig {
  const problems: ConfigProblem[] = [];
  const parsed = ConfigSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const setting = zodPath(i.path) || "(config)";
        // say what was given, as the flags and the environment do; never a secret
        const given =
          typeof i.input === "string" && !/secret|key|value/i.test(setting) ? `, got "${i.input}"` : "";
        return { setting, message: `${i.message}${given}` };
      }),
      source,
    );
  }
  const config = parsed.data;

  const whatsappTemplates = {
    nudge:
      envSetting(env, "CARTBACK_WHATSAPP_NUDGE", ContentSidSetting, problems) ??
      config.whatsappTemplates?.nudge,
    urgency:
      envSetting(env, "CARTBACK_WHATSAPP_URGENCY", ContentSidSetting, problems) ??
      config.whatsappTemplates?.urgency,
  };
  const journeys: JourneySpec[] = [];
  (config.journeys ?? ["playbook"]).forEach((entry, i) => {
    if (typeof entry === "string") {
      journeys.push((PRESETS[entry] as NonNullable<(typeof PRESETS)[string]>)({ whatsappTemplates }));
      return;
    }
    const result = parseJourney(entry);
    if (result.success) journeys.push(result.data);
    else
      for (const issue of result.error)
        problems.push({
          setting: `journeys[${i}]${issue.path.map((p) => `.${p}`).join("")}`,
          message: issue.message,
        });
  });
  if (journeys.length === 0) problems.push({ setting: "journeys", message: "name at least one journey" });

  const destinations = { ...(config.destinations ?? {}) } as DestinationsConfig & Record<string, unknown>;
  // secrets: the environment fills what the file leaves out
  const mailerliteKey = nonEmpty(env.MAILERLITE_API_KEY);
  if (mailerliteKey || destinations.mailerlite) {
    const own = (destinations.mailerlite ?? {}) as Record<string, unknown>;
    destinations.mailerlite = {
      ...own,
      apiKey: own.apiKey ?? mailerliteKey,
    } as DestinationsConfig["mailerlite"];
    if (!own.client && !own.apiKey && !mailerliteKey)
      problems.push({
        setting: "MAILERLITE_API_KEY",
        message: "destinations.mailerlite is configured but has no API key: set MAILERLITE_API_KEY",
      });
  }
  const twilioEnv = {
    accountSid: nonEmpty(env.TWILIO_ACCOUNT_SID),
    authToken: nonEmpty(env.TWILIO_AUTH_TOKEN),
    from: nonEmpty(env.TWILIO_FROM),
    messagingServiceSid: nonEmpty(env.TWILIO_MESSAGING_SERVICE_SID),
    whatsappFrom: nonEmpty(env.TWILIO_WHATSAPP_FROM),
  };
  if (Object.values(twilioEnv).some(Boolean) || destinations.twilio) {
    const own = (destinations.twilio ?? {}) as Record<string, unknown>;
    const merged: Record<string, unknown> = { ...own };
    for (const [key, value] of Object.entries(twilioEnv))
      if (merged[key] === undefined && value) merged[key] = value;
    destinations.twilio = merged as DestinationsConfig["twilio"];
    if (!merged.client) {
      if (!merged.accountSid)
        problems.push({
          setting: "TWILIO_ACCOUNT_SID",
          message: "missing: Twilio needs an account SID (AC…)",
        });
      else if (!/^AC[0-9a-fA-F]{32}$/.test(String(merged.accountSid)))
        problems.push({ setting: "TWILIO_ACCOUNT_SID", message: "must be AC followed by 32 hex digits" });
      if (!merged.authToken)
        problems.push({
          setting: "TWILIO_AUTH_TOKEN",
          message: "missing: Twilio needs the account's auth token",
        });
    }
    if (!merged.from && !merged.messagingServiceSid)
      problems.push({
        setting: "TWILIO_FROM",
        message: "missing: set TWILIO_FROM (an E.164 sender) or TWILIO_MESSAGING_SERVICE_SID",
      });
  }
  const rsKey = nonEmpty(env.RUDDERSTACK_WRITE_KEY);
  const rsUrl = nonEmpty(env.RUDDERSTACK_DATA_PLANE_URL);
  if (rsKey || rsUrl) {
    const own = (destinations.rudderstack ?? {}) as Record<string, unknown>;
    const writeKey = (own.writeKey as string | undefined) ?? rsKey;
    const dataPlaneUrl = (own.dataPlaneUrl as string | undefined) ?? rsUrl;
    destinations.rudderstack = { ...own, writeKey, dataPlaneUrl } as DestinationsConfig["rudderstack"];
    if (!writeKey)
      problems.push({
        setting: "RUDDERSTACK_WRITE_KEY",
        message: "missing: RUDDERSTACK_DATA_PLANE_URL is set without it",
      });
    if (!dataPlaneUrl)
      problems.push({
        setting: "RUDDERSTACK_DATA_PLANE_URL",
        message: "missing: RUDDERSTACK_WRITE_KEY is set without it",
      });
  }

  const emulateSetting = config.emulators ?? "auto";
  const emulate = emulateSetting === "auto" ? !hasCredentials(destinations) : emulateSetting;
  if (!emulate && !hasCredentials(destinations))
    problems.push({
      setting: "destinations",
      message:
        "no destination configured and emulators are off: set MAILERLITE_API_KEY and/or TWILIO_ACCOUNT_SID",
    });

  const envWriteKey = nonEmpty(env.CARTBACK_WRITE_KEY);
  const writeKey = envWriteKey ?? config.writeKey ?? null;
  const writeKeyFrom = envWriteKey
    ? "CARTBACK_WRITE_KEY"
    : writeKey
      ? `writeKey in ${source ?? "the config"}`
      : null;
  if (!writeKey && !emulate)
    problems.push({
      setting: "CARTBACK_WRITE_KEY",
      message: "missing: the RudderStack SDKs must authenticate once real destinations are configured",
    });

  const port = envSetting(env, "PORT", PortSetting, problems) ?? config.server?.port ?? DEFAULT_PORT;
  const publicUrl =
    envSetting(env, "CARTBACK_PUBLIC_URL", UrlSetting, problems) ?? config.server?.publicUrl ?? null;

  const headerValue = nonEmpty(env.CARTBACK_WEBHOOK_SECRET) ?? config.server?.webhookHeader?.value;
  let webhookHeader: { name: string; value: string } | null = null;
  if (headerValue)
    webhookHeader = {
      name: (config.server?.webhookHeader?.name ?? "x-cartback-key").toLowerCase(),
      value: headerValue,
    };
  else if (config.server?.webhookHeader)
    problems.push({
      setting: "CARTBACK_WEBHOOK_SECRET",
      message: `missing: server.webhookHeader names "${config.server.webhookHeader.name}" but no value is set`,
    });

  let store: StoreSettings;
  const databaseUrl = envSetting(env, "DATABASE_URL", PostgresUrlSetting, problems);
  if (config.store?.kind === "memory") store = { kind: "memory" };
  else if (config.store?.kind === "postgres") {
    const url = config.store.url ?? databaseUrl;
    if (!url) problems.push({ setting: "DATABASE_URL", message: "missing: store.kind is postgres" });
    store = {
      kind: "postgres",
      url: url ?? "",
      ...(config.store.schema ? { schema: config.store.schema } : {}),
    };
  } else if (config.store?.kind === "sqlite" || !databaseUrl)
    store = {
      kind: "sqlite",
      path: nonEmpty(env.CARTBACK_DB_PATH) ?? config.store?.path ?? DEFAULT_SQLITE_PATH,
      ...(config.store?.kind === "sqlite" && config.store.synchronous
        ? { synchronous: config.store.synchronous }
        : {}),
    };
  else store = { kind: "postgres", url: databaseUrl };

  const linkSecret =
    envSetting(env, "CARTBACK_LINK_SECRET", SecretSetting, problems) ?? config.links?.secret ?? null;
  const linkBase = config.links?.baseUrl ?? publicUrl;
  const fallbackUrl = config.links?.fallbackUrl ?? null;
  const linkHosts =
    envSetting(env, "CARTBACK_LINK_HOSTS", HostListSetting, problems) ??
    config.links?.allowedHosts ??
    (fallbackUrl ? [new URL(fallbackUrl).hostname] : []);
  if (linkSecret && linkHosts.length === 0)
    problems.push({
      setting: "links.allowedHosts",
      message:
        'missing: signed checkout links redirect only to the shop\'s own hosts: set links.allowedHosts (e.g. ["shop.example.com"]), CARTBACK_LINK_HOSTS or links.fallbackUrl',
    });
  const protectedMode =
    envSetting(env, "CARTBACK_PROTECTED_MODE", SwitchSetting, problems) ??
    config.server?.protectedMode ??
    true;
  const logLevel = envSetting(env, "LOG_LEVEL", LogLevelSetting, problems) ?? config.logLevel ?? "info";

  const reportKey =
    envSetting(env, "CARTBACK_REPORT_KEY", SecretSetting, problems) ?? config.report?.key ?? null;

  if (problems.length > 0) throw new ConfigError(problems, source);

  const twilioToken = (destinations.twilio as { authToken?: string } | undefined)?.authToken ?? null;
  return {
    source,
    envFile: null,
    writeKey,
    writeKeyFrom,
    server: {
      port,
      host: nonEmpty(env.HOST) ?? config.server?.host ?? DEFAULT_HOST,
      protectedMode,
      publicUrl,
      maxBodyBytes: config.server?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      bodyTimeoutMs: config.server?.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS,
      webhookHeader,
    },
    store,
    journeys,
    destinations,
    emulate,
    links: { secret: linkSecret, baseUrl: linkBase, fallbackUrl, allowedHosts: linkHosts },
    webhooks: {
      mailerliteSecret: nonEmpty(env.MAILERLITE_WEBHOOK_SECRET) ?? config.webhooks?.mailerliteSecret ?? null,
      twilioAuthToken: twilioToken,
    },
    report: {
      key: reportKey,
      prices: config.report?.prices ?? null,
      winnerRule: config.report?.winner ?? {},
    },
    plan: {
      ...(linkSecret ? { secrets: { links: linkSecret } } : {}),
      ...(linkBase ? { linkBaseUrl: linkBase } : {}),
      ...(config.storeTimezone ? { storeTimezone: config.storeTimezone } : {}),
      ...(config.storeName ? { storeName: config.storeName } : {}),
      ...(config.links?.fallbackUrl ? { shopUrl: config.links.fallbackUrl } : {}),
    },
    logLevel,
  };
}
