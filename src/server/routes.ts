/**
 * Every path the cartback HTTP API answers, in one table: the handler dispatches each route to its
 * group (one file each: ingest.ts, webhooks.ts, links.ts, report-route.ts, health.ts), the metrics
 * label requests with it, and the banners and docs name paths from it (a test checks that every path
 * the docs and banners show is one of these). A path not in the table answers 404.
 */

/** the RudderStack HTTP API's single-message endpoints, `/v1/<type>` */
export const RUDDERSTACK_MESSAGE_TYPES = ["track", "identify", "alias", "page", "screen", "group"] as const;

/** the file that answers a route: ingest.ts, webhooks.ts, links.ts, report-route.ts, health.ts */
export type RouteGroup = "ingest" | "webhooks" | "links" | "report" | "health";

export const ROUTES = [
  { name: "index", group: "health", method: "GET", path: "/" },
  { name: "rudderstackBatch", group: "ingest", method: "POST", path: "/v1/batch" },
  ...RUDDERSTACK_MESSAGE_TYPES.map((type) => ({
    name: "rudderstackMessage" as const,
    group: "ingest" as const,
    method: "POST" as const,
    path: `/v1/${type}`,
  })),
  { name: "rudderstackWebhook", group: "ingest", method: "POST", path: "/webhooks/rudderstack" },
  { name: "twilioWebhook", group: "webhooks", method: "POST", path: "/webhooks/twilio" },
  { name: "mailerliteWebhook", group: "webhooks", method: "POST", path: "/webhooks/mailerlite" },
  { name: "checkoutLink", group: "links", method: "GET", path: "/r/:token" },
  { name: "health", group: "health", method: "GET", path: "/healthz" },
  { name: "ready", group: "health", method: "GET", path: "/readyz" },
  { name: "metrics", group: "health", method: "GET", path: "/metrics" },
  { name: "report", group: "report", method: "GET", path: "/report" },
  { name: "reportJson", group: "report", method: "GET", path: "/report.json" },
] as const satisfies ReadonlyArray<{ name: string; group: RouteGroup; method: string; path: string }>;

export type Route = (typeof ROUTES)[number];
export type RouteName = Route["name"];

/** the route a request path falls on, or null; `/r/:token` takes any one non-empty segment */
export function matchRoute(path: string): Route | null {
  for (const route of ROUTES) {
    if (route.path === path) return route;
    const param = route.path.indexOf("/:");
    if (param >= 0 && path.startsWith(route.path.slice(0, param + 1))) {
      const rest = path.slice(param + 1);
      if (rest !== "" && !rest.includes("/")) return route;
    }
  }
  return null;
}

/** the path of a route without parameters, e.g. `routePath("twilioWebhook")` → `/webhooks/twilio` */
export function routePath(name: Exclude<RouteName, "checkoutLink" | "rudderstackMessage" | "index">): string {
  return (ROUTES.find((route) => route.name === name) as Route).path;
}
