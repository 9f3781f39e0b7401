import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TwilioSendSms, TwilioSendWhatsApp } from "../../src/core/commands.js";
import { classifyTwilioError, twilioDestination } from "../../src/destinations/twilio.js";
import { DeliveryError } from "../../src/destinations/types.js";
import { startTwilioEmulator, type TwilioEmulator } from "../../src/emulators/twilio.js";
import { handleTwilioWebhook } from "../../src/webhooks/twilio.js";
import { meta, testDestination } from "./conformance.js";
import { type Receiver, startReceiver } from "./receiver.js";

const SID = "AC0123456789abcdef0123456789abcdef";
const TOKEN = "0123456789abcdef0123456789abcdef";
let emulator: TwilioEmulator;
let receiver: Receiver;

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: { [SID]: TOKEN } });
  receiver = await startReceiver();
});
afterAll(async () => {
  await emulator.stop();
  await receiver.close();
});
beforeEach(async () => {
  // status callbacks of the previous test must not land in this one's log
  await emulator.settled();
  emulator.reset();
});

function sms(to = "+14155550100", overrides: Partial<TwilioSendSms> = {}): TwilioSendSms {
  return {
    ...meta({ channel: "sms", step: "sms", key: "recovery:cart-1:2:sms:sms", stage: 2 }),
    type: "twilio.sendSms",
    to,
    body: "Your cart is waiting: https://shop.test/r/abc",
    encoding: "GSM-7",
    segments: 1,
    ...overrides,
  };
}

function whatsapp(to = "+14155550100"): TwilioSendWhatsApp {
  return {
    ...meta({ channel: "whatsapp", step: "whatsapp", key: "recovery:cart-1:1:whatsapp:whatsapp" }),
    type: "twilio.sendWhatsApp",
    to,
    contentSid: "HX0123456789abcdef0123456789abcdef",
    contentVariables: { 1: "Ada", 2: "https://shop.test/r/abc" },
  };
}

function destination(options: Partial<Parameters<typeof twilioDestination>[0]> = {}) {
  return twilioDestination({
    accountSid: SID,
    authToken: TOKEN,
    baseUrl: emulator.url,
    from: "+15005550006",
    ...options,
  });
}

async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

testDestination("twilio", {
  destination: () => destination(),
  command: () => sms(),
  unreachable: (baseUrl) =>
    twilioDestination({ accountSid: SID, authToken: TOKEN, baseUrl, from: "+15005550006", timeoutMs: 2000 }),
  providerIds: () => emulator.messages().map((m) => m.sid),
});

