import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SendgridSendEmail } from "../../src/core/commands.js";
import { sendgridDestination } from "../../src/destinations/sendgrid.js";
import { DeliveryError } from "../../src/destinations/types.js";
import { type SendGridEmulator, startSendGridEmulator } from "../../src/emulators/sendgrid.js";
import { meta, testDestination } from "./conformance.js";

const KEY = "SG.test-key";
let emulator: SendGridEmulator;

beforeAll(async () => {
  emulator = await startSendGridEmulator({ apiKeys: [KEY] });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

function email(overrides: Partial<SendgridSendEmail> = {}): SendgridSendEmail {
  return {
    ...meta(),
    type: "sendgrid.sendEmail",
    to: "ada@example.com",
    templateId: "d-0123456789abcdef0123456789abcdef",
    dynamicTemplateData: { first_name: "Ada", cart_url: "https://shop.test/r/abc" },
    ...overrides,
  };
}

function destination(options: Partial<Parameters<typeof sendgridDestination>[0]> = {}) {
  return sendgridDestination({ apiKey: KEY, baseUrl: emulator.url, from: "shop@example.com", ...options });
}

async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

testDestination("sendgrid", {
  destination: () => destination(),
  command: () => email(),
  unreachable: (baseUrl) => sendgridDestination({ apiKey: KEY, baseUrl, from: "shop@example.com" }),
  providerIds: () => emulator.mails().map((m) => m.messageId),
});

describe("sendgridDestination against the SendGrid emulator", () => {
  it("explains missing options", () => {
    expect(() => sendgridDestination({ from: "shop@example.com" })).toThrow(
      "Missing required option `apiKey` for sendgridDestination",
    );
    expect(() => sendgridDestination({ apiKey: KEY } as never)).toThrow("`from`");
  });

  it("sends a dynamic template with the command key as a custom arg", async () => {
    const receipt = await destination().execute(email());
    const [request] = emulator.requests({ method: "POST" });
    expect(request?.path).toBe("/v3/mail/send");
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body).toEqual({
      from: { email: "shop@example.com" },
      personalizations: [
        {
          to: [{ email: "ada@example.com" }],
          dynamic_template_data: { first_name: "Ada", cart_url: "https://shop.test/r/abc" },
        },
      ],
      template_id: "d-0123456789abcdef0123456789abcdef",
      custom_args: { cartback_key: "recovery:cart-1:1:email:email" },
    });
    expect(receipt.providerId).toBe(emulator.mails()[0]?.messageId);
  });

  it("asks SendGrid to validate only in sandbox mode", async () => {
    await destination({ sandboxMode: true }).execute(email());
    expect(emulator.mails()).toMatchObject([{ sandbox: true }]);
  });

  it("classifies 400 as permanent with field errors, 401 as configuration, 429 and 5xx as retryable", async () => {
    const invalid = await rejection(destination().execute(email({ to: "not-an-email" })));
    expect(invalid).toMatchObject({ kind: "permanent", status: 400 });
    expect(Object.keys(invalid.fieldErrors ?? {}).length).toBeGreaterThan(0);
    const denied = await rejection(destination({ apiKey: "SG.wrong" }).execute(email()));
    expect(denied).toMatchObject({ kind: "configuration", status: 401, setting: "apiKey" });
    emulator.setFaults({ errorRate: 1, errorStatus: 429 });
    expect(await rejection(destination().execute(email()))).toMatchObject({ kind: "retryable", status: 429 });
    emulator.setFaults({ errorRate: 1, errorStatus: 500 });
    expect(await rejection(destination().execute(email()))).toMatchObject({ kind: "retryable", status: 500 });
  });

  it("times out a slow API as retryable", async () => {
    emulator.setFaults({ latencyMs: 500 });
    const error = await rejection(destination({ timeoutMs: 100 }).execute(email()));
    expect(error.kind).toBe("retryable");
  });
});
