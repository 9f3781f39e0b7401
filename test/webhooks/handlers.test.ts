import { createHmac } from "node:crypto";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import type { CartEvent } from "../../src/core/events.js";
import { mailerliteWebhookHandler } from "../../src/webhooks/mailerlite.js";
import { twilioWebhookHandler } from "../../src/webhooks/twilio.js";

const AT = Date.UTC(2026, 10, 23, 16, 0, 0);

describe("twilioWebhookHandler", () => {
  const authToken = "0123456789abcdef0123456789abcdef";
  const params = { MessageSid: "SM1", From: "+14155550100", To: "+15005550006", Body: "STOP" };

  function post(url: string, signature: string | null) {
    return new Request(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(signature ? { "x-twilio-signature": signature } : {}),
      },
      body: new URLSearchParams(params).toString(),
    });
  }

  it("verifies against the public URL behind a proxy, applies the events and answers TwiML", async () => {
    const received: CartEvent[][] = [];
    const handle = twilioWebhookHandler({
      authToken,
      publicOrigin: "https://shop.example.com/cartback",
      onEvents: (events) => {
        received.push(events);
      },
      now: () => AT,
    });
    const publicUrl = "https://shop.example.com/cartback/webhooks/twilio/inbound?src=sms";
    const signature = twilio.getExpectedTwilioSignature(authToken, publicUrl, params);
    // the request as the app sees it, forwarded by a proxy to an inside address
    const response = await handle(post("http://10.0.0.5:3000/webhooks/twilio/inbound?src=sms", signature));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/xml");
    expect(await response.text()).toContain("<Response></Response>");
    expect(received).toMatchObject([[{ type: "consent_changed", status: "denied", at: AT }]]);
  });

  it("answers 403 to a bad or missing signature and applies nothing", async () => {
    const received: CartEvent[][] = [];
    const handle = twilioWebhookHandler({
      authToken,
      onEvents: (events) => {
        received.push(events);
      },
      logger: () => {},
    });
    const url = "https://shop.example.com/webhooks/twilio/inbound";
    const wrong = twilio.getExpectedTwilioSignature(authToken, `${url}?other=1`, params);
    expect((await handle(post(url, wrong))).status).toBe(403);
    expect((await handle(post(url, null))).status).toBe(403);
    expect((await handle(new Request(url))).status).toBe(405);
    expect(received).toEqual([]);
  });
});

describe("mailerliteWebhookHandler", () => {
  const secret = "ml-secret";
  const body = JSON.stringify({ event: "campaign.click", subscriber: { id: "9", email: "ada@example.com" } });

  it("verifies the raw body, applies the events and answers 200; 403 for a bad signature", async () => {
    const received: CartEvent[][] = [];
    const handle = mailerliteWebhookHandler({
      secret,
      onEvents: (events) => {
        received.push(events);
      },
      now: () => AT,
      logger: () => {},
    });
    const signature = createHmac("sha256", secret).update(body).digest("hex");
    const url = "https://shop.example.com/webhooks/mailerlite";
    const ok = await handle(new Request(url, { method: "POST", headers: { signature }, body }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, events: 1 });
    expect(received).toMatchObject([[{ type: "message_engaged", engagement: "clicked", at: AT }]]);
    const tampered = await handle(
      new Request(url, { method: "POST", headers: { signature }, body: body.replace("ada", "eve") }),
    );
    expect(tampered.status).toBe(403);
    expect(received).toHaveLength(1);
  });
});
