/**
 * The RudderStack routes: the HTTP API (`/v1/batch`, `/v1/<type>`) and the Webhook destination
 * (`/webhooks/rudderstack`). Credentials are checked from the headers before the body is read.
 */
import { basicUser, requireWriteKey, sameText } from "./auth.js";
import { jsonResponse as json, parseJsonBody, readBody } from "./body.js";
import type { RouteContext, RouteHandler } from "./context.js";
import { HttpError } from "./http-error.js";

/** browsers running RudderStack's JavaScript SDK on the shop's own domain call the API cross-origin */
export function corsHeaders(request: Request): Record<string, string> {
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

export function createIngestRoutes({ engine, config, logger }: RouteContext): RouteHandler {
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

  async function readObject(request: Request, what: string): Promise<Record<string, unknown>> {
    const body = parseJsonBody(await readBody(request, config.server.maxBodyBytes));
    if (body === null || typeof body !== "object" || Array.isArray(body))
      throw new HttpError(400, `the body must be ${what}`);
    return body as Record<string, unknown>;
  }

  /** the Webhook destination's header, or the write key when no header is configured */
  function authorizeWebhook(request: Request): void {
    const header = config.server.webhookHeader;
    if (header === null) {
      requireWriteKey(request, config.writeKey);
      return;
    }
    const given = request.headers.get(header.name);
    if (given !== null && sameText(given, header.value)) return;
    if (config.writeKey !== null && sameText(basicUser(request) ?? "", config.writeKey)) return;
    throw new HttpError(401, `unauthorized: send the ${header.name} header configured for this endpoint`);
  }

  return async (request, route, path) => {
    if (request.method !== "POST") throw new HttpError(405, "use POST", { allow: "POST" });
    if (route.name === "rudderstackWebhook") {
      authorizeWebhook(request);
      return ingest([await readObject(request, "one event, a JSON object")]);
    }
    requireWriteKey(request, config.writeKey);
    const body = await readObject(request, "a JSON object");
    if (route.name === "rudderstackBatch") {
      if (!Array.isArray(body.batch)) throw new HttpError(400, "`batch` must be an array of messages");
      return ingest(body.batch);
    }
    // the single-message endpoints take the type from the path
    return ingest([{ ...body, type: body.type ?? path.slice("/v1/".length) }]);
  };
}
