import { describe, expect, it } from "vitest";
import { callbackWithKey, shapeTwilioMessage, toSdkParams } from "../../src/destinations/twilio-form.js";

describe("shapeTwilioMessage: one Messages API request for the Node destination and the paste bundle", () => {
  it("sends SMS from the Messaging Service when both senders are set, WhatsApp from its own number", () => {
    const senders = { from: "+15005550006", messagingServiceSid: "MG1", whatsappFrom: "+14155238886" };
    expect(shapeTwilioMessage({ channel: "sms", to: "+14155550100", body: "Hi" }, senders)).toEqual({
      success: true,
      data: { To: "+14155550100", Body: "Hi", MessagingServiceSid: "MG1" },
    });
    expect(
      shapeTwilioMessage(
        { channel: "whatsapp", to: "+14155550100", contentSid: "HX1", contentVariables: { 1: "Ada" } },
        senders,
      ),
    ).toEqual({
      success: true,
      data: {
        To: "whatsapp:+14155550100",
        From: "whatsapp:+14155238886",
        ContentSid: "HX1",
        ContentVariables: '{"1":"Ada"}',
      },
    });
  });

  it("names the setting that would give a missing sender", () => {
    expect(shapeTwilioMessage({ channel: "sms", to: "+14155550100", body: "Hi" }, {})).toEqual({
      success: false,
      error: { setting: "from" },
    });
    expect(
      shapeTwilioMessage(
        { channel: "whatsapp", to: "+14155550100", contentSid: "HX1", contentVariables: {} },
        { from: "+15005550006" },
      ),
    ).toEqual({ success: false, error: { setting: "whatsappFrom" } });
  });

  it("adds the message key to the status callback, keeping its query and fragment", () => {
    expect(callbackWithKey("https://x.example/t", "a:1")).toBe("https://x.example/t?key=a%3A1");
    expect(callbackWithKey("https://x.example/t?s=1#f", "a b")).toBe("https://x.example/t?s=1&key=a%20b#f");
  });

  it("gives the SDK the same request in its parameter names", () => {
    expect(toSdkParams({ To: "+1", MessagingServiceSid: "MG1", Body: "Hi", StatusCallback: "u" })).toEqual({
      to: "+1",
      messagingServiceSid: "MG1",
      body: "Hi",
      statusCallback: "u",
    });
  });
});
