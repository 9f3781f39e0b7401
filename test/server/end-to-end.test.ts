/**
 * The whole path a shop runs: the real RudderStack Node SDK posts to `cartback serve` on SQLite, time
 * moves on a manual clock, and the real MailerLite and Twilio SDKs deliver to the local emulators
 * exactly what the playbook promises a first-time, medium-value shopper, until the order stops it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Analytics from "@rudderstack/rudder-sdk-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { playbookJourney } from "../../src/core/journey/presets/index.js";
import type { RunningEmulators } from "../../src/emulators/index.js";
import { startTestServer, WRITE_KEY } from "./start-test-server.js";

const T0 = Date.parse("2026-03-02T10:00:00Z");
const MIN = 60_000;
const PHONE = "+14155550102";

type Running = Awaited<ReturnType<typeof startTestServer>>;
let app: Running;
let emulators: RunningEmulators;

/** what the emulators hold, as a user would read it in MailerLite and Twilio */
function delivered() {
  const subscriber = emulators.mailerlite?.subscriber("mo@example.com");
  return {
    groups: (subscriber?.groups ?? []).map((g) => g.name).sort(),
    twilio: (emulators.twilio?.messages() ?? [])
      .filter((m) => m.direction === "outbound-api")
      .map((m) => m.to),
  };
}

/** moves the clock to `minutes` after T0 and runs the scheduler and dispatcher until idle */
async function at(minutes: number) {
  app.clock.set(T0 + minutes * MIN);
  for (let i = 0; i < 20; i++) {
    const { woke, dispatched } = await app.engine.tick();
    if (woke === 0 && dispatched === 0) return;
  }
  throw new Error("the engine did not settle");
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "cartback-e2e-"));
  // a shop's own approved WhatsApp templates, as a config file would pass them
  const journey = playbookJourney({
    whatsappTemplates: { nudge: `HX${"a".repeat(32)}`, urgency: `HX${"b".repeat(32)}` },
  });
  app = await startTestServer({
    store: { kind: "sqlite", path: join(dir, "cartback.db") },
    journeys: [journey as unknown as Record<string, unknown>],
  });
  emulators = app.emulators as RunningEmulators;
});
afterAll(async () => {
  await app.stop();
});

describe("RudderStack SDK → cartback serve (SQLite) → MailerLite and Twilio SDKs → emulators", () => {
  it("delivers the playbook's first-time medium journey and stops at the order", async () => {
    const analytics = new Analytics(WRITE_KEY, {
      dataPlaneUrl: app.url,
      flushAt: 100,
      flushInterval: 60_000,
    });
    const send = async (minutes: number, fn: (timestamp: Date) => void) => {
      app.clock.set(T0 + minutes * MIN);
      fn(new Date(T0 + minutes * MIN));
      await analytics.flush();
    };
    const cart = (price: number, product: string) => ({
      cart_id: "cart-mo",
      product_id: product,
      price,
      quantity: 1,
      currency: "USD",
    });

    await send(0, (timestamp) => {
      analytics.identify({
        userId: "mo",
        timestamp,
        context: { timezone: "UTC" },
        traits: {
          email: "mo@example.com",
          first_name: "Mo",
          phone: PHONE,
          sms_opt_in: true,
          whatsapp_opt_in: true,
        },
      });
      analytics.track({
        userId: "mo",
        event: "Product Added",
        timestamp,
        context: { timezone: "UTC" },
        properties: cart(90, "shirt"),
      });
    });
    await send(5, (timestamp) =>
      analytics.track({
        userId: "mo",
        event: "Product Added",
        timestamp,
        context: { timezone: "UTC" },
        properties: cart(10, "belt"),
      }),
    );
    expect((await app.engine.showProfile("mo"))?.profile.carts[0]?.value).toBe(100);

    // stage 1 at +20 min: the email (a MailerLite group its automation sends from), then WhatsApp
    // 10 minutes after it
    await at(19);
    expect(delivered()).toEqual({ groups: [], twilio: [] });
    await at(20);
    expect(delivered()).toEqual({ groups: ["cartback-stage-1"], twilio: [] });
    await at(30);
    expect(delivered()).toEqual({ groups: ["cartback-stage-1"], twilio: [`whatsapp:${PHONE}`] });

    // stage 2 at +4 h 20 min: email with 5 %, and its SMS 10 minutes later
    await at(4 * 60 + 19);
    expect(delivered().twilio).toHaveLength(1);
    await at(4 * 60 + 20);
    const stage2 = delivered();
    expect(stage2.groups).toContain("cartback-stage-2");
    expect(stage2.twilio).toEqual([`whatsapp:${PHONE}`]);
    await at(4 * 60 + 30);
    expect(delivered().twilio).toEqual([`whatsapp:${PHONE}`, PHONE]);
    const sms = emulators.twilio?.messages().at(-1);
    expect(sms?.body).toMatch(/5\s?%/);

    // the order at +5 h ends the journey: no stage 3 or 4, whatever the clock does
    await send(5 * 60, (timestamp) =>
      analytics.track({
        userId: "mo",
        event: "Order Completed",
        timestamp,
        properties: { cart_id: "cart-mo", order_id: "o-1", total: 100, currency: "USD" },
      }),
    );
    for (const minutes of [5 * 60 + 1, 24 * 60 + 20, 7 * 24 * 60 + 20, 21 * 24 * 60 + 20, 30 * 24 * 60])
      await at(minutes);
    const after = delivered();
    expect(after.twilio).toEqual([`whatsapp:${PHONE}`, PHONE]);
    // the recovered cart leaves the stage groups, so no automation sends another email
    expect(after.groups).toEqual([]);

    // nothing failed on the way
    const outbox = await app.store.listOutbox();
    expect(outbox.filter((e) => e.state === "dead")).toEqual([]);

    // and /metrics says the same
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('cartback_commands_sent_total{destination="twilio"} 2');
    expect(metrics).toContain('cartback_commands_dead_lettered_total{destination="twilio"} 0');
    expect(metrics).toMatch(/cartback_wake_lateness_seconds_count [1-9]/);

    // every idempotency key reached a provider once
    const keys = emulators.twilio?.requests({ method: "POST" }).map((r) => JSON.stringify(r.body)) ?? [];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
