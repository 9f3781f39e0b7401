/**
 * Pacing as the runtime runs it: a shopper's timeline (`cartback profile show`) says which message
 * was held, from when and by what, and which one was not sent and why.
 */
import { describe, expect, it } from "vitest";
import { playbookJourney } from "../../src/core/journey/index.js";
import { createManualClock } from "../../src/runtime/clock.js";
import { createEngine } from "../../src/runtime/engine.js";
import { memoryStore } from "../../src/stores/memory.js";
import { WHATSAPP_TEMPLATES } from "../core/journey/helpers.js";

const zone = "Europe/London";
const at = (iso: string) => Date.parse(iso);

function message(type: string, time: string, extra: Record<string, unknown>) {
  return {
    type,
    messageId: `${type}-${time}`,
    userId: "eve",
    timestamp: time,
    context: { timezone: zone },
    ...extra,
  };
}

describe("pacing in the runtime", () => {
  it("the timeline explains the held and the unsent messages of an evening abandonment", async () => {
    const clock = createManualClock(at("2026-03-10T20:40:00Z"));
    const engine = createEngine({
      store: memoryStore(),
      journeys: [playbookJourney({ whatsappTemplates: WHATSAPP_TEMPLATES })],
      destinations: [],
      clock,
      plan: { shopUrl: "https://shop.example.com/cart" },
    });
    const traits = {
      email: "eve@example.com",
      phone: "+447911123456",
      sms_opt_in: true,
      whatsapp_opt_in: true,
    };
    const add = (time: string, product: string, price: number) =>
      message("track", time, {
        event: "Product Added",
        properties: { cart_id: "cart-eve", product_id: product, name: product, price, quantity: 1 },
      });
    await engine.ingest([message("identify", "2026-03-10T20:40:00Z", { traits })]);
    await engine.ingest([add("2026-03-10T20:40:00Z", "Wool coat", 250)]);
    clock.set(at("2026-03-10T20:45:00Z"));
    await engine.ingest([add("2026-03-10T20:45:00Z", "Scarf", 60)]);
    // the scheduler's passes over the night, a minute at a time
    for (let t = at("2026-03-10T20:45:00Z"); t <= at("2026-03-11T09:30:00Z"); t += 60_000) {
      clock.set(t);
      await engine.tick();
    }
    const report = await engine.showProfile("eve");
    const lines = report?.timeline.map((t) => `${new Date(t.at).toISOString()} ${t.what} ${t.detail}`);
    // (no destination is configured, so each message's outcome reads "dead …"; the timing is the point)
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2026-03-10T21:00:00.000Z \w+ stage 1 email by email/),
        "2026-03-10T21:00:00.000Z skipped stage 1 whatsapp by whatsapp: stale",
        expect.stringMatching(
          /^2026-03-11T08:00:00.000Z \w+ stage 2 email by email \(due 2026-03-11T01:00:00.000Z, held by quiet_hours\)/,
        ),
        expect.stringMatching(
          /^2026-03-11T09:00:00.000Z \w+ stage 2 sms by sms \(due 2026-03-11T01:00:00.000Z, held by after_email, quiet_hours\)/,
        ),
      ]),
    );
    await engine.stop();
  });
});
