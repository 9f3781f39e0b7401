/** What every route group of the HTTP API is built from: the engine, the store and the settings. */
import type { JourneySpec } from "../core/journey/index.js";
import type { Engine } from "../runtime/engine.js";
import type { Logger } from "../runtime/logger.js";
import type { Store } from "../runtime/store.js";
import type { ReportRouteOptions } from "./report-route.js";
import type { Route } from "./routes.js";

/** the part of the engine the server drives */
export type ServerEngine = Pick<Engine, "ingest" | "ingestEvents" | "collectMetrics">;

/** the settings the handler reads (a subset of `ResolvedConfig`) */
export interface HandlerConfig {
  /** null accepts any write key (local emulator mode only) */
  writeKey: string | null;
  server: {
    publicUrl: string | null;
    maxBodyBytes: number;
    webhookHeader: { name: string; value: string } | null;
  };
  links: {
    secret: string | null;
    fallbackUrl: string | null;
    /**
     * the hosts a checkout link may redirect to (each with its subdomains), or `"any"` for any http(s)
     * URL (the emulator demo); default the host of `fallbackUrl`, else none
     */
    allowedHosts?: readonly string[] | "any";
  };
  webhooks: { mailerliteSecret: string | null; twilioAuthToken: string | null };
  /** the journeys and report settings for `/report`; without them the page is off */
  journeys?: readonly JourneySpec[];
  report?: ReportRouteOptions["report"];
}

export interface HandlerOptions {
  engine: ServerEngine;
  store: Store;
  config: HandlerConfig;
  logger: Logger;
  /** epoch ms; default `Date.now` (tests inject the engine's clock) */
  now?: () => number;
}

/** `HandlerOptions` with the clock filled in */
export type RouteContext = Required<HandlerOptions>;

/** answers the requests of one route group; `route` is the table entry the path matched */
export type RouteHandler = (request: Request, route: Route, path: string) => Promise<Response>;
