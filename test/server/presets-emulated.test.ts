/**
 * The presets as a new store runs them: `cartback serve` with no credentials (the local emulators) and
 * no WhatsApp templates configured. Nothing may be handed to Twilio only to fail for want of
 * configuration: the WhatsApp steps are skipped with `no_template`, and the texts still go.
 */
import { afterEach, describe, expect, it } from "vitest";
import { add, identify } from "../core/journey/scenarios.js";
import { basic, startTestServer, WRITE_KEY } from "./start-test-server.js";

type Running = Awaited<ReturnType<typeof startTestServer>>;
let app: Running | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

// every segment of the playbook, each with both text channels opted in
const shoppers = [
  { id: "low", value: 30 },
  { id: "medium", value: 100 },
  { id: "high", value: 300 },
  { id: "returning", value: 120, traits: { orders_count: 2 } },
  { id: "loyal", value: 120, traits: { loyalty_tier: "gold" } },
].map((s, i) => ({
  ...s,
  shopper: {
    id: s.id,
    phone: `+1415555012${i}`,
    sms: true,
    whatsapp: true,
    ...(s.traits ? { traits: s.traits } : {}),
  },
}));

async function runPreset(preset: "playbook" | "classic" | "coordinated") {
  app = await startTestServer({ journeys: [preset] });
  const start = app.clock.now();
  const batch = shoppers.flatMap((s) => [
    identify(s.shopper),
    { ...add(s.shopper, 0, s.value), timestamp: new Date(start).toISOString() },
  ]);
  for (const event of batch) event.timestamp = new Date(start).toISOString();
  const response = await fetch(`${app.url}/v1/batch`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic(WRITE_KEY) },
    body: JSON.stringify({ batch }),
  });
  expect(response.status).toBe(200);
  for (let at = start; at <= start + 30 * DAY; at += 15 * MIN) {
    app.clock.set(at);
    await app.engine.tick();
  }
  const outbox = await app.store.listOutbox({ limit: 10_000 });
  const twilio = app.emulators?.twilio?.requests() ?? [];
  return { outbox, twilio };
}

describe("the presets against the emulators, with no WhatsApp templates configured", () => {
  it.each(["playbook", "classic", "coordinated"] as const)(
    "%s: no message is dead-lettered, and the skipped WhatsApp steps say why",
    async (preset) => {
      const { outbox, twilio } = await runPreset(preset);
      const messages = outbox.filter((e) => e.command.kind === "message");
      expect(messages.filter((e) => e.state === "dead").map((e) => [e.key, e.deadReason])).toEqual([]);
      expect(messages.filter((e) => e.state === "sent").length).toBeGreaterThan(0);
      // nothing reached the emulator that Twilio would refuse
      const sends = twilio.filter((r) => r.path.endsWith("/Messages.json"));
      expect(sends.filter((r) => r.status >= 400)).toEqual([]);
      expect(sends.some((r) => (r.body as Record<string, string>).ContentSid !== undefined)).toBe(false);
      if (preset !== "playbook") return;
      // the texts still go: the urgency stage's SMS takes the place of its WhatsApp
      expect(messages.some((e) => e.command.type === "twilio.sendSms" && e.command.stage === 3)).toBe(true);
      const shown = await app!.engine.showProfile("medium@example.com");
      const skipped = shown!.timeline.filter((t) => t.what === "skipped").map((t) => t.detail);
      expect(skipped).toContain("stage 1 whatsapp by whatsapp: no_template");
      expect(skipped).toContain("stage 3 whatsapp by whatsapp: no_template");
    },
    300_000,
  );
});