describe("twilioDestination against the Twilio emulator", () => {
  it("explains missing options", () => {
    expect(() => twilioDestination({ authToken: TOKEN, from: "+15005550006" })).toThrow(
      "Missing required option `accountSid` for twilioDestination",
    );
    expect(() => twilioDestination({ accountSid: SID, authToken: TOKEN })).toThrow(
      "Missing required option `from` or `messagingServiceSid` for twilioDestination",
    );
  });

  it("sends an SMS as a form POST with Basic auth and the status callback carrying the command key", async () => {
    const receipt = await destination({ statusCallback: `${receiver.url}/webhooks/twilio/status` }).execute(
      sms(),
    );
    const [request] = emulator.requests({ method: "POST" });
    expect(request?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString("base64")}`);
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.body).toEqual({
      To: "+14155550100",
      From: "+15005550006",
      Body: "Your cart is waiting: https://shop.test/r/abc",
      StatusCallback: `${receiver.url}/webhooks/twilio/status?key=recovery%3Acart-1%3A2%3Asms%3Asms`,
    });
    expect(receipt.providerId).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it("delivery statuses come back signed and parse into engagement for the right step", async () => {
    await destination({ statusCallback: `${receiver.url}/webhooks/twilio/status` }).execute(sms());
    await emulator.settled();
    const statuses = emulator.callbacks().filter((c) => c.kind === "status");
    expect(statuses.map((c) => c.params.MessageStatus)).toEqual(["sent", "delivered"]);
    const events = statuses.flatMap(
      (c) =>
        handleTwilioWebhook(
          { url: c.url, signature: c.signature, params: c.params },
          { authToken: TOKEN, at: 1 },
        ).events,
    );
    expect(events).toMatchObject([
      { type: "message_engaged", engagement: "delivered", key: "recovery:cart-1:2:sms:sms", channel: "sms" },
    ]);
  });

  it("sends from a Messaging Service when one is configured", async () => {
    await destination({ messagingServiceSid: "MG0123456789abcdef0123456789abcdef" }).execute(sms());
    const body = emulator.requests({ method: "POST" })[0]?.body as Record<string, string>;
    expect(body.MessagingServiceSid).toBe("MG0123456789abcdef0123456789abcdef");
    expect(body.From).toBeUndefined();
  });

  it("sends WhatsApp through an approved template", async () => {
    await destination({ whatsappFrom: "+15005550006" }).execute(whatsapp());
    expect(emulator.requests({ method: "POST" })[0]?.body).toEqual({
      To: "whatsapp:+14155550100",
      From: "whatsapp:+15005550006",
      ContentSid: "HX0123456789abcdef0123456789abcdef",
      ContentVariables: JSON.stringify({ 1: "Ada", 2: "https://shop.test/r/abc" }),
    });
  });

  it("asks for a WhatsApp sender when none is configured", async () => {
    const error = await rejection(destination().execute(whatsapp()));
    expect(error).toMatchObject({ kind: "configuration", setting: "whatsappFrom" });
  });

  it("classifies Twilio's magic numbers: 21211 and 21614 permanent, 21610 permanent with SMS consent denied", async () => {
    const invalid = await rejection(destination().execute(sms("+15005550001")));
    expect(invalid).toMatchObject({ kind: "permanent", code: 21211, status: 400 });
    const landline = await rejection(destination().execute(sms("+15005550009")));
    expect(landline).toMatchObject({ kind: "permanent", code: 21614 });
    const optedOut = await rejection(destination().execute(sms("+15005550004")));
    expect(optedOut).toMatchObject({ kind: "permanent", code: 21610 });
    expect(optedOut.events).toMatchObject([
      {
        type: "consent_changed",
        channel: "sms",
        status: "denied",
        source: "twilio",
        contact: { phone: "+15005550004" },
      },
    ]);
  });

  it("classifies wrong credentials as configuration naming authToken", async () => {
    const error = await rejection(destination({ authToken: "f".repeat(32) }).execute(sms()));
    expect(error).toMatchObject({ kind: "configuration", status: 401, setting: "authToken" });
  });

  it("classifies 429 (20429) and 5xx as retryable", async () => {
    emulator.setFaults({ errorRate: 1, errorStatus: 429 });
    const limited = await rejection(destination().execute(sms()));
    expect(limited).toMatchObject({ kind: "retryable", status: 429, code: 20429 });
    emulator.setFaults({ errorRate: 1, errorStatus: 503 });
    expect(await rejection(destination().execute(sms()))).toMatchObject({ kind: "retryable", status: 503 });
  });

  it("times out a slow API as retryable with an unknown outcome", async () => {
    // the answer, 10 s late, would be a 503: a timeout can only come from the client giving up first
    emulator.setFaults({ latencyMs: 10_000, errorRate: 1, errorStatus: 503 });
    const error = await rejection(destination({ timeoutMs: 100 }).execute(sms()));
    expect(error).toMatchObject({ kind: "retryable", outcomeUnknown: true });
    expect(error.status).toBeUndefined();
    expect(error.message).toMatch(/timeout of 100ms/);
  });
});

describe("classifyTwilioError", () => {
  it("reads Retry-After and maps 63016 and sender codes", () => {
    const limited = classifyTwilioError({ status: 429, code: 20429, headers: { "retry-after": "3" } }, sms());
    expect(limited).toMatchObject({ kind: "retryable", retryAfterMs: 3000 });
    expect(
      classifyTwilioError({ status: 400, code: 63016, message: "outside window" }, whatsapp()),
    ).toMatchObject({
      kind: "permanent",
      code: 63016,
    });
    expect(classifyTwilioError({ status: 400, code: 21606, message: "bad From" }, sms())).toMatchObject({
      kind: "configuration",
      setting: "from",
    });
    expect(classifyTwilioError({ status: 400, code: 21610 }, whatsapp()).events).toMatchObject([
      { channel: "whatsapp", status: "denied" },
    ]);
  });
});
