import { describe, expect, it } from "vitest";
import { parseTwilioWebhook } from "../../../src/core/engagement/twilio.js";

const AT = Date.UTC(2026, 10, 23, 16, 0, 0);

function status(MessageStatus: string, extra: Record<string, string> = {}) {
  return {
    MessageSid: "SM0123456789abcdef0123456789abcdef",
    AccountSid: "AC0123456789abcdef0123456789abcdef",
    From: "+15005550006",
    To: "+14155550100",
    MessageStatus,
    ...extra,
  };
}

function inbound(Body: string, extra: Record<string, string> = {}) {
  return {
    MessageSid: "SMfeedfacefeedfacefeedfacefeedface",
    From: "+14155550100",
    To: "+15005550006",
    Body,
    ...extra,
  };
}

describe("parseTwilioWebhook", () => {
  it("turns delivered, read and failed statuses into engagement for the recipient", () => {
    const cases: [string, string][] = [
      ["delivered", "delivered"],
      ["read", "opened"],
      ["failed", "failed"],
      ["undelivered", "failed"],
    ];
    for (const [given, engagement] of cases) {
      const result = parseTwilioWebhook(status(given), { at: AT, key: "recovery:cart-1:2:sms:sms" });
      expect(result).toEqual({
        success: true,
        data: [
          {
            type: "message_engaged",
            id: `twilio:SM0123456789abcdef0123456789abcdef:${given}`,
            at: AT,
            source: "twilio",
            contact: { phone: "+14155550100" },
            engagement,
            channel: "sms",
            cartRefs: [],
            key: "recovery:cart-1:2:sms:sms",
          },
        ],
      });
    }
  });

  it("records nothing while the message is still on its way", () => {
    for (const s of ["queued", "sending", "sent", "accepted"]) {
      expect(parseTwilioWebhook(status(s), { at: AT })).toEqual({ success: true, data: [] });
    }
  });

  it("reads WhatsApp addresses and a carrier opt-out (21610) as denied consent", () => {
    const result = parseTwilioWebhook(
      status("undelivered", { To: "whatsapp:+14155550100", ErrorCode: "21610" }),
      { at: AT },
    );
    expect(result.success && result.data.map((e) => [e.type, "channel" in e ? e.channel : null])).toEqual([
      ["message_engaged", "whatsapp"],
      ["consent_changed", "whatsapp"],
    ]);
  });

  it("turns STOP and START replies, in any case and with OptOutType, into consent changes", () => {
    for (const body of ["STOP", " stop ", "Unsubscribe", "cancel"]) {
      const result = parseTwilioWebhook(inbound(body), { at: AT });
      expect(result).toMatchObject({
        success: true,
        data: [
          { type: "consent_changed", channel: "sms", status: "denied", contact: { phone: "+14155550100" } },
        ],
      });
    }
    expect(parseTwilioWebhook(inbound("yes"), { at: AT })).toMatchObject({
      data: [{ type: "consent_changed", status: "granted" }],
    });
    // Advanced Opt-Out: a custom keyword, classified by Twilio
    expect(parseTwilioWebhook(inbound("ARRET", { OptOutType: "STOP" }), { at: AT })).toMatchObject({
      data: [{ type: "consent_changed", status: "denied" }],
    });
    expect(parseTwilioWebhook(inbound("GO", { OptOutType: "START" }), { at: AT })).toMatchObject({
      data: [{ type: "consent_changed", status: "granted" }],
    });
  });

  it("treats HELP and any other reply as the shopper replying, without touching consent", () => {
    for (const body of ["HELP", "is the blue one still in stock?"]) {
      const result = parseTwilioWebhook(inbound(body), { at: AT });
      expect(result).toMatchObject({
        success: true,
        data: [{ type: "message_engaged", engagement: "replied" }],
      });
    }
    expect(parseTwilioWebhook(inbound("x", { OptOutType: "HELP" }), { at: AT })).toMatchObject({
      data: [{ type: "message_engaged", engagement: "replied" }],
    });
  });

  it("keeps a phone that is not E.164 out of the contact's phone", () => {
    const result = parseTwilioWebhook(inbound("hi", { From: "12345" }), { at: AT });
    expect(result).toMatchObject({ data: [{ contact: { invalidPhone: "12345" } }] });
  });

  it("reports shapes it cannot use instead of throwing", () => {
    for (const input of [null, "MessageSid=1", [], 42]) {
      expect(parseTwilioWebhook(input, { at: AT })).toMatchObject({
        success: false,
        error: [{ code: "invalid_type" }],
      });
    }
    expect(parseTwilioWebhook({ CallSid: "CA1", CallStatus: "ringing" }, { at: AT })).toMatchObject({
      success: false,
      error: [{ code: "unsupported_event" }],
    });
    expect(parseTwilioWebhook(status("teleported"), { at: AT })).toMatchObject({
      success: false,
      error: [{ code: "unsupported_event", path: ["MessageStatus"] }],
    });
    expect(parseTwilioWebhook({ MessageStatus: "delivered", To: "+14155550100" }, { at: AT })).toMatchObject({
      success: false,
      error: [{ code: "missing_field", path: ["MessageSid"] }],
    });
  });
});
