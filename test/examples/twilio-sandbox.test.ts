import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { runExample } from "./run-example.js";

describe("examples/twilio-sandbox", () => {
  let emulators: RunningEmulators;
  beforeAll(async () => {
    emulators = await startEmulators({ twilio: true });
  });
  afterAll(() => emulators.stop());

  it("sends the stage-2 SMS to the magic numbers and classifies each outcome", async () => {
    const run = await runExample("twilio-sandbox", { TWILIO_BASE_URL: emulators.urls.twilio! });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe(
      `Mode: local Twilio emulator at ${emulators.urls.twilio} (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set)`,
    );
    expect(run.stdout).toMatch(/Ada +\+14155550100 → sent/);
    expect(run.stdout).toMatch(/Grace +\+15005550001 → permanent \(21211\)/);
    expect(run.stdout).toMatch(/Linus +\+15005550004 → permanent \(21610\)/);
    expect(run.stdout).toContain("consent_changed: sms denied");

    const sent = emulators.twilio!.requests({ method: "POST", path: "/2010-04-01/*" });
    expect(sent.map((r) => [(r.body as Record<string, string>).To, r.status])).toEqual([
      ["+14155550100", 201],
      ["+15005550001", 400],
      ["+15005550004", 400],
    ]);
    // the body is the playbook's rendered copy, with the shopper's name, item and link
    expect(sent[0]?.body).toMatchObject({
      Body: "Ada, you left Linen shirt in your cart. https://shop.example/r/cart-2001",
      From: "+15005550006",
    });
    expect(emulators.twilio!.messages()).toHaveLength(1);
  });

  it("refuses half a set of credentials before sending anything", async () => {
    const before = emulators.twilio!.requests().length;
    const run = await runExample("twilio-sandbox", {
      TWILIO_BASE_URL: emulators.urls.twilio!,
      TWILIO_ACCOUNT_SID: "AC123",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither");
    expect(emulators.twilio!.requests()).toHaveLength(before);
  });
});
