/** `GET /` (what this server is), `/healthz`, `/readyz` and `/metrics`. */
import { jsonResponse as json } from "./body.js";
import type { RouteContext, RouteHandler } from "./context.js";
import { metricsResponse, type RequestCounter } from "./metrics.js";
import { ROUTES } from "./routes.js";

export function createHealthRoutes(
  { engine, store, logger, now }: RouteContext,
  requests: RequestCounter,
): RouteHandler {
  return async (_request, route) => {
    switch (route.name) {
      case "index":
        // someone opened the server in a browser: say what it is and what it serves
        return json(200, {
          name: "cartback",
          routes: ROUTES.filter((r) => r.name !== "index").map((r) => `${r.method} ${r.path}`),
          docs: "docs/server.md in the cartback package",
        });
      case "ready":
        try {
          await store.stats(now());
          return json(200, { ok: true, store: store.name });
        } catch (error) {
          logger.error({ err: error }, "readiness check: the store is not reachable");
          return json(503, { ok: false, error: "the store is not reachable" });
        }
      case "metrics":
        return metricsResponse(engine, requests);
      default:
        return json(200, { ok: true });
    }
  };
}
