/**
 * Starts a whole cartback from a resolved config: store, destinations (or the local emulators when no
 * credentials are set), engine loops and the HTTP server. `cartback serve` is this plus signals.
 */
import { randomBytes } from "node:crypto";
import { ConfigError, type ResolvedConfig } from "../config/resolve.js";
import type { JourneySpec } from "../core/journey/schema.js";
import type { DestinationsConfig } from "../destinations/load.js";
import { loadDestinations } from "../destinations/load.js";
import type { Destination } from "../destinations/types.js";
import type { RunningEmulators } from "../emulators/index.js";
import type { Clock } from "../runtime/clock.js";
import { createEngine, type Engine, type EngineOptions } from "../runtime/engine.js";
import type { Logger } from "../runtime/logger.js";
import type { Store } from "../runtime/store.js";
import { createHandler } from "./handler.js";
import { createLogger, isClientAbort } from "./logger.js";
import { type NodeServer, serveNode } from "./node.js";
import { routePath } from "./routes.js";

/**
 * the emulated Twilio account and sender; its auth token is made up at each start (see
 * `RunningCartback.config.webhooks.twilioAuthToken`), so nobody can sign a forged webhook with a known one
 */
export const EMULATED_TWILIO = {
  accountSid: `AC${"0".repeat(32)}`,
  from: "+15005550006",
} as const;

/** true for a host name or address that only this machine reaches */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  return (
    name === "localhost" ||
    name === "::1" ||
    /^127(?:\.\d{1,3}){3}$/.test(name) ||
    /^::ffff:127(?:\.\d{1,3}){3}$/.test(name)
  );
}

/**
 * Refuses, as Redis's protected mode does, to listen beyond this machine while no write key is set:
 * every request would be accepted. `server.protectedMode: false` (CARTBACK_PROTECTED_MODE=off) allows it.
 */
export function checkExposure(config: ResolvedConfig): void {
  if (config.writeKey !== null || !config.server.protectedMode || isLoopbackHost(config.server.host)) return;
  throw new ConfigError(
    [
      {
        setting: "server.host",
        message: `"${config.server.host}" reaches beyond this machine and no write key is set, so anyone could send events: set CARTBACK_WRITE_KEY, listen on 127.0.0.1, or set server.protectedMode: false (CARTBACK_PROTECTED_MODE=off) to allow it`,
      },
    ],
    config.source,
  );
}

export interface StartCartbackOptions {
  config: ResolvedConfig;
  logger?: Logger;
  /** default the system clock; tests pass a manual one and drive `engine.tick()` */
  clock?: Clock;
  /** default true: run the scheduler and dispatcher loops; false leaves it to `engine.tick()` */
  loops?: boolean;
  /** extra engine options (scheduler and dispatcher tuning) */
  engine?: Partial<Omit<EngineOptions, "store" | "journeys" | "destinations" | "clock" | "logger" | "plan">>;
  /** a store you built instead of the configured one (it is closed by `stop`) */
  store?: Store;
}

export interface RunningCartback {
  url: string;
  /** the settings in effect (in emulator mode: the emulated destinations and webhook token) */
  config: ResolvedConfig;
  /** true when emulator mode signs links with a secret made up at start (set CARTBACK_LINK_SECRET) */
  temporaryLinkSecret: boolean;
  engine: Engine;
  store: Store;
  server: NodeServer;
  /** the running emulators in emulator mode, else null */
  emulators: RunningEmulators | null;
  destinations: Destination[];
  /** stops taking requests, drains the engine, closes the store and the emulators */
  stop(): Promise<void>;
}

/** the configured store, importing only its driver */
export async function openStore(settings: ResolvedConfig["store"]): Promise<Store> {
  if (settings.kind === "memory") return (await import("../stores/memory.js")).memoryStore();
  if (settings.kind === "postgres")
    return (await import("../stores/postgres.js")).postgresStore({
      connectionString: settings.url,
      ...(settings.schema ? { schema: settings.schema } : {}),
    });
  return (await import("../stores/sqlite.js")).sqliteStore({
    path: settings.path,
    ...(settings.synchronous ? { synchronous: settings.synchronous } : {}),
  });
}

