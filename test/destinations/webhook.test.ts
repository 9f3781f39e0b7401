import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { WebhookPost } from "../../src/core/commands.js";
import { DeliveryError } from "../../src/destinations/types.js";
import {
  SIGNATURE_HEADER,
  signWebhookBody,
  verifyWebhookSignature,
  webhookDestination,
} from "../../src/destinations/webhook.js";
import { meta, testDestination } from "./conformance.js";
import { type Receiver, startReceiver } from "./receiver.js";

let receiver: Receiver;
const SECRET = "whsec_test";
const NOW = Date.UTC(2026, 10, 23, 15, 0, 0);

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.reply = () => ({ status: 200, body: "{}" });
});

function post(overrides: Partial<WebhookPost> = {}): WebhookPost {
  return {
    ...meta({ kind: "task", channel: null, key: "recovery:cart-1:3:sales:task" }),
    type: "webhook.post",
    target: "sales",
    event: "sales_call",
    payload: { email: "ada@example.com", cartValue: 1890 },
    ...overrides,
  };
}

function destination(timeoutMs?: number) {
  return webhookDestination({
    targets: {
      sales: { url: `${receiver.url}/hooks/sales`, secret: SECRET, headers: { "x-team": "sales" } },
      zapier: { url: `${receiver.url}/catch/123` },
    },
    now: () => NOW,
    ...(timeoutMs ? { timeoutMs } : {}),
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

testDestination("webhook", {
  destination: () => destination(),
  command: () => post(),
  unreachable: (baseUrl) => webhookDestination({ targets: { sales: { url: `${baseUrl}/hooks` } } }),
  // a webhook answers with no id of its own
  providerIds: () => null,
});

describe("webhookDestination", () => {
  it("explains missing or bad targets", () => {
    expect(() => webhookDestination({} as never)).toThrow(
      "Missing required option `targets` for webhookDestination",
    );
    expect(() => webhookDestination({ targets: { a: { url: "not a url" } } })).toThrow("targets.a.url");
  });

  it("POSTs the event as JSON with an idempotency key and a verifiable signature", async () => {
    await destination().execute(post());
    const [request] = receiver.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/hooks/sales");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["idempotency-key"]).toBe("recovery:cart-1:3:sales:task");
    expect(request?.headers["x-team"]).toBe("sales");
    expect(JSON.parse(request!.raw)).toEqual({
      event: "sales_call",
      payload: { email: "ada@example.com", cartValue: 1890 },
      key: "recovery:cart-1:3:sales:task",
      profileId: "profile-1",
      cartId: "cart-1",
      journey: "recovery",
      stage: 1,
      step: "email",
      segment: "first_time_medium",
      channel: null,
    });
    const signature = request?.headers[SIGNATURE_HEADER] as string;
    expect(signature).toBe(signWebhookBody(SECRET, request!.raw, NOW / 1000));
    expect(verifyWebhookSignature(SECRET, request!.raw, signature, NOW)).toBe(true);
  });

  it("rejects tampered, stale, foreign and missing signatures on the receiving side", async () => {
    await destination().execute(post());
    const { raw, headers } = receiver.requests[0]!;
    const signature = headers[SIGNATURE_HEADER] as string;
    expect(verifyWebhookSignature(SECRET, raw.replace("1890", "18900"), signature, NOW)).toBe(false);
    expect(verifyWebhookSignature("another", raw, signature, NOW)).toBe(false);
    expect(verifyWebhookSignature(SECRET, raw, signature, NOW + 10 * 60_000)).toBe(false);
    expect(verifyWebhookSignature(SECRET, raw, undefined, NOW)).toBe(false);
    expect(verifyWebhookSignature(SECRET, raw, "t=abc,v1=00", NOW)).toBe(false);
  });

  it("sends unsigned to a target without a secret", async () => {
    await destination().execute(post({ target: "zapier" }));
    expect(receiver.requests[0]?.path).toBe("/catch/123");
    expect(receiver.requests[0]?.headers[SIGNATURE_HEADER]).toBeUndefined();
  });

  it("names the missing target as a configuration error", async () => {
    const error = await rejection(destination().execute(post({ target: "hubspot" })));
    expect(error).toMatchObject({ kind: "configuration", setting: "targets.hubspot" });
    expect(error.message).toMatch(/configured: sales, zapier/);
  });

  it("classifies the receiver's answers", async () => {
    const cases: [number, Record<string, string>, string, string][] = [
      [429, { "retry-after": "7" }, "{}", "retryable"],
      [503, {}, "{}", "retryable"],
      [401, {}, "{}", "configuration"],
      [422, {}, '{"message":"bad","errors":{"cartValue":["must be a number"]}}', "permanent"],
    ];
    for (const [status, headers, body, kind] of cases) {
      receiver.reply = () => ({ status, headers, body });
      const error = await rejection(destination().execute(post()));
      expect(error).toMatchObject({ kind, status });
      if (status === 429) expect(error.retryAfterMs).toBe(7000);
      if (status === 401) expect(error.setting).toBe("targets.sales.secret");
      if (status === 422) expect(error.fieldErrors).toEqual({ cartValue: ["must be a number"] });
    }
  });

  it("times out a slow receiver as retryable with an unknown outcome", async () => {
    // the answer, 10 s late, would be a 500: a TIMEOUT can only come from the client giving up first
    receiver.reply = () => ({ status: 500, delayMs: 10_000 });
    const error = await rejection(destination(100).execute(post()));
    expect(error).toMatchObject({ kind: "retryable", code: "TIMEOUT", outcomeUnknown: true });
    expect(error.message).toContain("timed out after 100 ms");
  });
});
