import { createHmac } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckoutToken } from "../../src/core/journey/index.js";
import { signTwilioRequest } from "../../src/emulators/twilio.js";
import { EMULATED_TWILIO } from "../../src/server/start.js";
import { basic, LINK_SECRET, MAILERLITE_SECRET, startTestServer, WRITE_KEY } from "./start-test-server.js";

type Running = Awaited<ReturnType<typeof startTestServer>>;
let app: Running;
let seq = 0;

const message = (type: string, extra: Record<string, unknown> = {}) => ({
  type,
  messageId: `m-${++seq}`,
  anonymousId: "anon-http",
  timestamp: "2026-03-02T09:59:00Z",
  ...extra,
});
const added = (userId: string, cart = "cart-1") =>
  message("track", {
    userId,
    event: "Product Added",
    properties: { cart_id: cart, product_id: "p1", price: 25, quantity: 1 },
  });

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic(WRITE_KEY), ...headers },
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  app = await startTestServer();
});
afterAll(async () => {
  await app.stop();
});

describe("RudderStack HTTP API", () => {
  it("answers 200 when every message of a batch is accepted, and keeps them", async () => {
    const response = await post("/v1/batch", { batch: [added("u-batch"), added("u-batch")], sentAt: "x" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 2, events: 2 });
    const report = await app.engine.showProfile("u-batch");
    expect(report?.profile.carts[0]?.items[0]?.quantity).toBe(2);
  });

  it("answers 207 naming the rejected messages and keeps the rest", async () => {
    const bad = { type: "track", messageId: "bad-1", event: "Product Added" };
    const response = await post("/v1/batch", { batch: [added("u-207"), bad, "not a message"] });
    expect(response.status).toBe(207);
    const body = (await response.json()) as {
      accepted: number;
      rejected: { index: number; messageId?: string }[];
    };
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2]);
    expect(body.rejected[0]?.messageId).toBe("bad-1");
    expect(await app.engine.showProfile("u-207")).not.toBeNull();
  });

  it("takes each single-message endpoint, with the type from the path", async () => {
    for (const kind of ["track", "identify", "alias", "page", "screen", "group"]) {
      const body = {
        ...message(kind),
        userId: "u-single",
        previousId: "anon-http",
        event: "Cart Viewed",
        groupId: "g",
      };
      const { type: _type, ...untyped } = body;
      const response = await post(`/v1/${kind}`, untyped);
      expect(response.status, kind).toBe(200);
    }
  });

  it("accepts a gzip body", async () => {
    const body = gzipSync(JSON.stringify({ batch: [added("u-gzip")] }));
    const response = await post("/v1/batch", body, { "content-encoding": "gzip" });
    expect(response.status).toBe(200);
    expect(await app.engine.showProfile("u-gzip")).not.toBeNull();
  });

  it("answers 401 without the write key or with another one", async () => {
    const none = await post("/v1/batch", { batch: [added("u-401")] }, { authorization: "" });
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Basic");
    expect((await post("/v1/batch", { batch: [] }, { authorization: basic("wrong") })).status).toBe(401);
    expect(await app.engine.showProfile("u-401")).toBeNull();
  });

  it("answers 400 for a body that is not JSON or not a batch", async () => {
    const response = await post("/v1/batch", "{ nope");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/not JSON/);
    expect((await post("/v1/batch", { batch: "x" })).status).toBe(400);
    expect(
      (await post("/v1/batch", gzipSync("{}").subarray(0, 5), { "content-encoding": "gzip" })).status,
    ).toBe(400);
  });

  it("answers 413 past the size limit, on the wire or once decompressed", async () => {
    const big = JSON.stringify({ batch: [added("u-413")], pad: "x".repeat(70 * 1024) });
    expect((await post("/v1/batch", big)).status).toBe(413);
    const bomb = gzipSync(JSON.stringify({ batch: [], pad: " ".repeat(2 * 1024 * 1024) }));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect((await post("/v1/batch", bomb, { "content-encoding": "gzip" })).status).toBe(413);
    expect(await app.engine.showProfile("u-413")).toBeNull();
    // the server is still there
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it("lets a browser SDK on the shop's domain call it cross-origin", async () => {
    const preflight = await fetch(`${app.url}/v1/batch`, {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,anonymousid",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(preflight.headers.get("access-control-allow-headers")).toBe(
      "authorization,content-type,anonymousid",
    );
    const response = await post(
      "/v1/batch",
      { batch: [added("u-cors")] },
      { origin: "https://shop.example.com" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(response.headers.get("access-control-allow-credentials")).toBe("true");
  });

  it("answers 405 to a GET and 404 to an unknown path", async () => {
    expect((await fetch(`${app.url}/v1/batch`)).status).toBe(405);
    expect((await fetch(`${app.url}/v2/whatever`)).status).toBe(404);
  });
});

describe("RudderStack Webhook destination", () => {
  it("takes one event per request with the configured header", async () => {
    const response = await post("/webhooks/rudderstack", added("u-hook"), {
      authorization: "",
      "x-cartback-key": "hook-secret",
    });
    expect(response.status).toBe(200);
    expect(await app.engine.showProfile("u-hook")).not.toBeNull();
  });

  it("answers 401 without the header", async () => {
    const response = await post("/webhooks/rudderstack", added("u-hook-2"), {
      authorization: "",
      "x-cartback-key": "guess",
    });
    expect(response.status).toBe(401);
  });
});

describe("provider webhooks", () => {
  it("verifies Twilio's signature and applies an opt-out", async () => {
    await post("/v1/identify", {
      ...message("identify"),
      userId: "u-sms",
      traits: { phone: "+14155550199" },
    });
    const url = `${app.url}/webhooks/twilio`;
    const params = {
      MessageSid: "SM1",
      From: "+14155550199",
      To: EMULATED_TWILIO.from,
      Body: "STOP",
      OptOutType: "STOP",
    };
    const unsigned = await fetch(url, { method: "POST", body: new URLSearchParams(params) });
    expect(unsigned.status).toBe(403);
    const signed = await fetch(url, {
      method: "POST",
      headers: {
        "x-twilio-signature": signTwilioRequest(app.config.webhooks.twilioAuthToken as string, url, params),
      },
      body: new URLSearchParams(params),
    });
    expect(signed.status).toBe(200);
    expect((await app.engine.showProfile("u-sms"))?.profile.consent.sms.status).toBe("denied");
  });

  it("refuses a webhook body past the size limit", async () => {
    const huge = "x".repeat(70 * 1024);
    expect((await post("/webhooks/mailerlite", huge, { signature: "00" })).status).toBe(413);
    expect(
      (
        await post("/webhooks/twilio", `Body=${huge}`, {
          "content-type": "application/x-www-form-urlencoded",
        })
      ).status,
    ).toBe(413);
  });

  it("verifies MailerLite's signature", async () => {
    const body = JSON.stringify({ type: "subscriber.unsubscribed", subscriber: { email: "ml@example.com" } });
    const signature = createHmac("sha256", MAILERLITE_SECRET).update(body).digest("hex");
    expect((await post("/webhooks/mailerlite", body, { signature: "00" })).status).toBe(403);
    expect((await post("/webhooks/mailerlite", body, { signature })).status).toBe(200);
  });
});

describe("GET /r/:token", () => {
  async function cartWithCheckout(userId: string) {
    await post("/v1/batch", {
      batch: [
        added(userId, `cart-${userId}`),
        message("track", {
          userId,
          event: "Checkout Started",
          properties: {
            cart_id: `cart-${userId}`,
            checkout_url: `https://shop.example.com/checkout/${userId}`,
          },
        }),
      ],
    });
    const report = await app.engine.showProfile(userId);
    return { profileId: report?.profile.id as string, cartId: report?.profile.carts[0]?.id as string };
  }

  it("records the click and redirects to the cart's restore URL", async () => {
    const { profileId, cartId } = await cartWithCheckout("u-link");
    const token = createCheckoutToken(
      {
        journey: "playbook",
        profileId,
        cartId,
        step: "1:reminder:email",
        expiresAt: app.clock.now() + 3_600_000,
      },
      LINK_SECRET,
    );
    const response = await fetch(`${app.url}/r/${token}`, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://shop.example.com/checkout/u-link");
    const engagement = (await app.engine.showProfile("u-link"))?.profile.engagement ?? [];
    expect(engagement).toContainEqual(
      expect.objectContaining({ engagement: "clicked", channel: "email", stage: 1 }),
    );
  });

  it("shows a friendly page for an expired link", async () => {
    const { profileId, cartId } = await cartWithCheckout("u-expired");
    const token = createCheckoutToken(
      { journey: "playbook", profileId, cartId, step: "1:reminder:sms", expiresAt: app.clock.now() - 1000 },
      LINK_SECRET,
    );
    const response = await fetch(`${app.url}/r/${token}`, { redirect: "manual" });
    expect(response.status).toBe(410);
    expect(response.headers.get("content-type")).toContain("text/html");
    const html = await response.text();
    expect(html).toContain("This link has expired");
    expect(html).toContain('href="https://shop.example.com/cart"');
    expect(html).not.toMatch(/at \w+ \(|Error:/);
  });

  it("shows a friendly page for a tampered or garbled link", async () => {
    const token = createCheckoutToken(
      {
        journey: "playbook",
        profileId: "p",
        cartId: "c",
        step: "1:a:email",
        expiresAt: app.clock.now() + 60_000,
      },
      "another-secret-of-enough-length",
    );
    for (const bad of [token, "garbage", "a.b.c", "%E0%A4%A"]) {
      const response = await fetch(`${app.url}/r/${bad}`, { redirect: "manual" });
      expect(response.status, bad).toBe(400);
      expect(await response.text()).toContain("This link is not valid");
    }
  });
});

describe("health and metrics", () => {
  it("reports liveness and readiness", async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, store: "memory" });
  });

  it("serves Prometheus text that parses, with the counts of what happened", async () => {
    const response = await fetch(`${app.url}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await response.text();
    const samples = new Map<string, number>();
    for (const line of text.trimEnd().split("\n")) {
      if (line.startsWith("# ")) {
        expect(line).toMatch(/^# (HELP|TYPE) [a-z_]+ .+$/);
        continue;
      }
      const match = /^([a-z_]+(?:\{[a-z_]+="[^"]*"(?:,[a-z_]+="[^"]*")*\})?) (-?[\d.e+]+|NaN|\+Inf)$/.exec(
        line,
      );
      expect(match, line).not.toBeNull();
      samples.set(match?.[1] as string, Number(match?.[2]));
    }
    expect(samples.get("cartback_messages_accepted_total")).toBeGreaterThanOrEqual(10);
    expect(samples.get("cartback_messages_rejected_total")).toBe(2);
    expect(samples.get('cartback_http_requests_total{route="/v1/batch",status="401"}')).toBe(2);
    expect(samples.get("cartback_profiles")).toBeGreaterThan(5);
    expect(samples.has('cartback_wake_lateness_seconds_bucket{le="+Inf"}')).toBe(true);
  });

  it("answers 503 on /readyz once the store is gone", async () => {
    const other = await startTestServer({ store: { kind: "sqlite", path: ":memory:" } });
    try {
      await other.store.close();
      const response = await fetch(`${other.url}/readyz`);
      expect(response.status).toBe(503);
    } finally {
      await other.server.close();
      await other.emulators?.stop();
    }
  });
});
