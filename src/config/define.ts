/**
 * The shape of `cartback.config.{ts,js,json}`: every setting has a default, and every secret may
 * come from the environment instead (see `resolveConfig`).
 *
 * @example
 * // cartback.config.ts
 * import { defineConfig } from "cartback/config";
 * export default defineConfig({ journeys: ["playbook"], links: { baseUrl: "https://shop.example.com/cartback" } });
 */
import { z } from "zod";
import type { DestinationsConfig } from "../destinations/load.js";
import {
  ContentSidSetting,
  HostSetting,
  LogLevelSetting,
  PortSetting,
  PostgresUrlSetting,
  SecretSetting,
  TimezoneSetting,
  UrlSetting,
} from "./settings.js";

const port = PortSetting;
const url = UrlSetting;

export const ConfigSchema = z.strictObject({
  /** the write key RudderStack SDKs send as the Basic-auth user (env CARTBACK_WRITE_KEY) */
  writeKey: z.string().min(1).optional(),
  server: z
    .strictObject({
      /** default 3000 (env PORT) */
      port: port.optional(),
      /**
       * default `127.0.0.1`, this machine only (env HOST); `0.0.0.0` listens on every interface, which
       * needs a write key unless `protectedMode` is false
       */
      host: z.string().min(1).optional(),
      /**
       * default true: refuse to listen beyond this machine while no write key is set (any request would
       * be accepted); false allows it, e.g. inside a private network (env CARTBACK_PROTECTED_MODE=off)
       */
      protectedMode: z.boolean().optional(),
      /** the origin providers and shoppers reach this server on, e.g. `https://cartback.shop.example.com` */
      publicUrl: url.optional(),
      /** largest accepted request body, after decompression; default 4 MB (RudderStack's own limit) */
      maxBodyBytes: z.number().int().positive().optional(),
      /** how long a request body may take to arrive, in ms; default 10,000 (then 408) */
      bodyTimeoutMs: z.number().int().positive().optional(),
      /** the header RudderStack's Webhook destination sends, and its value (env CARTBACK_WEBHOOK_SECRET) */
      webhookHeader: z
        .strictObject({ name: z.string().min(1), value: z.string().min(1).optional() })
        .optional(),
    })
    .optional(),
  store: z
    .discriminatedUnion("kind", [
      z.strictObject({
        kind: z.literal("sqlite"),
        path: z.string().min(1).optional(),
        /**
         * `normal` (default): a 200 survives a crash of the process, not a power loss; `full`: it
         * survives a power loss too, for an fsync per commit (see docs/server.md)
         */
        synchronous: z.enum(["normal", "full"]).optional(),
      }),
      z.strictObject({
        kind: z.literal("postgres"),
        url: PostgresUrlSetting.optional(),
        /** the schema holding cartback's tables; default `cartback` */
        schema: z.string().min(1).optional(),
      }),
      z.strictObject({ kind: z.literal("memory") }),
    ])
    .optional(),
  /** preset names or journey specs; default `["playbook"]` */
  journeys: z
    .array(z.union([z.enum(["playbook", "classic", "coordinated"]), z.record(z.string(), z.unknown())]))
    .optional(),
  /**
   * the approved WhatsApp templates of the playbook preset, as `cartback setup twilio` prints them
   * (env CARTBACK_WHATSAPP_NUDGE, CARTBACK_WHATSAPP_URGENCY); a WhatsApp step without one is skipped
   */
  whatsappTemplates: z
    .strictObject({ nudge: ContentSidSetting.optional(), urgency: ContentSidSetting.optional() })
    .optional(),
  /** destination options (see docs/destinations.md); secrets may come from the environment */
  destinations: z.record(z.string(), z.unknown()).optional(),
  links: z
    .strictObject({
      /** signs checkout links (env CARTBACK_LINK_SECRET); without it messages carry the shop's own URL */
      secret: SecretSetting.optional(),
      /** where `/r/<token>` is served; default `server.publicUrl` */
      baseUrl: url.optional(),
      /** where a valid link goes when the cart has no restore URL, e.g. the shop's cart page */
      fallbackUrl: url.optional(),
      /**
       * the shop's hosts a link may redirect to, each with its subdomains, e.g. `["shop.example.com"]`
       * (env CARTBACK_LINK_HOSTS, comma-separated); default the host of `fallbackUrl`. Signed links need
       * one or the other: a cart URL on any other host goes to `fallbackUrl` instead
       */
      allowedHosts: z.array(HostSetting).min(1).optional(),
    })
    .optional(),
  webhooks: z
    .strictObject({
      /** MailerLite webhook secret (env MAILERLITE_WEBHOOK_SECRET) */
      mailerliteSecret: z.string().min(1).optional(),
    })
    .optional(),
  /** the shop's timezone for shoppers whose own is unknown, e.g. `Europe/London` */
  storeTimezone: TimezoneSetting.optional(),
  storeName: z.string().min(1).optional(),
  /** `fatal` … `trace`; default `info` (env LOG_LEVEL) */
  logLevel: LogLevelSetting.optional(),
  report: z
    .strictObject({
      /**
       * the key that opens the report page at `/report` (env CARTBACK_REPORT_KEY, at least 16
       * characters); without it the page is off
       */
      key: SecretSetting.optional(),
      /** what one message costs, for cost and return on spend: per email, SMS segment, WhatsApp message */
      prices: z
        .strictObject({
          currency: z.string().regex(/^[A-Z]{3}$/, { message: "must be an ISO 4217 code like USD" }),
          email: z.number().min(0).optional(),
          sms: z.number().min(0).optional(),
          whatsapp: z.number().min(0).optional(),
          push: z.number().min(0).optional(),
        })
        .optional(),
      /** when an experiment's winner is called: carts per variant (default 500) and probability (0.9) */
      winner: z
        .strictObject({
          minCarts: z.number().int().min(1).optional(),
          confidence: z.number().gt(0.5).lt(1).optional(),
        })
        .optional(),
    })
    .optional(),
  /** start the local API emulators: `auto` (default) when no destination has credentials */
  emulators: z.union([z.boolean(), z.literal("auto")]).optional(),
});

/** what a config file exports */
export type CartbackConfig = Omit<z.input<typeof ConfigSchema>, "destinations" | "journeys"> & {
  destinations?: DestinationsConfig;
  journeys?: Array<"playbook" | "classic" | "coordinated" | Record<string, unknown>>;
};

/** types a config file; the values are checked when `cartback serve` starts */
export function defineConfig(config: CartbackConfig): CartbackConfig {
  return config;
}
