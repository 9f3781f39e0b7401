/**
 * The cartback HTTP API as a web-standard `fetch` handler: the RudderStack HTTP API and Webhook
 * destination format in, Twilio and MailerLite webhooks, signed checkout links, health and metrics.
 * Runs on any runtime with `Request`/`Response`; `serveNode` adapts it to `node:http`.
 */
import type { CartEvent, Channel } from "../core/events.js";
import { CHANNELS } from "../core/events.js";
import { type JourneySpec, verifyCheckoutToken } from "../core/journey/index.js";
import type { Engine } from "../runtime/engine.js";
import type { Logger } from "../runtime/logger.js";
import type { EngineMetrics } from "../runtime/metrics.js";
import { LATENESS_BUCKETS_S } from "../runtime/metrics.js";
import type { Store } from "../runtime/store.js";
import { mailerliteWebhookHandler } from "../webhooks/mailerlite.js";
import type { WebhookLogEntry } from "../webhooks/outcome.js";
import { twilioWebhookHandler } from "../webhooks/twilio.js";
import { jsonResponse as json, parseJsonBody, readBody } from "./body.js";
import { HttpError, isHttpError } from "./http-error.js";
import { type Metric, renderMetrics } from "./metrics.js";
import { friendlyPage } from "./pages.js";
import { createReportRoute, type ReportRouteOptions } from "./report-route.js";
import { matchRoute, ROUTES, type Route } from "./routes.js";

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
  links: { secret: string | null; fallbackUrl: string | null };
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

/** browsers running RudderStack's JavaScript SDK on the shop's own domain call the API cross-origin */
function corsHeaders(request: Request): Record<string, string> {
  const origin = request.headers.get("origin");
  return {
    "access-control-allow-origin": origin ?? "*",
    ...(origin ? { "access-control-allow-credentials": "true", vary: "Origin" } : {}),
    "access-control-allow-methods": "POST, OPTIONS",
    "access-control-allow-headers":
      request.headers.get("access-control-request-headers") ?? "Content-Type, Authorization, AnonymousId",
    "access-control-max-age": "86400",
  };
}

function writeKeyOf(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (!header?.toLowerCase().startsWith("basic ")) return null;
  try {
    const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon === -1 ? decoded : decoded.slice(0, colon);
  } catch {
    return null;
  }
}

function timingSafeEqualText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}

/**
 * Builds the handler.
 *
 * @example
 * const handler = createHandler({ engine, store, config, logger });
 * const server = await serveNode(handler, { port: 3000 });
 */
