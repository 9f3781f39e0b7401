import { MailService } from "@sendgrid/mail";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type SendGridEmulator, startSendGridEmulator } from "../../src/emulators/sendgrid.js";

const KEY = "SG.emulator-key";
const TEMPLATE = `d-${"e".repeat(32)}`;

let emulator: SendGridEmulator;

/** a MailService of its own, aimed at the emulator the way FACTS.md describes */
function mailer(key = KEY): MailService {
  const mail = new MailService();
  mail.setApiKey(key);
  (
    mail as unknown as { client: { setDefaultRequest(key: string, value: string): void } }
  ).client.setDefaultRequest("baseUrl", emulator.url);
  return mail;
}

async function responseError(promise: Promise<unknown>): Promise<{ code: number; body: unknown }> {
  try {
    await promise;
  } catch (error) {
    const failure = error as { code?: number; response?: { body: unknown } };
    if (failure.response) return { code: failure.code!, body: failure.response.body };
    throw error;
  }
  throw new Error("expected the send to fail");
}

beforeAll(async () => {
  emulator = await startSendGridEmulator({ apiKeys: [KEY] });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

describe("SendGrid emulator through @sendgrid/mail", () => {
  it("accepts a dynamic template mail with 202 and an X-Message-Id", async () => {
    const [response] = await mailer().send({
      to: "ada@example.com",
      from: { email: "shop@example.com", name: "Shop" },
      templateId: TEMPLATE,
      dynamicTemplateData: { cart_url: "https://shop.test/c/1", first_name: "Ada" },
    });
    expect(response.statusCode).toBe(202);
    const [mail] = emulator.mails();
    expect(response.headers["x-message-id"]).toBe(mail?.messageId);
    expect(mail?.sandbox).toBe(false);

    const [request] = emulator.requests();
    expect(request?.path).toBe("/v3/mail/send");
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body).toMatchObject({
      from: { email: "shop@example.com", name: "Shop" },
      template_id: TEMPLATE,
      personalizations: [
        {
          to: [{ email: "ada@example.com" }],
          dynamic_template_data: { cart_url: "https://shop.test/c/1", first_name: "Ada" },
        },
      ],
    });
  });

  it("answers 200 and marks the mail as not sent in sandbox mode", async () => {
    const [response] = await mailer().send({
      to: "ada@example.com",
      from: "shop@example.com",
      templateId: TEMPLATE,
      mailSettings: { sandboxMode: { enable: true } },
    });
    expect(response.statusCode).toBe(200);
    expect(emulator.mails().map((m) => m.sandbox)).toEqual([true]);
  });

  it("answers 400 with SendGrid's error list for an invalid address and a missing body", async () => {
    const failure = await responseError(
      mailer().send({ to: "not-an-address", from: "shop@example.com" } as never),
    );
    expect(failure.code).toBe(400);
    const fields = (failure.body as { errors: Array<{ field: string }> }).errors.map((e) => e.field);
    expect(fields).toEqual(["personalizations.0.to.0.email", "content", "subject"]);
    expect(emulator.mails()).toEqual([]);
  });

  it("refuses what the API refuses: an empty subject, a content block without a type or a value", async () => {
    const send = async (mail: Record<string, unknown>) => {
      const response = await fetch(`${emulator.url}/v3/mail/send`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({
          personalizations: [{ to: [{ email: "ada@example.com" }] }],
          from: { email: "shop@example.com" },
          ...mail,
        }),
      });
      const body =
        response.status === 400 ? ((await response.json()) as { errors: { field: string }[] }) : null;
      return { status: response.status, fields: body?.errors.map((e) => e.field) ?? [] };
    };
    const text = { type: "text/plain", value: "Your cart is waiting" };
    expect(await send({ subject: "", content: [text] })).toEqual({ status: 400, fields: ["subject"] });
    expect(await send({ subject: "Hi", content: [{ value: "x" }] })).toEqual({
      status: 400,
      fields: ["content.0.type"],
    });
    expect(await send({ subject: "Hi", content: [text, { type: "text/html", value: "" }] })).toEqual({
      status: 400,
      fields: ["content.1.value"],
    });
    // every personalization with a subject of its own stands in for the message's
    expect(
      await send({
        personalizations: [{ to: [{ email: "ada@example.com" }], subject: "" }],
        content: [text],
      }),
    ).toEqual({ status: 400, fields: ["subject"] });
    expect(await send({ subject: "Hi", content: [text] })).toEqual({ status: 202, fields: [] });
    expect(emulator.mails()).toHaveLength(1);
  });

  it("rejects an unknown key with 401", async () => {
    const failure = await responseError(
      mailer("SG.other").send({ to: "ada@example.com", from: "shop@example.com", templateId: TEMPLATE }),
    );
    expect(failure.code).toBe(401);
    expect(failure.body).toEqual({
      errors: [
        {
          message: "The provided authorization grant is invalid, expired, or revoked",
          field: null,
          help: null,
        },
      ],
    });
  });
});
