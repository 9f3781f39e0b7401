/**
 * What the report says about shoppers whose outcomes are known: RudderStack batches into `cartback
 * serve` on SQLite, a manual clock, the MailerLite and Twilio SDKs delivering to the local emulators
 * (Twilio posting its delivery callbacks back), a click through a signed link, an unsubscribe by
 * MailerLite webhook, and orders. Every number of the report is checked, over HTTP while it runs and
 * with `cartback report` on the same database after it stopped.
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import type { RecoveryReport } from "../../src/core/analytics/index.js";
import { isHeldOut } from "../../src/core/journey/holdout.js";
import { playbookJourney } from "../../src/core/journey/presets/index.js";
import type { RunningEmulators } from "../../src/emulators/index.js";
import { basic, MAILERLITE_SECRET, startTestServer, WRITE_KEY } from "./start-test-server.js";

const T0 = Date.parse("2026-03-02T10:00:00Z");
const MIN = 60_000;
const DAY = 24 * 60;
const REPORT_KEY = "report-key-of-24-characters";
const HOLDOUT = 25;

/** the first cart id for `name` that the hash puts in the holdout (or not) */
function cartFor(name: string, held: boolean): string {
  for (let i = 0; ; i++)
    if (isHeldOut("playbook", `cart-${name}-${i}`, HOLDOUT) === held) return `cart-${name}-${i}`;
}

const SHOPPERS = {
  ann: { cart: cartFor("ann", false) }, // clicks the signed link in the first email, orders at +2 h
  bob: { cart: cartFor("bob", false), phone: "+14155550111" }, // texts allowed; orders at +5 h, no click
  cat: { cart: cartFor("cat", true) }, // held out; orders at +3 h anyway
  dan: { cart: cartFor("dan", false) }, // never orders
  eve: { cart: cartFor("eve", false) }, // unsubscribes after the first email, never orders
  fay: { cart: cartFor("fay", false) }, // orders before the cart counts as abandoned
} as const;
type Name = keyof typeof SHOPPERS;

type Running = Awaited<ReturnType<typeof startTestServer>>;
let app: Running;
let emulators: RunningEmulators;
let dbPath: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function ingest(minutes: number, messages: Record<string, unknown>[]) {
  app.clock.set(T0 + minutes * MIN);
  const response = await fetch(`${app.url}/v1/batch`, {
    method: "POST",
    headers: { authorization: basic(WRITE_KEY), "content-type": "application/json" },
    body: JSON.stringify({ batch: messages }),
  });
  expect(response.status).toBe(200);
}

const stamp = (minutes: number) => new Date(T0 + minutes * MIN).toISOString();

function identify(name: Name, minutes: number) {
  const shopper = SHOPPERS[name] as { phone?: string };
  return {
    type: "identify",
    messageId: `id-${name}`,
    userId: name,
    timestamp: stamp(minutes),
    context: { timezone: "UTC" },
    traits: {
      email: `${name}@example.com`,
      first_name: name,
      ...(shopper.phone ? { phone: shopper.phone, sms_opt_in: true } : {}),
    },
  };
}

function added(name: Name, minutes: number, price: number, product: string) {
  return {
    type: "track",
    event: "Product Added",
    messageId: `add-${name}-${product}`,
    userId: name,
    timestamp: stamp(minutes),
    properties: { cart_id: SHOPPERS[name].cart, product_id: product, price, quantity: 1, currency: "USD" },
  };
}

function ordered(name: Name, minutes: number, total: number) {
  return {
    type: "track",
    event: "Order Completed",
    messageId: `order-${name}`,
    userId: name,
    timestamp: stamp(minutes),
    properties: { cart_id: SHOPPERS[name].cart, order_id: `o-${name}`, total, currency: "USD" },
  };
}

