/**
 * Emulator mode wires Twilio's status callbacks back to the server: the emulator posts signed
 * callbacks to /webhooks/twilio, the server verifies them with the emulated account's token, and the
 * delivery shows up in the shopper's engagement.
 */

import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, startTestServer, WRITE_KEY } from "./start-test-server.js";

type Running = Awaited<ReturnType<typeof startTestServer>>;
let app: Running;

const freePort = () =>
  new Promise<number>((resolvePort) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });

beforeAll(async () => {
  const port = await freePort();
  app = await startTestServer({
    server: { port, host: "127.0.0.1" },
    journeys: ["classic"],
  });
});
afterAll(async () => {
  await app.stop();
});

describe("emulator mode on a fixed port", () => {
  it("records Twilio's signed delivery callbacks as engagement", async () => {
    const T0 = app.clock.now();
    const response = await fetch(`${app.url}/v1/batch`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: basic(WRITE_KEY) },
      body: JSON.stringify({
        batch: [
          {
            type: "identify",
            messageId: "cb-1",
            userId: "cb",
            timestamp: new Date(T0).toISOString(),
            traits: { email: "cb@example.com", phone: "+14155550177", sms_opt_in: true },
          },
          {
            type: "track",
            event: "Product Added",
            messageId: "cb-2",
            userId: "cb",
            timestamp: new Date(T0).toISOString(),
            properties: { cart_id: "cart-cb", product_id: "p", price: 30, quantity: 1, currency: "USD" },
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    // the classic journey's first stage is due a day after abandonment (at +1d1h30m): the email,
    // and its SMS 10 minutes after it
    for (const at of [T0 + 26 * 3_600_000, T0 + 26 * 3_600_000 + 10 * 60_000]) {
      app.clock.set(at);
      for (let i = 0; i < 10; i++) {
        const { woke, dispatched } = await app.engine.tick();
        if (woke === 0 && dispatched === 0) break;
      }
    }
    expect(app.emulators?.twilio?.messages().filter((m) => m.to === "+14155550177").length).toBeGreaterThan(
      0,
    );
    await app.emulators?.twilio?.settled();
    const callbacks = app.emulators?.twilio?.callbacks() ?? [];
    expect(callbacks.length).toBeGreaterThan(0);
    expect(callbacks.every((c) => c.url.startsWith(`${app.url}/webhooks/twilio?key=`))).toBe(true);
    expect(callbacks.every((c) => c.status === 200)).toBe(true);
    const engagement = (await app.engine.showProfile("cb"))?.profile.engagement ?? [];
    expect(engagement).toContainEqual(expect.objectContaining({ channel: "sms", engagement: "delivered" }));
  });
});
