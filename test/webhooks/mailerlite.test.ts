import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { handleMailerliteWebhook, verifyMailerliteSignature } from "../../src/webhooks/mailerlite.js";
import type { WebhookLogEntry } from "../../src/webhooks/outcome.js";

const SECRET = "ml-webhook-secret";
const AT = Date.UTC(2026, 10, 23, 16, 0, 0);
const BODY = JSON.stringify({
  id: "140000000000000042",
  email: "ada@example.com",
  status: "unsubscribed",
  unsubscribed_at: "2026-11-23 15:59:00",
  event: "subscriber.unsubscribed",
});

function sign(body: string, secret = SECRET): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

function capture() {
  const entries: WebhookLogEntry[] = [];
  return { entries, logger: (entry: WebhookLogEntry) => entries.push(entry) };
}

describe("MailerLite webhook signatures", () => {
  it("accepts a valid signature over the raw body and returns the consent change", () => {
    const outcome = handleMailerliteWebhook(
      { rawBody: BODY, signature: sign(BODY) },
      { secret: SECRET, at: AT },
    );
    expect(outcome).toMatchObject({
      status: 200,
      events: [
        {
          type: "consent_changed",
          channel: "email",
          status: "denied",
          contact: { email: "ada@example.com" },
        },
      ],
    });
    const bytes = new TextEncoder().encode(BODY);
    expect(verifyMailerliteSignature(SECRET, bytes, sign(BODY).toUpperCase())).toBe(true);
  });

  it("rejects a tampered body, a wrong secret, garbage and a missing header, logging no personal data", () => {
    const { entries, logger } = capture();
    const attempts = [
      { rawBody: BODY.replace("ada@", "eve@"), signature: sign(BODY) },
      { rawBody: BODY, signature: sign(BODY, "other-secret") },
      { rawBody: BODY, signature: "not-hex" },
      { rawBody: BODY, signature: sign(BODY).slice(0, 32) },
      { rawBody: BODY, signature: undefined },
    ];
    for (const request of attempts) {
      expect(handleMailerliteWebhook(request, { secret: SECRET, at: AT, logger })).toMatchObject({
        status: 403,
        events: [],
      });
    }
    expect(entries.map((e) => e.reason)).toEqual([
      "bad_signature",
      "bad_signature",
      "bad_signature",
      "bad_signature",
      "missing_signature",
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/ada@|eve@|example\.com/);
  });

  it("accepts an authentic event of an unknown shape and reports it; rejects a body that is not JSON", () => {
    const { entries, logger } = capture();
    const unknown = JSON.stringify({ event: "subscriber.teleported", email: "ada@example.com" });
    expect(
      handleMailerliteWebhook(
        { rawBody: unknown, signature: sign(unknown) },
        { secret: SECRET, at: AT, logger },
      ),
    ).toMatchObject({ status: 200, events: [], issues: [{ code: "unsupported_event" }] });
    const broken = "{not json";
    expect(
      handleMailerliteWebhook(
        { rawBody: broken, signature: sign(broken) },
        { secret: SECRET, at: AT, logger },
      ),
    ).toMatchObject({ status: 400, rejected: "invalid_body" });
    expect(JSON.stringify(entries)).not.toMatch(/ada@/);
  });
});