async function startEmulatedDestinations(
  serverUrl: string | null,
  journeys: readonly JourneySpec[],
  twilioAuthToken: string,
): Promise<{ emulators: RunningEmulators; destinations: DestinationsConfig }> {
  const { startEmulators } = await import("../emulators/index.js");
  const emulators = await startEmulators({ mailerlite: true, twilio: true });
  const mailerliteUrl = emulators.urls.mailerlite as string;
  // the emulator starts empty: give it the fields and groups a real account gets from `cartback setup`
  const [{ mailerliteClient }, { setupMailerlite }, { MAILERLITE_FIELDS, journeyMailerliteGroups }] =
    await Promise.all([
      import("../destinations/mailerlite.js"),
      import("../destinations/mailerlite-setup.js"),
      import("../core/mailerlite-fields.js"),
    ]);
  await setupMailerlite(mailerliteClient({ apiKey: "emulator", baseUrl: mailerliteUrl }), {
    fields: MAILERLITE_FIELDS,
    groups: [...new Set(journeys.flatMap(journeyMailerliteGroups))],
  });
  return {
    emulators,
    destinations: {
      mailerlite: { apiKey: "emulator", baseUrl: mailerliteUrl, pacing: false },
      twilio: {
        ...EMULATED_TWILIO,
        authToken: twilioAuthToken,
        whatsappFrom: EMULATED_TWILIO.from,
        baseUrl: emulators.urls.twilio as string,
        ...(serverUrl ? { statusCallback: `${serverUrl}${routePath("twilioWebhook")}` } : {}),
      },
    },
  };
}

/**
 * Opens the store, builds the destinations, starts the engine and serves HTTP.
 *
 * @example
 * const cartback = await startCartback({ config: await loadConfig() });
 * // … later
 * await cartback.stop();
 */
export async function startCartback(options: StartCartbackOptions): Promise<RunningCartback> {
  const config: ResolvedConfig = { ...options.config, webhooks: { ...options.config.webhooks } };
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        logger.error({ err: error }, "shutdown step failed");
      }
    }
  };
  checkExposure(config);
  try {
    let emulators: RunningEmulators | null = null;
    let temporaryLinkSecret = false;
    let destinationsConfig = config.destinations;
    if (config.emulate) {
      const fixedPort = config.server.port !== 0;
      // the emulator signs its callbacks with the token the destination uses: a new one each start
      const twilioToken = randomBytes(16).toString("hex");
      const emulated = await startEmulatedDestinations(
        fixedPort ? (config.server.publicUrl ?? `http://127.0.0.1:${config.server.port}`) : null,
        config.journeys,
        twilioToken,
      );
      emulators = emulated.emulators;
      cleanups.push(() => (emulators as RunningEmulators).stop());
      destinationsConfig = emulated.destinations;
      config.webhooks.twilioAuthToken = twilioToken;
      if (!config.links.secret && fixedPort) {
        // a demo shows signed links too; they stop working when the process restarts
        const secret = randomBytes(24).toString("base64url");
        const baseUrl = config.links.baseUrl ?? `http://127.0.0.1:${config.server.port}`;
        // the demo's carts may point anywhere: its links redirect to any http(s) URL (never a script)
        const hosts = config.links.allowedHosts;
        config.links = {
          ...config.links,
          secret,
          baseUrl,
          allowedHosts: hosts === "any" || hosts.length === 0 ? "any" : hosts,
        };
        config.plan = {
          ...config.plan,
          secrets: { ...config.plan.secrets, links: secret },
          linkBaseUrl: baseUrl,
        };
        temporaryLinkSecret = true;
      }
    }
    const store = options.store ?? (await openStore(config.store));
    cleanups.push(() => store.close());
    const destinations = await loadDestinations(destinationsConfig);
    cleanups.push(async () => {
      await Promise.all(destinations.map((d) => d.dispose?.()));
    });
    const engine = createEngine({
      ...(options.engine ?? {}),
      store,
      journeys: config.journeys,
      destinations,
      logger,
      plan: config.plan,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const now = options.clock ? () => (options.clock as Clock).now() : Date.now;
    const handler = createHandler({ engine, store, config, logger, now });
    const server = await serveNode(handler, {
      port: config.server.port,
      host: config.server.host,
      onError: (error) =>
        isClientAbort(error)
          ? logger.info({ err: error }, "the client went away before its request was read")
          : logger.error({ err: error }, "request failed in the HTTP adapter"),
      maxBodyBytes: config.server.maxBodyBytes,
      bodyTimeoutMs: config.server.bodyTimeoutMs,
    });
    cleanups.push(() => server.close());
    if (options.loops !== false) {
      engine.start();
    }
    // the engine stops after the server (no new work) and before the store closes
    cleanups.splice(cleanups.length - 1, 0, () => engine.stop());
    return {
      url: server.url,
      config,
      temporaryLinkSecret,
      engine,
      store,
      server,
      emulators,
      destinations,
      stop: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
