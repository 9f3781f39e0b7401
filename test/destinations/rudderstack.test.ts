import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RudderstackTrack } from "../../src/core/commands.js";
import { rudderstackDestination } from "../../src/destinations/rudderstack.js";
import { DeliveryError } from "../../src/destinations/types.js";
import { meta, testDestination } from "./conformance.js";
import { type Receiver, startReceiver } from "./receiver.js";

let dataPlane: Receiver;

beforeAll(async () => {
  dataPlane = await startReceiver();
});
afterAll(() => dataPlane.close());
beforeEach(() => {
  dataPlane.requests.length = 0;
  dataPlane.reply = () => ({ status: 200, body: "OK" });
});

function track(overrides: Partial<RudderstackTrack> = {}): RudderstackTrack {
  return {
    ...meta({
      kind: "analytics",
      channel: "sms",
      stage: 2,
      step: "sms",
      key: "recovery:cart-1:2:sms:sms:sent",
    }),
    type: "rudderstack.track",
    userId: "user-1",
    event: "Cart Recovery Message Sent",
    properties: { cart_value: 129.5, currency: "EUR" },
    ...overrides,
  };
}

function destination(options: Partial<Parameters<typeof rudderstackDestination>[0]> = {}) {
  return rudderstackDestination({
    writeKey: "write-key",
    dataPlaneUrl: dataPlane.url,
    flushIntervalMs: 20,
    ...options,
  });
}

testDestination("rudderstack", {
  destination: () => destination(),
  command: () => track(),
  unreachable: (baseUrl) =>
    rudderstackDestination({ writeKey: "k", dataPlaneUrl: baseUrl, flushIntervalMs: 10 }),
  // the event's messageId, by which RudderStack knows it
  providerIds: () =>
    dataPlane.requests.flatMap((r) =>
      (JSON.parse(r.raw) as { batch: { messageId: string }[] }).batch.map((m) => m.messageId),
    ),
});

describe("rudderstackDestination", () => {
  it("explains missing options", () => {
    expect(() => rudderstackDestination({ dataPlaneUrl: "http://x" })).toThrow(
      "Missing required option `writeKey` for rudderstackDestination",
    );
    expect(() => rudderstackDestination({ writeKey: "k" })).toThrow("`dataPlaneUrl`");
  });

  it("posts the journey event to /v1/batch with Basic auth and the idempotency key as messageId", async () => {
    await destination().execute(track());
    const [request] = dataPlane.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v1/batch");
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from("write-key:").toString("base64")}`);
    expect(request?.headers["content-encoding"]).toBe("gzip");
    const body = JSON.parse(request!.raw) as { batch: Record<string, unknown>[] };
    expect(body.batch).toHaveLength(1);
    expect(body.batch[0]).toMatchObject({
      type: "track",
      event: "Cart Recovery Message Sent",
      userId: "user-1",
      messageId: "recovery:cart-1:2:sms:sms:sent",
      properties: {
        cart_value: 129.5,
        currency: "EUR",
        journey: "recovery",
        cart_id: "cart-1",
        stage: 2,
        step: "sms",
        channel: "sms",
        segment: "first_time_medium",
      },
    });
  });

  it("batches concurrent commands and resolves each once its batch is accepted", async () => {
    const rudder = destination({ flushAt: 4, flushIntervalMs: 1000 });
    const keys = Array.from({ length: 5 }, (_, i) => `k${i}`);
    await Promise.all(keys.map((key) => rudder.execute(track({ key }))));
    // the SDK sends the very first event at once, then fills batches
    const batches = dataPlane.requests.map((r) =>
      (JSON.parse(r.raw) as { batch: { messageId: string }[] }).batch.map((m) => m.messageId),
    );
    expect(batches).toEqual([["k0"], ["k1", "k2", "k3", "k4"]]);
  });

  it("needs a userId or an anonymousId", async () => {
    const error = await destination()
      .execute(track({ userId: undefined }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ kind: "permanent" });
  });

  it("classifies data plane answers: 401 configuration, 5xx retryable", async () => {
    dataPlane.reply = () => ({ status: 401, body: "Invalid write key" });
    await expect(destination().execute(track())).rejects.toMatchObject({
      kind: "configuration",
      setting: "writeKey",
      status: 401,
    });
    dataPlane.reply = () => ({ status: 502, body: "bad gateway" });
    await expect(destination().execute(track())).rejects.toMatchObject({ kind: "retryable", status: 502 });
  });

  it("times out a data plane that does not answer", async () => {
    dataPlane.reply = () => ({ status: 200, delayMs: 600 });
    await expect(destination({ timeoutMs: 100 }).execute(track())).rejects.toMatchObject({
      kind: "retryable",
    });
  });
});
