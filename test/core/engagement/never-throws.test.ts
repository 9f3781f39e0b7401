import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMailerliteWebhook } from "../../../src/core/engagement/mailerlite.js";
import { parseTwilioWebhook } from "../../../src/core/engagement/twilio.js";

// payloads near the real shapes, with any values where the fields go
const twilioForm = fc.dictionary(
  fc.constantFrom(
    "MessageSid",
    "MessageStatus",
    "SmsStatus",
    "To",
    "From",
    "Body",
    "OptOutType",
    "ErrorCode",
    "x",
  ),
  fc.oneof(
    fc.string(),
    fc.constantFrom("delivered", "read", "failed", "STOP", "START", "HELP", "whatsapp:+14155550100"),
  ),
);
const mailerliteEvent = fc.record(
  {
    event: fc.oneof(
      fc.string(),
      fc.constantFrom("subscriber.unsubscribed", "campaign.click", "subscriber.bounced"),
    ),
    email: fc.oneof(fc.string(), fc.constant("a@example.com")),
    created_at: fc.string(),
    timestamp: fc.oneof(fc.integer(), fc.double()),
    subscriber: fc.oneof(fc.anything(), fc.record({ id: fc.anything(), email: fc.anything() })),
    campaign: fc.record({ id: fc.anything() }),
    data: fc.anything(),
  },
  { requiredKeys: [] },
);

describe("engagement parsers", () => {
  it("never throw, and always answer with a Result", () => {
    const inputs = fc.oneof(
      fc.anything(),
      fc.jsonValue(),
      twilioForm,
      mailerliteEvent,
      fc.record({ events: fc.array(mailerliteEvent) }),
    );
    fc.assert(
      fc.property(inputs, (input) => {
        for (const result of [
          parseTwilioWebhook(input, { at: 0 }),
          parseMailerliteWebhook(input, { at: 0 }),
        ]) {
          expect(typeof result.success).toBe("boolean");
          if (result.success) expect(Array.isArray(result.data)).toBe(true);
          else expect(result.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});