export function createHandler(options: HandlerOptions): (request: Request) => Promise<Response> {
  const { engine, store, config, logger } = options;
  const now = options.now ?? Date.now;
  const requests = new Map<string, number>();

  const webhookLogger = (entry: WebhookLogEntry) =>
    logger[entry.level](
      { provider: entry.provider, reason: entry.reason },
      `${entry.provider} webhook: ${entry.message}`,
    );
  const onEvents = async (events: CartEvent[]) => {
    if (events.length > 0) await engine.ingestEvents(events);
  };
  const publicOrigin = config.server.publicUrl ?? undefined;
  const twilio = config.webhooks.twilioAuthToken
    ? twilioWebhookHandler({
        authToken: config.webhooks.twilioAuthToken,
        onEvents,
        logger: webhookLogger,
        now,
        ...(publicOrigin ? { publicOrigin } : {}),
      })
    : null;
  const mailerlite = config.webhooks.mailerliteSecret
    ? mailerliteWebhookHandler({
        secret: config.webhooks.mailerliteSecret,
        onEvents,
        logger: webhookLogger,
        now,
      })
    : null;

  function authorize(request: Request): void {
    if (config.writeKey === null) return;
    const given = writeKeyOf(request);
    if (given === null || !timingSafeEqualText(given, config.writeKey)) {
      throw new HttpError(401, "unauthorized: send the write key as the Basic-auth user", {
        "www-authenticate": 'Basic realm="cartback"',
      });
    }
  }

  async function ingest(messages: unknown[]): Promise<Response> {
    const result = await engine.ingest(messages);
    if (result.rejected.length > 0) {
      logger.warn(
        { accepted: result.accepted, rejected: result.rejected.length, first: result.rejected[0]?.issues[0] },
        "some messages were rejected",
      );
      return json(207, { accepted: result.accepted, events: result.events, rejected: result.rejected });
    }
    return json(200, { accepted: result.accepted, events: result.events });
  }

  async function rudderstackApi(request: Request, kind: string): Promise<Response> {
    if (request.method !== "POST") throw new HttpError(405, "use POST", { allow: "POST" });
    authorize(request);
    const body = parseJsonBody(await readBody(request, config.server.maxBodyBytes));
    if (body === null || typeof body !== "object" || Array.isArray(body))
      throw new HttpError(400, "the body must be a JSON object");
    if (kind === "batch") {
      const batch = (body as { batch?: unknown }).batch;
      if (!Array.isArray(batch)) throw new HttpError(400, "`batch` must be an array of messages");
      return ingest(batch);
    }
    const message = body as Record<string, unknown>;
    // the single-message endpoints take the type from the path
    return ingest([{ ...message, type: message.type ?? kind }]);
  }

  async function rudderstackWebhook(request: Request): Promise<Response> {
    if (request.method !== "POST") throw new HttpError(405, "use POST", { allow: "POST" });
    const header = config.server.webhookHeader;
    const fromHeader = header ? request.headers.get(header.name) : null;
    const byHeader = header !== null && fromHeader !== null && timingSafeEqualText(fromHeader, header.value);
    if (!byHeader) {
      if (header === null) authorize(request);
      else if (config.writeKey === null || !timingSafeEqualText(writeKeyOf(request) ?? "", config.writeKey))
        throw new HttpError(401, `unauthorized: send the ${header.name} header configured for this endpoint`);
    }
    const body = parseJsonBody(await readBody(request, config.server.maxBodyBytes));
    if (body === null || typeof body !== "object" || Array.isArray(body))
      throw new HttpError(400, "the body must be one event, a JSON object");
    return ingest([body]);
  }

  /** the same request with its body read within the size limit, for handlers that read it whole */
  async function bounded(request: Request): Promise<Request> {
    if (request.method !== "POST") return request;
    const body = await readBody(request, config.server.maxBodyBytes);
    const headers = new Headers(request.headers);
    headers.delete("content-encoding");
    return new Request(request.url, { method: request.method, headers, body });
  }

  async function checkoutLink(token: string): Promise<Response> {
    const shop = config.links.fallbackUrl;
    if (!config.links.secret)
      return friendlyPage(404, "Link not available", "This shop does not use checkout links.", shop);
    const at = now();
    const verified = verifyCheckoutToken(token, config.links.secret, at);
    if (!verified.success) {
      const expired = verified.error.some((i) => i.path.includes("expiresAt"));
      logger.info({ reason: verified.error[0]?.message }, "checkout link refused");
      return expired
        ? friendlyPage(
            410,
            "This link has expired",
            "The link to your cart is no longer valid. Your cart may still be waiting in the shop.",
            shop,
          )
        : friendlyPage(
            400,
            "This link is not valid",
            "The link to your cart looks incomplete or altered. Please open the shop directly.",
            shop,
          );
    }
    const link = verified.data;
    const stored = await store.load(link.profileId);
    const cart = stored?.profile.carts.find((c) => c.id === link.cartId || c.refs.includes(link.cartId));
    const target = cart?.checkoutUrl ?? shop;
    if (stored) {
      const [stage, step, channel] = link.step.split(":");
      const profile = stored.profile;
      const event: CartEvent = {
        type: "message_engaged",
        id: `click:${link.profileId}:${link.cartId}:${link.step}:${at}`,
        at,
        source: "cartback",
        contact: {
          ...(profile.userId ? { userId: profile.userId } : {}),
          ...(profile.email ? { email: profile.email } : {}),
          ...(profile.phone ? { phone: profile.phone } : {}),
          ...(!profile.userId && !profile.email && !profile.phone && profile.anonymousIds[0]
            ? { anonymousId: profile.anonymousIds[0] }
            : {}),
        },
        engagement: "clicked",
        channel: CHANNELS.includes(channel as Channel) ? (channel as Channel) : "email",
        cartRefs: [link.cartId],
        ...(stage !== undefined && Number.isInteger(Number(stage)) ? { stage: Number(stage) } : {}),
        ...(step ? { step } : {}),
      };
      await engine.ingestEvents([event]);
    }
    if (!target) return friendlyPage(404, "Cart not found", "We could not find this cart any more.", null);
    return new Response(null, { status: 302, headers: { location: target, "cache-control": "no-store" } });
  }

  const report = createReportRoute({
    store,
    journeys: config.journeys ?? [],
    report: config.report ?? { key: null, prices: null, winnerRule: {} },
    now,
  });

  async function metrics(): Promise<Response> {
    const list = engineMetrics(await engine.collectMetrics());
    list.push({
      name: "cartback_http_requests_total",
      help: "HTTP requests by route and status",
      type: "counter",
      samples: [...requests].map(([key, value]) => {
        const [route, status] = key.split(" ") as [string, string];
        return { labels: { route, status }, value };
      }),
    });
    return new Response(renderMetrics(list), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  }

  async function route(request: Request, path: string, matched: Route | null): Promise<Response> {
    switch (matched?.name) {
      case "index":
        // someone opened the server in a browser: say what it is and what it serves
        return json(200, {
          name: "cartback",
          routes: ROUTES.filter((r) => r.name !== "index").map((r) => `${r.method} ${r.path}`),
          docs: "docs/server.md in the cartback package",
        });
      case "rudderstackBatch":
        return rudderstackApi(request, "batch");
      case "rudderstackMessage":
        return rudderstackApi(request, path.slice("/v1/".length));
      case "rudderstackWebhook":
        return rudderstackWebhook(request);
      case "twilioWebhook":
        if (!twilio) throw new HttpError(404, "Twilio webhooks are off: set TWILIO_AUTH_TOKEN");
        return twilio(await bounded(request));
      case "mailerliteWebhook":
        if (!mailerlite)
          throw new HttpError(404, "MailerLite webhooks are off: set MAILERLITE_WEBHOOK_SECRET");
        return mailerlite(await bounded(request));
      case "checkoutLink":
        if (request.method !== "GET") throw new HttpError(405, "use GET", { allow: "GET" });
        return checkoutLink(path.slice("/r/".length));
      case "health":
        return json(200, { ok: true });
      case "ready":
        try {
          await store.stats(now());
          return json(200, { ok: true, store: store.name });
        } catch (error) {
          logger.error({ err: error }, "readiness check: the store is not reachable");
          return json(503, { ok: false, error: "the store is not reachable" });
        }
      case "metrics":
        return metrics();
      case "report":
      case "reportJson":
        return report(request, path);
      case undefined:
        throw new HttpError(404, `no route for ${request.method} ${path}`);
    }
  }

  return async (request) => {
    const path = new URL(request.url).pathname;
    const matched = matchRoute(path);
    const routeName = matched?.path ?? "other";
    const started = performance.now();
    const cors = path.startsWith("/v1/") ? corsHeaders(request) : null;
    let response: Response;
    try {
      response =
        cors && request.method === "OPTIONS"
          ? new Response(null, { status: 204, headers: cors })
          : await route(request, path, matched);
    } catch (error) {
      if (isHttpError(error)) {
        if (error.status >= 500) logger.error({ err: error, path: routeName }, error.message);
        response = json(error.status, { error: error.message }, error.headers);
      } else {
        logger.error({ err: error, path: routeName }, "request failed");
        response = json(500, { error: "internal error; the details are in the server log" });
      }
    }
    if (cors) for (const [name, value] of Object.entries(cors)) response.headers.set(name, value);
    const key = `${routeName} ${response.status}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    logger.debug(
      {
        method: request.method,
        route: routeName,
        status: response.status,
        ms: Math.round(performance.now() - started),
      },
      "request",
    );
    return response;
  };
}

/** the engine's counters and the store's depths as Prometheus metrics */
export function engineMetrics(m: EngineMetrics): Metric[] {
  const destinations = Object.entries(m.commands);
  const outcome = (what: "sent" | "failed" | "dead" | "dropped") =>
    destinations.map(([destination, c]) => ({ labels: { destination }, value: c[what] }));
  const gauge = (name: string, help: string, value: number | null): Metric[] =>
    value === null ? [] : [{ name, help, type: "gauge", samples: [{ value }] }];
  const lateness = m.lateness;
  return [
    {
      name: "cartback_messages_accepted_total",
      help: "incoming messages accepted",
      type: "counter",
      samples: [{ value: m.messages.accepted }],
    },
    {
      name: "cartback_messages_rejected_total",
      help: "incoming messages rejected as invalid",
      type: "counter",
      samples: [{ value: m.messages.rejected }],
    },
    {
      name: "cartback_events_accepted_total",
      help: "cart events applied to profiles",
      type: "counter",
      samples: [{ value: m.events.accepted }],
    },
    {
      name: "cartback_events_rejected_total",
      help: "incoming messages that produced no event because they were rejected",
      type: "counter",
      samples: [{ value: m.events.rejected }],
    },
    {
      name: "cartback_commands_enqueued_total",
      help: "commands put into the outbox",
      type: "counter",
      samples: [{ value: m.enqueued }],
    },
    {
      name: "cartback_commands_sent_total",
      help: "commands delivered, by destination",
      type: "counter",
      samples: outcome("sent"),
    },
    {
      name: "cartback_commands_failed_total",
      help: "delivery attempts that failed and will be retried, by destination",
      type: "counter",
      samples: outcome("failed"),
    },
    {
      name: "cartback_commands_dead_lettered_total",
      help: "commands moved to the dead-letter queue, by destination",
      type: "counter",
      samples: outcome("dead"),
    },
    {
      name: "cartback_commands_dropped_total",
      help: "commands not sent because they no longer applied, by destination",
      type: "counter",
      samples: outcome("dropped"),
    },
    {
      name: "cartback_wake_lateness_seconds",
      help: "how late scheduled wake-ups ran",
      type: "histogram",
      samples: [
        ...LATENESS_BUCKETS_S.map((le, i) => ({
          suffix: "_bucket",
          labels: { le: String(le) },
          value: lateness.buckets[i] ?? 0,
        })),
        { suffix: "_bucket", labels: { le: "+Inf" }, value: lateness.count },
        { suffix: "_sum", value: lateness.sumMs / 1000 },
        { suffix: "_count", value: lateness.count },
      ],
    },
    ...gauge(
      "cartback_wake_lateness_p99_seconds",
      "99th percentile of the latest wake-ups' lateness",
      lateness.p99Ms === null ? null : lateness.p99Ms / 1000,
    ),
    {
      name: "cartback_outbox_depth",
      help: "outbox entries by destination and state",
      type: "gauge",
      samples: Object.entries(m.outboxByDestination ?? {}).flatMap(([destination, states]) =>
        Object.entries(states).map(([state, value]) => ({ labels: { destination, state }, value })),
      ),
    },
    {
      name: "cartback_recoveries_total",
      help: "carts recovered (ordered while their journey ran or within its attribution window), by journey, group and the last message's stage and channel",
      type: "counter",
      samples: m.recoveries.map((r) => ({
        labels: { journey: r.journey, group: r.group, stage: r.stage, channel: r.channel },
        value: r.count,
      })),
    },
    {
      name: "cartback_recovered_revenue_total",
      help: "revenue of recovered carts, by journey, group, the last message's stage and channel, and currency",
      type: "counter",
      samples: m.recoveries.flatMap((r) =>
        Object.entries(r.revenue).map(([currency, value]) => ({
          labels: { journey: r.journey, group: r.group, stage: r.stage, channel: r.channel, currency },
          value,
        })),
      ),
    },
    ...gauge(
      "cartback_due_profiles",
      "profiles whose wake-up time has come and which no worker holds",
      m.dueProfiles,
    ),
    ...gauge("cartback_profiles", "profiles stored", m.profiles),
  ];
}
