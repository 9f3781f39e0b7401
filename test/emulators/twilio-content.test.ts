import twilio from "twilio";
import type { ContentCreateRequest } from "twilio/lib/rest/content/v1/content.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTwilioEmulator, type TwilioEmulator } from "../../src/emulators/twilio.js";
import { emulatorHttpClient } from "../../src/emulators/twilio-http-client.js";

const SID = `AC${"a".repeat(32)}`;
const TOKEN = "emulator-auth-token";

let emulator: TwilioEmulator;
let client: twilio.Twilio;

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: { [SID]: TOKEN } });
  client = twilio(SID, TOKEN, { httpClient: emulatorHttpClient(emulator.url) });
});
beforeEach(() => emulator.reset());
afterAll(() => emulator.stop());

/** the body Twilio's Content API takes (its JSON is snake_case; the SDK passes it through) */
function template(
  name: string,
  body = "Hi {{1}}, your {{2}} is waiting: {{3}} Reply STOP to opt out.",
): ContentCreateRequest {
  return {
    friendly_name: name,
    language: "en",
    variables: { "1": "Asha", "2": "linen shirt", "3": "https://shop.example.com/r/abc" },
    types: { "twilio/text": { body } },
  } as unknown as ContentCreateRequest;
}

describe("the Twilio emulator's Content API, through the official SDK", () => {
  it("creates, fetches, lists and deletes templates", async () => {
    const created = await client.content.v1.contents.create(template("cartback_nudge"));
    expect(created.sid).toMatch(/^HX[0-9a-f]{32}$/);
    expect(created).toMatchObject({ friendlyName: "cartback_nudge", language: "en", accountSid: SID });
    expect(created.types).toEqual({
      "twilio/text": { body: "Hi {{1}}, your {{2}} is waiting: {{3}} Reply STOP to opt out." },
    });
    const fetched = await client.content.v1.contents(created.sid).fetch();
    expect(fetched.friendlyName).toBe("cartback_nudge");
    await client.content.v1.contents.create(template("cartback_urgency"));
    // pages of one: list() follows next_page_url back to the emulator
    const listed = await client.content.v1.contents.list({ pageSize: 1 });
    expect(listed.map((c) => c.friendlyName)).toEqual(["cartback_nudge", "cartback_urgency"]);
    await client.content.v1.contents(created.sid).remove();
    expect((await client.content.v1.contents.list()).map((c) => c.friendlyName)).toEqual([
      "cartback_urgency",
    ]);
    await expect(client.content.v1.contents(created.sid).fetch()).rejects.toMatchObject({
      status: 404,
      code: 20404,
    });
  });

  it("refuses a template without a language or a body, saying which", async () => {
    const noLanguage = { ...template("x"), language: undefined } as unknown as ContentCreateRequest;
    await expect(client.content.v1.contents.create(noLanguage)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("language"),
    });
    const noBody = { ...template("x"), types: { "twilio/text": {} } } as unknown as ContentCreateRequest;
    await expect(client.content.v1.contents.create(noBody)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("body"),
    });
  });

  it("takes a WhatsApp approval request and shows the review's outcome", async () => {
    const { sid } = await client.content.v1.contents.create(template("cartback_nudge"));
    const before = await client.content.v1.contents(sid).approvalFetch().fetch();
    expect(before.whatsapp).toMatchObject({ status: "unsubmitted" });
    const request = await client.content.v1
      .contents(sid)
      .approvalCreate.create({ name: "cartback_nudge", category: "MARKETING" });
    expect(request).toMatchObject({ name: "cartback_nudge", category: "MARKETING", status: "received" });
    const after = await client.content.v1.contents(sid).approvalFetch().fetch();
    expect(after.whatsapp).toMatchObject({
      name: "cartback_nudge",
      status: "approved",
      content_type: "twilio/text",
    });
    // a second request for the same template is refused
    await expect(
      client.content.v1
        .contents(sid)
        .approvalCreate.create({ name: "cartback_nudge", category: "MARKETING" }),
    ).rejects.toMatchObject({ status: 409 });
    // WhatsApp's naming rules
    const other = await client.content.v1.contents.create(template("other"));
    await expect(
      client.content.v1
        .contents(other.sid)
        .approvalCreate.create({ name: "Cart Nudge!", category: "MARKETING" }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining("lowercase") });
  });

  it("turns down a body that starts or ends with a variable, as WhatsApp's review does", async () => {
    for (const body of ["{{1}}, your cart is waiting.", "Your cart is waiting: {{1}}"]) {
      const { sid } = await client.content.v1.contents.create(template("edge", body));
      await client.content.v1.contents(sid).approvalCreate.create({ name: "edge", category: "MARKETING" });
      const fetched = await client.content.v1.contents(sid).approvalFetch().fetch();
      expect(fetched.whatsapp, body).toMatchObject({
        status: "rejected",
        rejection_reason: expect.stringContaining("start or end"),
      });
    }
  });

  it("a message sent with a template it knows reads as the template's text", async () => {
    const { sid } = await client.content.v1.contents.create(template("cartback_nudge"));
    const message = await client.messages.create({
      from: "whatsapp:+15005550006",
      to: "whatsapp:+14155550100",
      contentSid: sid,
      contentVariables: JSON.stringify({ "1": "Mo", "2": "Scarf", "3": "https://shop.example.com/r/x" }),
    });
    expect(message.body).toBe(
      "Hi Mo, your Scarf is waiting: https://shop.example.com/r/x Reply STOP to opt out.",
    );
  });

  it("refuses other credentials", async () => {
    const stranger = twilio(SID, "wrong-token", { httpClient: emulatorHttpClient(emulator.url) });
    await expect(stranger.content.v1.contents.list()).rejects.toMatchObject({ status: 401, code: 20003 });
  });
});

describe("a review that rejects", () => {
  it("shows the rejection and lets the template be submitted again", async () => {
    const strict = await startTwilioEmulator({ accounts: { [SID]: TOKEN }, templateReview: "rejected" });
    try {
      const sdk = twilio(SID, TOKEN, { httpClient: emulatorHttpClient(strict.url) });
      const { sid } = await sdk.content.v1.contents.create(template("cartback_urgency"));
      await sdk.content.v1
        .contents(sid)
        .approvalCreate.create({ name: "cartback_urgency", category: "MARKETING" });
      const fetched = await sdk.content.v1.contents(sid).approvalFetch().fetch();
      expect(fetched.whatsapp).toMatchObject({ status: "rejected" });
      await expect(
        sdk.content.v1.contents(sid).approvalCreate.create({ name: "cartback_urgency", category: "UTILITY" }),
      ).resolves.toMatchObject({ status: "received" });
    } finally {
      await strict.stop();
    }
  });
});