/** moves the clock and runs the scheduler and dispatcher until idle */
async function at(minutes: number) {
  app.clock.set(T0 + minutes * MIN);
  for (let i = 0; i < 40; i++) {
    const { woke, dispatched } = await app.engine.tick();
    if (woke === 0 && dispatched === 0) {
      // the Twilio emulator posts its delivery callbacks on its own
      await new Promise((resolve) => setTimeout(resolve, 50));
      const again = await app.engine.tick();
      if (again.woke === 0 && again.dispatched === 0) return;
    }
  }
  throw new Error("the engine did not settle");
}

async function reportOverHttp(path = "/report.json"): Promise<Response> {
  return fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${REPORT_KEY}` } });
}

beforeAll(async () => {
  dbPath = join(mkdtempSync(join(tmpdir(), "cartback-report-e2e-")), "cartback.db");
  const port = await freePort();
  app = await startTestServer({
    store: { kind: "sqlite", path: dbPath },
    server: { port, host: "127.0.0.1", maxBodyBytes: 64 * 1024 },
    links: {
      secret: "a-link-secret-of-32-characters!!",
      baseUrl: `http://127.0.0.1:${port}`,
      fallbackUrl: "https://shop.example.com/cart",
    },
    journeys: [{ ...playbookJourney(), holdout: { percent: HOLDOUT } }],
    report: { key: REPORT_KEY, prices: { currency: "USD", email: 0.001, sms: 0.0079, whatsapp: 0.005 } },
  });
  emulators = app.emulators as RunningEmulators;
});
afterAll(async () => {
  await app?.stop();
});

