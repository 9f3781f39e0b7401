/**
 * The cartback HTTP API as a web-standard `fetch` handler: the RudderStack HTTP API and Webhook
 * destination format in, Twilio and MailerLite webhooks, signed checkout links, health and metrics.
 * Runs on any runtime with `Request`/`Response`; `serveNode` adapts it to `node:http`.
 *
 * This file matches a path against the route table (routes.ts), hands it to its group's file, maps
 * errors to JSON answers, adds CORS to `/v1/*` and counts the request for `/metrics`.
 */
import { jsonResponse as json } from "./body.js";
import type { HandlerOptions, RouteContext, RouteHandler } from "./context.js";
import { createHealthRoutes } from "./health.js";
import { HttpError, isHttpError } from "./http-error.js";
import { corsHeaders, createIngestRoutes } from "./ingest.js";
import { createLinkRoutes } from "./links.js";
import { createRequestCounter } from "./metrics.js";
import { createReportRoute } from "./report-route.js";
import { matchRoute, type RouteGroup } from "./routes.js";
import { createWebhookRoutes } from "./webhooks.js";

export type { HandlerConfig, HandlerOptions, ServerEngine } from "./context.js";

/** the label of requests whose path is not in the route table */
const OTHER = "other";

/**
 * Builds the handler.
 *
 * @example
 * const handler = createHandler({ engine, store, config, logger });
 * const server = await serveNode(handler, { port: 3000 });
 */
export function createHandler(options: HandlerOptions): (request: Request) => Promise<Response> {
  const context: RouteContext = { ...options, now: options.now ?? Date.now };
  const { config, logger } = context;
  const requests = createRequestCounter();
  const report = createReportRoute({
    store: context.store,
    journeys: config.journeys ?? [],
    report: config.report ?? { key: null, prices: null, winnerRule: {} },
    now: context.now,
  });
  const groups: Record<RouteGroup, RouteHandler> = {
    ingest: createIngestRoutes(context),
    webhooks: createWebhookRoutes(context),
    links: createLinkRoutes(context),
    report: (request, _route, path) => report(request, path),
    health: createHealthRoutes(context, requests),
  };

  return async (request) => {
    const path = new URL(request.url).pathname;
    const matched = matchRoute(path);
    const routeName = matched?.path ?? OTHER;
    const started = performance.now();
    const cors = path.startsWith("/v1/") ? corsHeaders(request) : null;
    let response: Response;
    try {
      if (cors && request.method === "OPTIONS") response = new Response(null, { status: 204, headers: cors });
      else if (matched) response = await groups[matched.group](request, matched, path);
      else throw new HttpError(404, `no route for ${request.method} ${path}`);
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
    requests.count(routeName, response.status);
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
