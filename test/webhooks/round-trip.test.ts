/**
 * Engagement coming back end to end: the emulators act out what a shopper does (unsubscribe, bounce,
 * spam report, a STOP reply), post signed webhooks to a local receiver, and the handlers verify and
 * turn them into the events the profile needs.
 */
import MailerLiteModule from "@mailerlite/mailerlite-nodejs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mailerliteDestination } from "../../src/destinations/mailerlite.js";
import { twilioDestination } from "../../src/destinations/twilio.js";
import { type MailerLiteEmulator, startMailerLiteEmulator } from "../../src/emulators/mailerlite.js";
import { startTwilioEmulator, type TwilioEmulator } from "../../src/emulators/twilio.js";
import { handleMailerliteWebhook } from "../../src/webhooks/mailerlite.js";
import { handleTwilioWebhook } from "../../src/webhooks/twilio.js";
import { meta } from "../destinations/conformance.js";
import { type Receiver, startReceiver } from "../destinations/receiver.js";

const MailerLite = ((MailerLiteModule as { default?: unknown }).default ??
  MailerLiteModule) as typeof MailerLiteModule.default;

const AT = Date.UTC(2026, 10, 23, 16, 0, 0);
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.requests.length = 0;
});

describe("MailerLite webhooks round trip", () => {
  let emulator: MailerLiteEmulator;
  beforeAll(async () => {
    emulator = await startMailerLiteEmulator({ apiKeys: ["ml"] });
  });
  afterAll(() => emulator.stop());

  it("turns a signed unsubscribe, bounce and spam report into consent and engagement events", async () => {
    const sdk = new MailerLite({ api_key: "ml", base_path: emulator.url });
    const webhook = (
      await sdk.webhooks.create({
        name: "cartback",
        url: `${receiver.url}/webhooks/mailerlite`,
        events: ["subscriber.unsubscribed", "subscriber.bounced", "subscriber.spam_reported"],
      })
    ).data.data;
    const ml = mailerliteDestination({ apiKey: "ml", baseUrl: emulator.url, pacing: false });
    for (const email of ["ada@example.com", "bob@example.com", "cy@example.com"]) {
      await ml.execute({
        ...meta({ kind: "support" }),
        type: "mailerlite.upsertSubscriber",
        email,
        fields: {},
      });
    }
    await emulator.simulate({ action: "unsubscribe", email: "ada@example.com" });
    await emulator.simulate({ action: "bounce", email: "bob@example.com" });
    await emulator.simulate({ action: "spam_report", email: "cy@example.com" });

    const outcomes = receiver.requests.map((request) =>
      handleMailerliteWebhook(
        { rawBody: request.raw, signature: request.headers.signature as string },
        { secret: webhook.secret, at: AT },
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual([200, 200, 200]);
    const events = outcomes.flatMap((o) => o.events);
    expect(
      events.map((e) => [
        e.type,
        e.contact.email,
        e.type === "consent_changed" ? e.status : e.type === "message_engaged" ? e.engagement : null,
      ]),
    ).toEqual([
      ["consent_changed", "ada@example.com", "denied"],
      ["message_engaged", "bob@example.com", "bounced"],
      ["message_engaged", "cy@example.com", "complained"],
      ["consent_changed", "cy@example.com", "denied"],
    ]);

    // the person stays unsubscribed when the journey upserts them again
    await ml.execute({
      ...meta({ kind: "support" }),
      type: "mailerlite.upsertSubscriber",
      email: "ada@example.com",
      fields: { cart_url: "https://shop.test/r/1" },
    });
    expect(emulator.subscriber("ada@example.com")?.status).toBe("unsubscribed");
  });

  it("rejects the same delivery under another secret", async () => {
    const sdk = new MailerLite({ api_key: "ml", base_path: emulator.url });
    await sdk.webhooks.create({ url: `${receiver.url}/hook`, events: ["subscriber.unsubscribed"] });
    await sdk.subscribers.createOrUpdate({ email: "dee@example.com" });
    await emulator.simulate({ action: "unsubscribe", email: "dee@example.com" });
    const [request] = receiver.requests;
    const outcome = handleMailerliteWebhook(
      { rawBody: request!.raw, signature: request!.headers.signature as string },
      { secret: "not-the-secret", at: AT, logger: () => {} },
    );
    expect(outcome).toMatchObject({ status: 403, rejected: "bad_signature", events: [] });
  });
});

describe("Twilio replies round trip", () => {
  const SID = "AC0123456789abcdef0123456789abcdef";
  const TOKEN = "0123456789abcdef0123456789abcdef";
  let emulator: TwilioEmulator;
  beforeAll(async () => {
    emulator = await startTwilioEmulator({ accounts: { [SID]: TOKEN } });
  });
  afterAll(() => emulator.stop());

  it("a STOP reply denies SMS consent, and the next send fails permanently with the same news", async () => {
    const url = `${receiver.url}/webhooks/twilio/inbound`;
    await emulator.simulateInbound({ from: "+14155550100", to: "+15005550006", body: "Stop", url });
    const [request] = receiver.requests;
    expect(request?.headers["content-type"]).toMatch(/application\/x-www-form-urlencoded/);
    const params = Object.fromEntries(new URLSearchParams(request!.raw));
    const outcome = handleTwilioWebhook(
      { url, signature: request!.headers["x-twilio-signature"] as string, params },
      { authToken: TOKEN, at: AT },
    );
    expect(outcome).toMatchObject({
      status: 200,
      events: [
        { type: "consent_changed", channel: "sms", status: "denied", contact: { phone: "+14155550100" } },
      ],
    });

    const sms = twilioDestination({
      accountSid: SID,
      authToken: TOKEN,
      baseUrl: emulator.url,
      from: "+15005550006",
    });
    const error = await sms
      .execute({
        ...meta({ channel: "sms" }),
        type: "twilio.sendSms",
        to: "+14155550100",
        body: "Still thinking it over?",
        encoding: "GSM-7",
        segments: 1,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: "permanent",
      code: 21610,
      events: [{ type: "consent_changed", status: "denied" }],
    });
  });
});
