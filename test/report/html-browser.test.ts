/**
 * The report page in a real browser: Debian's Chromium opens `/report` as a store owner would (with
 * the key as the Basic-auth password), on a desktop and a phone. Every number it shows must equal the
 * JSON report, the charts must draw, the console must stay clean. Screenshots go to test/output/.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Money, RecoveryReport } from "../../src/core/analytics/index.js";
import type { Profile } from "../../src/core/profile.js";
import { isHttpError } from "../../src/server/http-error.js";
import { type NodeServer, serveNode } from "../../src/server/node.js";
import { createReportRoute } from "../../src/server/report-route.js";
import { memoryStore } from "../../src/stores/memory.js";
import { journey, type Shopper, shopper, T0 } from "../core/analytics/shoppers.js";
import { launchBrowser } from "../helpers/browser.js";

const KEY = "a-report-key-for-the-browser";
const OUTPUT = join(import.meta.dirname, "../output");
const DAY = 86_400_000;

/** 240 shoppers with a spread of outcomes, an experiment on stage 3 and a 10 % holdout */
function shoppers(): Profile[] {
  const out: Profile[] = [];
  const segments = ["first-time-low", "first-time-medium", "first-time-high", "returning"];
  for (let i = 0; i < 240; i++) {
    const held = i % 10 === 0;
    const steps: [number, string, "email" | "sms", number][] = [
      [1, "email", "email", 0],
      [2, "email", "email", 4],
      [2, "sms", "sms", 4.2],
      [3, "email", "email", 30],
    ];
    const reach = 1 + (i % 4);
    const orderAt = [1, 6, 31, 300][i % 4] as number;
    // about 16 % of treated and 9 % of held-out carts come back
    const orders = (i * 37) % 100 < (held ? 9 : 16);
    const spec: Shopper = {
      id: `b${i}`,
      segment: segments[i % 4],
      value: 40 + (i % 5) * 30,
      holdout: held,
      ...(held
        ? {
            skipped: steps
              .slice(0, reach)
              .map(
                ([s, st, ch, h]) =>
                  [s, st, ch, h, "holdout"] as [number, string, "email" | "sms", number, string],
              ),
          }
        : { sent: steps.slice(0, reach) }),
      ...(orders ? { orderedAfter: orderAt, exit: { reason: "ordered", afterHours: orderAt } } : {}),
      engagement: [
        ...(i % 5 === 0
          ? [
              {
                kind: "clicked" as const,
                channel: "email" as const,
                afterHours: 0.5,
                cart: true,
                stage: 1,
                step: "email",
              },
            ]
          : []),
        ...(i % 2 === 0
          ? [
              {
                kind: "delivered" as const,
                channel: "sms" as const,
                afterHours: 4.3,
                cart: true,
                stage: 2,
                step: "sms",
              },
            ]
          : []),
      ],
      ...(i % 60 === 2 ? { unsubscribedSms: 5 } : {}),
    };
    const profile = shopper(spec);
    for (const s of Object.values(profile.journeys)[0]?.sent ?? [])
      if (s.stage === 3) s.variant = `urgency-discount:${(i >> 2) % 2 ? "12" : "15"}`;
    out.push(profile);
  }
  return out;
}

let browser: Browser;
let server: NodeServer;
let report: RecoveryReport;

