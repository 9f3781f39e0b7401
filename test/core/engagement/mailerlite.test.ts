import { describe, expect, it } from "vitest";
import { parseMailerliteWebhook } from "../../../src/core/engagement/mailerlite.js";

const AT = Date.UTC(2026, 10, 23, 16, 0, 0);

function subscriberEvent(event: string, extra: Record<string, unknown> = {}) {
  return {
    id: "140000000000000042",
    email: "Ada@Example.com",
    status: "unsubscribed",
    unsubscribed_at: "2026-11-23 15:59:00",
    updated_at: "2026-11-23 15:59:00",
    fields: { name: "Ada" },
    event,
    ...extra,
  };
}

describe("parseMailerliteWebhook", () => {
  it("turns an unsubscribe into denied email consent, at the time MailerLite recorded", () => {
    const result = parseMailerliteWebhook(subscriberEvent("subscriber.unsubscribed"), { at: AT });
    expect(result).toEqual({
      success: true,
      data: [
        {
          type: "consent_changed",
          id: `mailerlite:subscriber.unsubscribed:140000000000000042:${Date.UTC(2026, 10, 23, 15, 59)}:consent`,
          at: Date.UTC(2026, 10, 23, 15, 59),
          source: "mailerlite",
          contact: { email: "ada@example.com" },
          channel: "email",
          status: "denied",
        },
      ],
    });
  });

  it("turns a spam report into a complaint and denied consent, and a bounce into engagement", () => {
    const spam = parseMailerliteWebhook(subscriberEvent("subscriber.spam_reported"), { at: AT });
    expect(spam.success && spam.data.map((e) => e.type)).toEqual(["message_engaged", "consent_changed"]);
    expect(spam).toMatchObject({ data: [{ engagement: "complained" }, { status: "denied" }] });
    const bounce = parseMailerliteWebhook(subscriberEvent("subscriber.bounced", { status: "bounced" }), {
      at: AT,
    });
    expect(bounce).toMatchObject({
      success: true,
      data: [{ type: "message_engaged", engagement: "bounced" }],
    });
  });

  it("reads batched opens and clicks, one event each", () => {
    const result = parseMailerliteWebhook(
      {
        events: [
          {
            event: "campaign.open",
            created_at: "2026-11-23T15:00:00.000000Z",
            subscriber: { id: "1", email: "a@example.com" },
            campaign: { id: "77" },
          },
          {
            event: "campaign.click",
            created_at: "2026-11-23T15:01:00.000000Z",
            subscriber: { id: "2", email: "b@example.com" },
            campaign: { id: "77" },
          },
        ],
      },
      { at: AT },
    );
    expect(result).toMatchObject({
      success: true,
      data: [
        { engagement: "opened", contact: { email: "a@example.com" }, at: Date.UTC(2026, 10, 23, 15, 0) },
        { engagement: "clicked", contact: { email: "b@example.com" }, at: Date.UTC(2026, 10, 23, 15, 1) },
      ],
    });
  });

  it("accepts the classic API's envelope and event names", () => {
    const result = parseMailerliteWebhook(
      {
        events: [
          {
            type: "subscriber.unsubscribe",
            timestamp: 1_795_000_000,
            data: { subscriber: { id: 2300951083, email: "guy@example.com" } },
          },
        ],
      },
      { at: AT },
    );
    expect(result).toMatchObject({
      data: [{ type: "consent_changed", at: 1_795_000_000_000, contact: { email: "guy@example.com" } }],
    });
  });

  it("ignores events cartback does not act on", () => {
    for (const name of ["subscriber.created", "subscriber.added_to_group", "campaign.sent"]) {
      expect(parseMailerliteWebhook(subscriberEvent(name), { at: AT })).toEqual({ success: true, data: [] });
    }
  });

  it("reports unknown or broken shapes instead of throwing", () => {
    expect(parseMailerliteWebhook("nope", { at: AT })).toMatchObject({
      success: false,
      error: [{ code: "invalid_type" }],
    });
    expect(parseMailerliteWebhook({ hello: "world" }, { at: AT })).toMatchObject({
      success: false,
      error: [{ code: "missing_field", path: ["event"] }],
    });
    expect(parseMailerliteWebhook(subscriberEvent("subscriber.teleported"), { at: AT })).toMatchObject({
      success: false,
      error: [{ code: "unsupported_event" }],
    });
    expect(parseMailerliteWebhook({ event: "campaign.click" }, { at: AT })).toMatchObject({
      success: false,
      error: [{ code: "missing_field" }],
    });
    // one usable event in a batch still counts
    const mixed = parseMailerliteWebhook(
      { events: [{ event: "mystery" }, subscriberEvent("subscriber.unsubscribed")] },
      { at: AT },
    );
    expect(mixed).toMatchObject({ success: true, data: [{ type: "consent_changed" }] });
  });
});