describe("the recovery report of shoppers with known outcomes, end to end", () => {
  let live: RecoveryReport;

  it("runs the shoppers through the journey", async () => {
    const names = Object.keys(SHOPPERS) as Name[];
    await ingest(
      0,
      names.flatMap((n) => [identify(n, 0), added(n, 0, 90, "shirt")]),
    );
    await ingest(
      5,
      names.map((n) => added(n, 5, 10, "belt")),
    );
    await ingest(10, [ordered("fay", 10, 50)]);

    // stage 1 at +20 min
    await at(20);
    // ann opens her signed link half an hour later: a click on the stage 1 email
    const link = emulators.mailerlite?.subscriber("ann@example.com")?.fields.cart_url as string;
    expect(link).toMatch(new RegExp(`^${app.url}/r/`));
    app.clock.set(T0 + 50 * MIN);
    const click = await fetch(link, { redirect: "manual" });
    expect(click.status).toBe(302);
    // eve unsubscribes, as MailerLite reports it
    const body = JSON.stringify({
      event: "subscriber.unsubscribed",
      data: { subscriber: { id: "9001", email: "eve@example.com", unsubscribed_at: stamp(60) } },
    });
    app.clock.set(T0 + 60 * MIN);
    const hook = await fetch(`${app.url}/webhooks/mailerlite`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        signature: createHmac("sha256", MAILERLITE_SECRET).update(body).digest("hex"),
      },
      body,
    });
    expect(hook.status).toBe(200);

    await ingest(120, [ordered("ann", 120, 100)]);
    await ingest(180, [ordered("cat", 180, 100)]);
    await at(4 * 60 + 20);
    await at(4 * 60 + 40);
    await ingest(300, [ordered("bob", 300, 100)]);
    for (const minutes of [DAY + 20, 2 * DAY + 20, 7 * DAY + 20, 21 * DAY + 20, 23 * DAY, 30 * DAY])
      await at(minutes);

    const response = await reportOverHttp();
    expect(response.status).toBe(200);
    live = (await response.json()) as RecoveryReport;
  });

  it("counts carts, recoveries and revenue per group, and compares them", () => {
    const j = live.journeys[0]!;
    expect(j.id).toBe("playbook");
    expect(j.carts).toMatchObject({ carts: 5, recovered: 3, revenue: { USD: 300 } });
    expect(j.treated).toMatchObject({
      carts: 4,
      messaged: 4,
      recovered: 2,
      recoveredBeforeMessage: 0,
      revenue: { USD: 200 },
      rate: 0.5,
    });
    expect(j.holdout).toMatchObject({ carts: 1, messaged: 0, recovered: 1, revenue: { USD: 100 }, rate: 1 });
    expect(j.comparison).toMatchObject({
      treatedRate: 0.5,
      holdoutRate: 1,
      difference: -0.5,
      incrementalRecoveries: -2,
      incrementalRevenue: { USD: -200 },
    });
    expect(live.orders).toEqual({
      recovered: { orders: 3, revenue: { USD: 300 } },
      notRecovered: { orders: 0, revenue: {} },
      noJourney: { orders: 1, revenue: { USD: 50 } },
    });
  });

  it("credits each recovery to the last message before the order and the clicked message, per stage", () => {
    const j = live.journeys[0]!;
    const none = { queued: 0, failed: 0, dropped: 0, opened: 0, bounced: 0 };
    // stage 1: the email to ann, bob, dan and eve; ann clicked it and ordered, eve unsubscribed
    expect(j.stages[0]).toEqual({
      stage: 1,
      name: "nudge",
      ...none,
      sent: 4,
      delivered: 0,
      clicked: 1,
      unsubscribed: 1,
      recoveries: 1,
      revenue: { USD: 100 },
      clickRecoveries: 1,
      clickRevenue: { USD: 100 },
      units: 4,
      cost: 0.004,
      reached: 4,
      share: 0.5,
      unsubscribesPerSend: 0.25,
      revenuePerMessage: { USD: 25 },
    });
    // stage 2: the email to bob and dan, the text to bob (two segments, delivered), bob ordered after it
    expect(j.stages[1]).toEqual({
      stage: 2,
      name: "consideration",
      ...none,
      sent: 3,
      delivered: 1,
      clicked: 0,
      unsubscribed: 0,
      recoveries: 1,
      revenue: { USD: 100 },
      clickRecoveries: 0,
      clickRevenue: {},
      units: 4,
      cost: 0.0178,
      reached: 2,
      share: 0.5,
      unsubscribesPerSend: 0,
      revenuePerMessage: { USD: 33.3333 },
    });
    // stages 3 and 4: only dan is left
    expect(j.stages.slice(2).map((s) => [s.stage, s.sent, s.reached, s.recoveries, s.share])).toEqual([
      [3, 1, 1, 0, 0],
      [4, 2, 1, 0, 0],
    ]);
    expect(
      live.messageRows.map((r) => [
        r.stage,
        r.step,
        r.channel,
        r.segment,
        r.variant,
        r.sent,
        r.recoveries,
        r.units,
      ]),
    ).toEqual([
      [1, "email", "email", "first-time-medium", "-", 4, 1, 4],
      [2, "email", "email", "first-time-medium", "-", 2, 0, 2],
      [2, "sms", "sms", "first-time-medium", "-", 1, 1, 2],
      [3, "email", "email", "first-time-medium", "no-open", 1, 0, 1],
      [4, "day-21", "email", "first-time-medium", "-", 1, 0, 1],
      [4, "day-7", "email", "first-time-medium", "no-open", 1, 0, 1],
    ]);
  });

  it("adds up per channel and segment, with cost and return on spend", () => {
    const j = live.journeys[0]!;
    expect(j.messages).toEqual({
      sent: 10,
      queued: 0,
      failed: 0,
      dropped: 0,
      delivered: 1,
      opened: 0,
      clicked: 1,
      bounced: 0,
      unsubscribed: 1,
      recoveries: 2,
      revenue: { USD: 200 },
      clickRecoveries: 1,
      clickRevenue: { USD: 100 },
      units: 11,
      cost: 0.0248,
    });
    expect(
      j.channels.map((c) => [c.channel, c.sent, c.units, c.cost, c.recoveries, c.revenuePerMessage]),
    ).toEqual([
      ["email", 9, 9, 0.009, 1, { USD: 11.1111 }],
      ["sms", 1, 2, 0.0158, 1, { USD: 100 }],
    ]);
    expect(j.returnOnSpend).toBeCloseTo(200 / 0.0248, 9);
    expect(j.channels[0]?.returnOnSpend).toBeCloseTo(100 / 0.009, 9);
    expect(j.revenuePerRecipient).toEqual({ USD: 50 });
    expect(j.revenuePerMessage).toEqual({ USD: 20 });
    const medium = j.segments.find((s) => s.segment === "first-time-medium");
    expect(medium).toMatchObject({ carts: 4, recovered: 2, sent: 10, rate: 0.5 });
    expect(j.segments.filter((s) => s.segment !== "first-time-medium").every((s) => s.carts === 0)).toBe(
      true,
    );
    expect(j.targets.map((t) => [t.metric, t.actual, t.status])).toEqual([
      ["recovery_rate", 0.5, "above"],
      ["stage_share:1", 0.5, "met"],
      ["stage_share:2", 0.5, "above"],
      ["stage_share:3", 0, "below"],
      ["stage_share:4", 0, "below"],
      ["revenue_per_email", 11.1111, "met"],
      ["unsubscribes_per_send:1", 0.25, "above"],
      ["unsubscribes_per_send:2", 0, "met"],
      ["unsubscribes_per_send:3", 0, "met"],
      ["unsubscribes_per_send:4", 0, "met"],
    ]);
  });

  it("counts every step not sent by its reason, as the journey recorded it", async () => {
    const counted: Record<string, number> = {};
    for (const name of Object.keys(SHOPPERS) as Name[]) {
      const stored = await app.store.load((await app.engine.showProfile(name))!.id);
      for (const instance of Object.values(stored!.profile.journeys))
        for (const s of instance.skipped ?? []) counted[s.reason] = (counted[s.reason] ?? 0) + 1;
    }
    expect(live.journeys[0]!.skipped).toEqual(counted);
    expect(counted.holdout).toBe(1);
    // eve's emails after her unsubscribe
    expect(counted.no_consent).toBeGreaterThanOrEqual(4);
  });

  it("counts the recoveries in /metrics", async () => {
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain(
      'cartback_recoveries_total{journey="playbook",group="treated",stage="1",channel="email"} 1',
    );
    expect(metrics).toContain(
      'cartback_recoveries_total{journey="playbook",group="treated",stage="2",channel="sms"} 1',
    );
    expect(metrics).toContain(
      'cartback_recoveries_total{journey="playbook",group="holdout",stage="none",channel="none"} 1',
    );
    expect(metrics).toContain(
      'cartback_recovered_revenue_total{journey="playbook",group="treated",stage="2",channel="sms",currency="USD"} 100',
    );
  });

  it("keeps the report behind its key", async () => {
    expect((await fetch(`${app.url}/report.json`)).status).toBe(401);
    const wrong = await fetch(`${app.url}/report`, { headers: { authorization: basic("owner") } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Basic/);
    const page = await fetch(`${app.url}/report`, {
      headers: { authorization: `Basic ${Buffer.from(`owner:${REPORT_KEY}`).toString("base64")}` },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await page.text()).toContain("Recovery report");
  });

  it("says the same after a restart, read by `cartback report` from the database", async () => {
    await app.stop();
    // the same journeys and settings, from a config file as an operator would keep them
    const configPath = join(dirname(dbPath), "cartback.config.json");
    writeFileSync(
      configPath,
      JSON.stringify({
        store: { kind: "sqlite", path: dbPath },
        journeys: [{ ...playbookJourney(), holdout: { percent: HOLDOUT } }],
        report: { prices: { currency: "USD", email: 0.001, sms: 0.0079, whatsapp: 0.005 } },
      }),
    );
    let out = "";
    const code = await main(["report", "--config", configPath, "--db", dbPath, "--format", "json"], {
      stdout: (text) => {
        out += text;
      },
      stderr: () => {},
      stdin: process.stdin,
    });
    expect(code).toBe(0);
    const again = JSON.parse(out) as RecoveryReport;
    expect({ ...again, generatedAt: live.generatedAt }).toEqual(live);
  });
});
