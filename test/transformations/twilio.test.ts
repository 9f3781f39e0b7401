import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Command, CommandMeta } from "../../src/core/commands.js";
import type { Profile } from "../../src/core/profile.js";
import { emptyProfile } from "../../src/core/reduce.js";
import { twilioDestination } from "../../src/destinations/twilio.js";
import { startTwilioEmulator, type TwilioEmulator } from "../../src/emulators/twilio.js";
import { TWILIO_DEFAULTS } from "../../transformations/src/catalog.js";
import { MESSAGE_DUE, toDueMessages } from "../../transformations/src/lib/due-events.js";
import type { TwilioSettings } from "../../transformations/src/lib/twilio-requests.js";
import { deliverForm } from "./deliver.js";
import { errorsOf, outputsOf, runMessages, sandboxFor } from "./helpers.js";

const SID = "AC00000000000000000000000000000001";
const TOKEN = "twilio-token";
const CALLBACK = "http://127.0.0.1:9/twilio/status";
let emulator: TwilioEmulator;

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: { [SID]: TOKEN } });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

const ALWAYS_OPEN: TwilioSettings["quietHours"] = { sms: null, whatsapp: null };

function settings(overrides: Partial<TwilioSettings> = {}): TwilioSettings {
  return {
    ...TWILIO_DEFAULTS,
    from: "+15005550006",
    statusCallback: CALLBACK,
    quietHours: ALWAYS_OPEN,
    ...overrides,
  };
}

function meta(key: string, channel: "sms" | "whatsapp"): CommandMeta {
  return {
    key,
    kind: "message",
    channel,
    profileId: "p1",
    cartId: "c1",
    journey: "playbook",
    stage: 2,
    step: channel,
    segment: null,
    variant: null,
    discountPercent: null,
  };
}

const SMS: Command = {
  ...meta("playbook:c1:2:sms:sms", "sms"),
  type: "twilio.sendSms",
  to: "+14155550100",
  body: "Ada, your Tee x2 is waiting: https://shop.example.com/r/abc Reply STOP to opt out",
  encoding: "GSM-7",
  segments: 1,
};
const WHATSAPP: Command = {
  ...meta("playbook:c1:1:whatsapp:whatsapp", "whatsapp"),
  type: "twilio.sendWhatsApp",
  to: "+14155550100",
  contentSid: "HX0123456789abcdef0123456789abcdef",
  contentVariables: { "1": "Ada", "2": "Tee x2" },
};

function profile(consent: "granted" | "denied" | "unknown" = "granted", timezone = "UTC"): Profile {
  const p = emptyProfile("p1", 0);
  p.phone = "+14155550100";
  p.userId = "u1";
  p.timezone = timezone;
  p.consent.sms = { status: consent };
  p.consent.whatsapp = { status: consent };
  return p;
}

const apiUrl = () => `${emulator.url}/2010-04-01/Accounts/${SID}/Messages.json`;

async function transform(messages: Record<string, unknown>[], s: TwilioSettings = settings()) {
  const sandbox = await sandboxFor("twilio", s);
  try {
    const outputs = await runMessages(sandbox, messages, "HTTP");
    return { outputs, logs: sandbox.logs };
  } finally {
    sandbox.dispose();
  }
}

