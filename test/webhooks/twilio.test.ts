import twilio from "twilio";
import { describe, expect, it } from "vitest";
import type { WebhookLogEntry } from "../../src/webhooks/outcome.js";
import { handleTwilioWebhook, verifyTwilioSignature } from "../../src/webhooks/twilio.js";

const AUTH_TOKEN = "12345678901234567890123456789012";
const URL = "https://shop.example.com/webhooks/twilio/status?key=recovery%3Acart-1%3A2%3Asms%3Asms";
const AT = Date.UTC(2026, 10, 23, 16, 0, 0);
const PARAMS = {
  MessageSid: "SM0123456789abcdef0123456789abcdef",
  MessageStatus: "delivered",
  From: "+15005550006",
  To: "+14155550100",
};

function sign(url: string, params: Record<string, string>, token = AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, url, params);
}

function capture() {
  const entries: WebhookLogEntry[] = [];
  return { entries, logger: (entry: WebhookLogEntry) => entries.push(entry) };
}

describe("Twilio webhook signatures", () => {
  it("accepts a valid signature and parses the callback, with the command key from the URL", () => {
    const outcome = handleTwilioWebhook(
      { url: URL, signature: sign(URL, PARAMS), params: PARAMS },
      {
        authToken: AUTH_TOKEN,
        at: AT,
      },
    );
    expect(outcome.status).toBe(200);
    expect(outcome.events).toMatchObject([
      { type: "message_engaged", engagement: "delivered", key: "recovery:cart-1:2:sms:sms" },
    ]);
  });

  it("rejects tampered params, another URL, another token and a missing header, logging no personal data", () => {
    const signature = sign(URL, PARAMS);
    const { entries, logger } = capture();
    const attempts = [
      { url: URL, signature, params: { ...PARAMS, To: "+14155550199" } },
      { url: URL.replace("https://shop", "http://shop"), signature, params: PARAMS },
      { url: URL, signature: sign(URL, PARAMS, "another-token-another-token-1234"), params: PARAMS },
      { url: URL, signature: undefined, params: PARAMS },
      { url: URL, signature: "", params: PARAMS },
    ];
    for (const request of attempts) {
      const outcome = handleTwilioWebhook(request, { authToken: AUTH_TOKEN, at: AT, logger });
      expect(outcome).toMatchObject({ status: 403, events: [] });
    }
    expect(entries.map((e) => e.reason)).toEqual([
      "bad_signature",
      "bad_signature",
      "bad_signature",
      "missing_signature",
      "missing_signature",
    ]);
    const logged = JSON.stringify(entries);
    expect(logged).not.toMatch(/4155550|5005550|SM0123/);
  });

  it("accepts an authentic request of an unknown shape, answering 200 and reporting it", () => {
    const params = { CallSid: "CA1", CallStatus: "ringing", From: "+14155550100" };
    const { entries, logger } = capture();
    const outcome = handleTwilioWebhook(
      { url: URL, signature: sign(URL, params), params },
      {
        authToken: AUTH_TOKEN,
        at: AT,
        logger,
      },
    );
    expect(outcome).toMatchObject({ status: 200, events: [], issues: [{ code: "unsupported_event" }] });
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toMatch(/4155550/);
  });

  it("verifyTwilioSignature agrees with the SDK for inbound messages", () => {
    const url = "https://shop.example.com/webhooks/twilio/inbound";
    const params = { MessageSid: "SM1", From: "+14155550100", To: "+15005550006", Body: "STOP" };
    expect(verifyTwilioSignature(AUTH_TOKEN, sign(url, params), url, params)).toBe(true);
    expect(verifyTwilioSignature(AUTH_TOKEN, sign(url, params), url, { ...params, Body: "START" })).toBe(
      false,
    );
    expect(verifyTwilioSignature(AUTH_TOKEN, null, url, params)).toBe(false);
  });
});