beforeAll(async () => {
  const store = memoryStore();
  for (const profile of shoppers())
    await store.transact(profile.id, (tx) => tx.save({ profile, wakeAt: null, now: T0 }));
  const route = createReportRoute({
    store,
    journeys: [journey],
    report: {
      key: KEY,
      prices: { currency: "USD", email: 0.001, sms: 0.0079 },
      winnerRule: { minCarts: 50 },
    },
    now: () => T0 + 30 * DAY,
  });
  // the route answers refusals with an HttpError, which the server turns into a response (a
  // browser sends its credentials only after the 401 challenge)
  server = await serveNode(
    (request) =>
      route(request, new URL(request.url).pathname).catch((error: unknown) => {
        if (!isHttpError(error)) throw error;
        return new Response(error.message, { status: error.status, headers: error.headers });
      }),
    { port: 0, host: "127.0.0.1" },
  );
  report = (await (
    await fetch(`${server.url}/report.json`, { headers: { authorization: `Bearer ${KEY}` } })
  ).json()) as RecoveryReport;
  browser = await launchBrowser();
  mkdirSync(OUTPUT, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

function valueAt(path: string): unknown {
  let value: unknown = report;
  for (const part of path.split(".")) value = (value as Record<string, unknown>)?.[part];
  return value;
}

const SYMBOLS: Record<string, string> = { $: "USD", "€": "EUR", "£": "GBP" };

/** reads a number back from the text the page shows */
function parseShown(kind: string, text: string, currency: string): unknown {
  const number = (s: string) => Number(s.replace(/[−-]/, "-").replace(/[^\d.-]/g, ""));
  if (text === "–") return null;
  switch (kind) {
    case "count":
      return number(text);
    case "percent":
    case "percent2":
      return number(text) / 100;
    case "points":
      return number(text) / 100;
    case "multiple":
      return number(text);
    case "amount":
      // a money target's actual: one amount in the target's currency
      expect(SYMBOLS[text.replace(/[−-]/, "").trim()[0] as string]).toBe(currency);
      return number(text);
    case "money": {
      const out: Money = {};
      for (const part of text.split(" · ")) {
        const symbol = part.replace(/[−-]/, "").trim()[0] as string;
        out[SYMBOLS[symbol] ?? "?"] = number(part);
      }
      return out;
    }
  }
  throw new Error(`unknown kind ${kind}`);
}

/** how close a shown number must be to the data: the page rounds to what it prints */
function expectShown(kind: string, shown: unknown, actual: unknown, path: string) {
  if (
    actual === null ||
    actual === undefined ||
    (typeof actual === "object" && Object.keys(actual as object).length === 0)
  ) {
    expect(shown, path).toBeNull();
    return;
  }
  const tolerance =
    kind === "percent" || kind === "points"
      ? 0.0005
      : kind === "percent2"
        ? 0.00005
        : kind === "multiple"
          ? 0.05
          : 0.005;
  if (typeof actual === "number") {
    expect(
      Math.abs((shown as number) - actual),
      `${path}: shown ${String(shown)}, data ${actual}`,
    ).toBeLessThanOrEqual(tolerance);
    return;
  }
  const money = actual as Money;
  expect(Object.keys(shown as Money).sort(), path).toEqual(Object.keys(money).sort());
  for (const [currency, amount] of Object.entries(money))
    expect(
      Math.abs(((shown as Money)[currency] as number) - amount),
      `${path} ${currency}`,
    ).toBeLessThanOrEqual(0.005);
}

describe("the report page in Chromium", () => {
  for (const [device, viewport] of [
    ["desktop", { width: 1280, height: 900 }],
    ["phone", { width: 390, height: 844 }],
  ] as const) {
    it(`shows the JSON's numbers, draws its charts and logs no error (${device})`, async () => {
      const context = await browser.newContext({
        viewport,
        httpCredentials: { username: "owner", password: KEY },
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
      const requests: string[] = [];
      page.on("request", (request) => requests.push(request.url()));

      const response = await page.goto(`${server.url}/report`);
      expect(response?.status()).toBe(200);
      await expect(page.title()).resolves.toBe("cartback · recovery report");

      // every number on the page is the JSON's
      const shown = await page.$$eval("[data-metric]", (nodes) =>
        nodes.map((n) => ({
          path: n.getAttribute("data-metric") as string,
          kind: n.getAttribute("data-kind") as string,
          currency: n.getAttribute("data-currency") ?? "",
          text: (n.textContent ?? "").trim(),
        })),
      );
      expect(shown.length).toBeGreaterThan(100);
      for (const { path, kind, currency, text } of shown)
        expectShown(kind, parseShown(kind, text, currency), valueAt(path), path);
      // the headline numbers are there
      const j = report.journeys[0]!;
      expect(j.treated.carts).toBe(216);
      expect(shown.map((s) => s.path)).toEqual(
        expect.arrayContaining([
          "journeys.0.treated.rate",
          "journeys.0.comparison.difference",
          "journeys.0.stages.0.share",
        ]),
      );
      expect(await page.locator("[data-verdict]").first().getAttribute("data-verdict")).toBe(
        j.experiments[0]!.status,
      );

      // the charts draw: each has a size, and each bar's length follows its value
      const charts = await page.$$eval("svg.chart", (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          return {
            label: svg.getAttribute("aria-label"),
            width: box.width,
            height: box.height,
            bars: [...svg.querySelectorAll("rect.bar")].map(
              (r) => (r as unknown as { getBBox(): { width: number } }).getBBox().width,
            ),
          };
        }),
      );
      expect(charts.map((c) => c.label)).toEqual(
        expect.arrayContaining([
          "Recovery rate of treated and held-out carts, with 95 % intervals",
          "Carts per stage: entered, reached each stage, recovered",
          "Recovery rate per segment, with 95 % intervals",
          "Recoveries credited per channel (last touch)",
        ]),
      );
      for (const chart of charts) {
        expect(chart.width, chart.label ?? "").toBeGreaterThan(250);
        expect(chart.height).toBeGreaterThan(40);
        expect(chart.bars.some((w) => w > 0)).toBe(true);
      }
      const funnel = charts.find((c) => c.label?.startsWith("Carts per stage"))!;
      // entered ≥ stage 1 ≥ stage 2 …: longer bars for more carts
      expect(funnel.bars.slice(0, -1)).toEqual([...funnel.bars.slice(0, -1)].sort((a, b) => b - a));

      // nothing from elsewhere, nothing wider than the screen
      expect(requests.every((url) => url.startsWith(server.url))).toBe(true);
      const overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth");
      expect(overflow).toBeLessThanOrEqual(0);
      expect(problems).toEqual([]);

      await page.screenshot({ path: join(OUTPUT, `report-${device}.png`), fullPage: true });
      // the top of the page, as the README shows it
      if (device === "desktop")
        await page.screenshot({
          path: join(OUTPUT, "report-top.png"),
          fullPage: true,
          clip: { x: 0, y: 0, width: 1280, height: 1640 },
        });
      await context.close();
    }, 60_000);
  }
});
