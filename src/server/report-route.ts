/**
 * `/report` (the page) and `/report.json`: the recovery report, behind its own key. The key is the
 * password of HTTP Basic auth (any user name, so a browser asks for it) or a Bearer token. Without a
 * configured key the route answers 404: the report is never open by default.
 */
import type { Prices, WinnerRule } from "../core/analytics/index.js";
import type { JourneySpec } from "../core/journey/index.js";
import { renderReportHtml } from "../report/html.js";
import { parseSince } from "../report/since.js";
import { reportFromStore } from "../runtime/recovery-report.js";
import type { Store } from "../runtime/store.js";
import { passwordOrBearer, sameText } from "./auth.js";
import { jsonResponse } from "./body.js";
import { HttpError } from "./http-error.js";

export interface ReportRouteOptions {
  store: Store;
  journeys: readonly JourneySpec[];
  report: { key: string | null; prices: Prices | null; winnerRule: Partial<WinnerRule> };
  now: () => number;
}

/** the page allows nothing but its own inline styles: no script, no fetch, no frame */
const PAGE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sinceOf(raw: string | null, now: number): number | null {
  if (raw === null || raw === "") return null;
  const since = parseSince(raw, now);
  if (typeof since === "string") throw new HttpError(400, since);
  return since;
}

export function createReportRoute(
  options: ReportRouteOptions,
): (request: Request, path: string) => Promise<Response> {
  return async (request, path) => {
    const key = options.report.key;
    if (key === null)
      throw new HttpError(404, "the report page is off: set CARTBACK_REPORT_KEY (or report.key) to open it");
    if (request.method !== "GET" && request.method !== "HEAD")
      throw new HttpError(405, "use GET", { allow: "GET" });
    const given = passwordOrBearer(request);
    if (given === null || !sameText(given, key)) {
      throw new HttpError(
        401,
        "unauthorized: the report key is the password (any user name) or a Bearer token",
        {
          "www-authenticate": 'Basic realm="cartback report", charset="UTF-8"',
        },
      );
    }
    const url = new URL(request.url);
    const now = options.now();
    const report = await reportFromStore(options.store, {
      journeys: options.journeys,
      now,
      since: sinceOf(url.searchParams.get("since"), now),
      journey: url.searchParams.get("journey") || null,
      prices: options.report.prices,
      winnerRule: options.report.winnerRule,
    });
    const headers = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
    if (path === "/report.json") return jsonResponse(200, report, headers);
    const jsonHref = `report.json${url.search}`;
    return new Response(renderReportHtml(report, { jsonHref }), {
      headers: {
        ...headers,
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": PAGE_POLICY,
      },
    });
  };
}