/** "HH:MM" in UTC, `minutes` from now */
function utcClock(minutes: number): string {
  const d = new Date(Date.now() + minutes * 60_000);
  return `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
}

describe("twilio transformation → HTTP destination (FORM, basic auth) → Twilio emulator", () => {
  it("posts the same Messages API form as the Node destination, for SMS and WhatsApp", async () => {
    const adapter = twilioDestination({
      accountSid: SID,
      authToken: TOKEN,
      baseUrl: emulator.url,
      from: "+15005550006",
      whatsappFrom: "+15005550006",
      statusCallback: CALLBACK,
    });
    await adapter.execute(SMS);
    await adapter.execute(WHATSAPP);
    const byAdapter = emulator.requests({ method: "POST" }).map((r) => r.body);
    emulator.reset();

    const { outputs } = await transform(
      toDueMessages([SMS, WHATSAPP], profile(), Date.now()),
      settings({ whatsappFrom: "+15005550006" }),
    );
    expect(errorsOf(outputs)).toEqual([]);
    for (const event of outputsOf(outputs)) {
      const reply = await deliverForm(apiUrl(), { username: SID, password: TOKEN }, event);
      expect(reply.status).toBe(201);
    }
    const byTransformation = emulator.requests({ method: "POST" }).map((r) => r.body);
    expect(byTransformation).toEqual(byAdapter);
    expect(byTransformation[0]).toMatchObject({
      To: "+14155550100",
      From: "+15005550006",
      Body: SMS.type === "twilio.sendSms" ? SMS.body : "",
      StatusCallback: `${CALLBACK}?key=playbook%3Ac1%3A2%3Asms%3Asms`,
    });
    expect(emulator.messages().map((m) => m.to)).toEqual(["+14155550100", "whatsapp:+14155550100"]);
  });

  it("sends from the Messaging Service when one is set", async () => {
    const { outputs } = await transform(
      toDueMessages([SMS], profile(), Date.now()),
      settings({ messagingServiceSid: "MG00000000000000000000000000000001" }),
    );
    const [event] = outputsOf(outputs);
    expect(event).toMatchObject({ MessagingServiceSid: "MG00000000000000000000000000000001" });
    expect(event?.From).toBeUndefined();
  });

  it("drops a message without consent for its channel and logs why", async () => {
    const { outputs, logs } = await transform(toDueMessages([SMS, WHATSAPP], profile("unknown"), Date.now()));
    expect(outputs).toEqual([]);
    expect(logs).toEqual([
      expect.stringMatching(/^dropped track "Cart Recovery Message Due" .*: no sms consent \(unknown\)$/),
      expect.stringMatching(/no whatsapp consent \(unknown\)$/),
    ]);
  });

  it("drops a message that would arrive inside the recipient's quiet hours, and sends it when the window is open", async () => {
    const closed = { sms: { start: utcClock(60), end: utcClock(120) }, whatsapp: null };
    const held = await transform(
      toDueMessages([SMS], profile("granted", "UTC"), Date.now()),
      settings({ quietHours: closed }),
    );
    expect(held.outputs).toEqual([]);
    expect(held.logs[0]).toMatch(/quiet hours in UTC \(sms sends \d\d:\d\d–\d\d:\d\d\)/);
    const open = { sms: { start: utcClock(-60), end: utcClock(60) }, whatsapp: null };
    const sent = await transform(
      toDueMessages([SMS], profile("granted", "UTC"), Date.now()),
      settings({ quietHours: open }),
    );
    expect(outputsOf(sent.outputs)).toHaveLength(1);
  });

  it("renders the body with the core's SMS renderer when the event carries a template", async () => {
    const message = {
      type: "track",
      event: MESSAGE_DUE,
      messageId: "t1",
      properties: {
        channel: "sms",
        to: "+14155550100",
        consent: { sms: "granted" },
        template: "{{firstName}}, {{items}} still in your cart: {{link}}",
        values: { firstName: "Ada", link: "https://s.example/r/1" },
        items: ["Linen shirt", "Canvas tote", "Leather belt"],
        max_segments: 1,
      },
    };
    const [event] = outputsOf((await transform([message])).outputs);
    expect(event?.Body).toBe(
      "Ada, Linen shirt, Canvas tote, Leather belt still in your cart: https://s.example/r/1",
    );
  });

  it("fails a malformed message alone, saying which property is wrong", async () => {
    const [good] = toDueMessages([SMS], profile(), Date.now());
    const bad = { ...good, messageId: "bad", properties: { ...good?.properties, to: "0415 555 0100" } };
    const { outputs } = await transform([good as Record<string, unknown>, bad]);
    expect(outputsOf(outputs)).toHaveLength(1);
    expect(errorsOf(outputs)).toEqual([
      {
        messageId: "bad",
        error: expect.stringContaining(
          'properties.to must be an E.164 number like +14155550100, got "0415 555 0100"',
        ),
      },
    ]);
  });

  it("handles a batch of 200: sends, consent drops, other events and bad messages each get their own outcome", async () => {
    const messages: Record<string, unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const kind = i % 4;
      if (kind === 3) {
        messages.push({ type: "track", event: "Product Added", messageId: `m${i}`, properties: {} });
        continue;
      }
      const [due] = toDueMessages([SMS], profile(kind === 1 ? "denied" : "granted"), Date.now());
      const props = kind === 2 ? { ...due?.properties, channel: "fax" } : due?.properties;
      messages.push({ ...due, messageId: `m${i}`, properties: props });
    }
    const { outputs, logs } = await transform(messages);
    expect(outputsOf(outputs)).toHaveLength(50);
    expect(errorsOf(outputs)).toHaveLength(50);
    expect(errorsOf(outputs)[0]?.error).toContain(
      'properties.channel must be "sms" or "whatsapp", got "fax"',
    );
    expect(logs.filter((l) => l.includes("no sms consent (denied)"))).toHaveLength(50);
    expect(new Set(outputs.map((o) => o.metadata.destinationType))).toEqual(new Set(["HTTP"]));
  });
});
