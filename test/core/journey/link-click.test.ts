import { describe, expect, it } from "vitest";
import { linkClickEvent, linkStep, parseLinkStep } from "../../../src/core/journey/links.js";
import { emptyProfile } from "../../../src/core/reduce.js";

const AT = Date.parse("2026-03-02T10:00:00Z");

describe("the event a checkout-link click records", () => {
  it("names the message's stage, step and channel, the cart, and the shopper", () => {
    const profile = {
      ...emptyProfile("p-1", AT),
      userId: "ada",
      email: "ada@example.com",
      anonymousIds: ["a-1"],
    };
    const link = {
      journey: "playbook",
      profileId: "p-1",
      cartId: "c-1",
      step: linkStep(2, "nudge", "sms"),
      expiresAt: AT + 1,
    };
    expect(linkClickEvent(link, profile, AT)).toEqual({
      type: "message_engaged",
      id: `click:p-1:c-1:2:nudge:sms:${AT}`,
      at: AT,
      source: "cartback",
      contact: { userId: "ada", email: "ada@example.com" },
      engagement: "clicked",
      channel: "sms",
      cartRefs: ["c-1"],
      stage: 2,
      step: "nudge",
    });
  });

  it("falls back to the anonymous id, to email for an unknown channel, and leaves out a stage that is no number", () => {
    const profile = { ...emptyProfile("p-2", AT), anonymousIds: ["anon-9"] };
    const event = linkClickEvent(
      { journey: "j", profileId: "p-2", cartId: "c", step: "x:reminder:pigeon", expiresAt: AT + 1 },
      profile,
      AT,
    );
    expect(event.contact).toEqual({ anonymousId: "anon-9" });
    expect(event.channel).toBe("email");
    expect(event).not.toHaveProperty("stage");
    expect(event.step).toBe("reminder");
  });

  it("packs and unpacks a step", () => {
    expect(parseLinkStep(linkStep(1, "reminder", "whatsapp"))).toEqual({
      stage: 1,
      step: "reminder",
      channel: "whatsapp",
    });
    expect(parseLinkStep("")).toEqual({ channel: "email" });
  });
});
