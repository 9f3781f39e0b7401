import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SendgridSendEmail } from "../../src/core/commands.js";
import type { JourneySpec } from "../../src/core/journey/index.js";
import { playbookJourney } from "../../src/core/journey/index.js";
import { emptyProfile } from "../../src/core/reduce.js";
import { mailerliteDestination } from "../../src/destinations/mailerlite.js";
import { sendgridDestination } from "../../src/destinations/sendgrid.js";
import { twilioDestination } from "../../src/destinations/twilio.js";
import type { Destination } from "../../src/destinations/types.js";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { startSendGridEmulator } from "../../src/emulators/sendgrid.js";
import { createSeededRandom, retryDelayMs } from "../../src/runtime/backoff.js";
import { createManualClock, type ManualClock } from "../../src/runtime/clock.js";
import { createEngine, type Engine, type EngineOptions } from "../../src/runtime/engine.js";
import type { Store } from "../../src/runtime/store.js";
import { memoryStore } from "../../src/stores/memory.js";
import { DAY, MIN, messageTimeline, T0 } from "../core/journey/helpers.js";
import { add, identify, order } from "../core/journey/scenarios.js";

const SID = "AC0123456789abcdef0123456789abcdef";
const TOKEN = "0123456789abcdef0123456789abcdef";
const ML_TOKEN = "ml-token";
const SERVICE = "MG0123456789abcdef0123456789abcdef";
const TEMPLATES = {
  nudge: "HX0123456789abcdef0123456789abcdef",
  urgency: "HXfedcba9876543210fedcba9876543210",
};

let clock: ManualClock;
let emulators: RunningEmulators;

beforeAll(async () => {
  clock = createManualClock(T0);
  emulators = await startEmulators({
    mailerlite: { apiKeys: [ML_TOKEN], now: () => clock.now() },
    twilio: { accounts: { [SID]: TOKEN }, now: () => clock.now() },
  });
});
afterAll(() => emulators.stop());
beforeEach(async () => {
  await emulators.twilio?.settled();
  emulators.reset();
  clock.set(T0);
});

function journey(): JourneySpec {
  return playbookJourney({ whatsappTemplates: TEMPLATES });
}

function setup(
  overrides: Partial<EngineOptions> = {},
  options: { timeouts?: { mailerlite?: number; twilio?: number }; destinations?: Destination[] } = {},
): { engine: Engine; store: Store } {
  const store = memoryStore();
  const destinations = options.destinations ?? [
    mailerliteDestination({
      apiKey: ML_TOKEN,
      baseUrl: emulators.urls.mailerlite as string,
      pacing: false,
      ...(options.timeouts?.mailerlite ? { timeoutMs: options.timeouts.mailerlite } : {}),
    }),
    twilioDestination({
      accountSid: SID,
      authToken: TOKEN,
      baseUrl: emulators.urls.twilio as string,
      messagingServiceSid: SERVICE,
      // nobody listens there: the URL only carries each message's idempotency key to the emulator
      statusCallback: "http://127.0.0.1:9/twilio-status",
      ...(options.timeouts?.twilio ? { timeoutMs: options.timeouts.twilio } : {}),
    }),
  ];
  const engine = createEngine({
    store,
    journeys: [journey()],
    destinations,
    clock,
    dispatcher: { random: createSeededRandom(7), baseDelayMs: 60_000, maxAttempts: 3 },
    // these carts have no checkout URL of their own: the texts link to the shop's cart page
    plan: { shopUrl: "https://shop.example.com/cart" },
    ...overrides,
  });
  return { engine, store };
}

/** ingests each message at its own timestamp */
async function ingestAtTheirTimes(engine: Engine, messages: Record<string, unknown>[]) {
  for (const message of messages) {
    clock.set(Date.parse(message.timestamp as string));
    const result = await engine.ingest([message]);
    expect(result.rejected).toEqual([]);
  }
}

/** moves the clock from one due moment to the next (wake-ups and retries) and runs the engine there */
async function runUntil(
  engine: Engine,
  store: Store,
  profileId: string,
  until: number,
  stopAt?: () => number | null,
) {
  for (let guard = 0; guard < 500; guard++) {
    await engine.tick();
    const stored = await store.load(profileId);
    const pending = await store.listOutbox({ profileId, state: "pending" });
    const candidates = [stored?.wakeAt ?? null, ...pending.map((e) => e.dueAt), stopAt?.() ?? null].filter(
      (t): t is number => t !== null && t > clock.now(),
    );
    const due = [...pending.map((e) => e.dueAt), stored?.wakeAt ?? Number.POSITIVE_INFINITY].some(
      (t) => t <= clock.now(),
    );
    if (due) continue;
    if (candidates.length === 0) return;
    const next = Math.min(...candidates);
    if (next > until) return;
    clock.set(next);
  }
  throw new Error("runUntil: the engine kept finding work");
}

async function sentTimeline(store: Store, profileId: string): Promise<string[]> {
  const sent = await store.listOutbox({ profileId, state: "sent", limit: 1000 });
  return messageTimeline(
    sent
      .sort((a, b) => (a.sentAt as number) - (b.sentAt as number))
      .map((e) => ({ at: e.sentAt as number, command: e.command })),
  );
}

const mo = { id: "mo", phone: "+14155550102", sms: true, whatsapp: true };

/** runs the engine at the first nudge: the email at +20m, then its WhatsApp 10 minutes later */
async function untilTheWhatsAppNudge(engine: Engine) {
  clock.set(T0 + 20 * MIN);
  await engine.tick();
  clock.set(T0 + 30 * MIN);
  await engine.tick();
}

describe("the engine delivering through the real SDKs to the emulators", () => {
  it("delivers the playbook's first-time-medium journey exactly as the preset promises", async () => {
    const { engine, store } = setup();
    await ingestAtTheirTimes(engine, [identify(mo), add(mo, 0, 90), add(mo, 5, 10, "USD", "Belt")]);
    await runUntil(engine, store, "p:user:mo", T0 + 40 * DAY);
    expect(await sentTimeline(store, "p:user:mo")).toEqual([
      "+20m email 1/email",
      "+30m whatsapp 1/whatsapp",
      "+4h20m email 2/email 5%",
      "+4h30m sms 2/sms 5%",
      "+1d20m email 3/email 10%",
      "+1d30m whatsapp 3/whatsapp 10%",
      "+7d20m email 4/day-7",
      "+21d20m email 4/day-21",
    ]);
    // one text a stage, each 10 minutes after its email
    const twilio = emulators.twilio?.messages().filter((m) => m.direction === "outbound-api") ?? [];
    expect(twilio.filter((m) => m.to === "+14155550102")).toHaveLength(1);
    expect(twilio.filter((m) => m.to === "whatsapp:+14155550102")).toHaveLength(2);
    expect(twilio.filter((m) => m.to.endsWith("+14155550102"))).toHaveLength(3);
    const groupAdds = emulators.mailerlite?.requests({ method: "POST", path: "/api/subscribers/*" }) ?? [];
    expect(groupAdds.filter((r) => r.path.includes("/groups/") && r.status < 300)).toHaveLength(5);
    expect(emulators.mailerlite?.subscriber("mo@example.com")?.fields).toMatchObject({});
    const metrics = engine.metrics();
    expect(metrics.commands.twilio?.sent).toBe(3);
    expect(metrics.lateness.count).toBeGreaterThan(0);
    expect(metrics.lateness.maxMs).toBe(0);
  });

  it("an order stops the journey: nothing after it, the groups are removed", async () => {
    const { engine, store } = setup();
    await ingestAtTheirTimes(engine, [identify(mo), add(mo, 0, 90), add(mo, 5, 10, "USD", "Belt")]);
    await runUntil(engine, store, "p:user:mo", T0 + 2 * 60 * MIN);
    await ingestAtTheirTimes(engine, [order(mo, 120, 100)]);
    await runUntil(engine, store, "p:user:mo", T0 + 40 * DAY);
    expect(await sentTimeline(store, "p:user:mo")).toEqual([
      "+20m email 1/email",
      "+30m whatsapp 1/whatsapp",
    ]);
    const removals = emulators.mailerlite?.requests({ method: "DELETE", path: "/api/subscribers/*" }) ?? [];
    expect(removals.length).toBeGreaterThan(0);
    expect(emulators.twilio?.messages().filter((m) => m.direction === "outbound-api")).toHaveLength(1);
  });

  it("drops a message still waiting in the outbox when the cart is ordered meanwhile", async () => {
    const { engine, store } = setup();
    await ingestAtTheirTimes(engine, [identify(mo), add(mo, 0, 90), add(mo, 5, 10, "USD", "Belt")]);
    // Twilio is down at the first nudge: the WhatsApp message waits for a retry
    emulators.twilio?.setFaults({ errorRate: 1, errorStatus: 503 });
    await untilTheWhatsAppNudge(engine);
    const waiting = await store.listOutbox({ profileId: "p:user:mo", state: "pending" });
    const whatsapp = waiting.find((e) => e.command.type === "twilio.sendWhatsApp");
    expect(whatsapp?.attempts).toBe(1);
    emulators.twilio?.setFaults({});
    await ingestAtTheirTimes(engine, [order(mo, 35, 100)]);
    clock.set(whatsapp?.dueAt as number);
    await engine.tick();
    const entry = await store.getOutbox(whatsapp?.key as string);
    expect(entry?.state).toBe("dropped");
    expect(entry?.deadReason).toContain("ordered");
    expect(emulators.twilio?.messages().filter((m) => m.direction === "outbound-api")).toHaveLength(0);
    expect(engine.metrics().commands.twilio?.dropped).toBe(1);
  });

  it("retries with exponential backoff and jitter, then dead-letters; a dead letter can be retried", async () => {
    const { engine, store } = setup();
    await ingestAtTheirTimes(engine, [identify(mo), add(mo, 0, 90), add(mo, 5, 10, "USD", "Belt")]);
    emulators.twilio?.setFaults({ errorRate: 1, errorStatus: 500 });
    clock.set(T0 + 20 * MIN);
    await engine.tick();
    clock.set(T0 + 30 * MIN);
    const random = createSeededRandom(7);
    const delays: number[] = [];
    let key = "";
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = clock.now();
      await engine.tick();
      const entries = await store.listOutbox({ profileId: "p:user:mo" });
      const entry = entries.find((e) => e.command.type === "twilio.sendWhatsApp");
      key = entry?.key as string;
      expect(entry?.attempts).toBe(attempt);
      if (attempt < 3) {
        expect(entry?.state).toBe("pending");
        delays.push((entry?.dueAt as number) - before);
        clock.set(entry?.dueAt as number);
      } else {
        expect(entry?.state).toBe("dead");
        expect(entry?.deadReason).toContain("gave up after 3 attempts");
      }
    }
    // the same seeded draws: 60 s then 120 s ceilings, each with equal jitter
    expect(delays).toEqual([
      retryDelayMs(1, { baseDelayMs: 60_000 }, random),
      retryDelayMs(2, { baseDelayMs: 60_000 }, random),
    ]);
    expect(delays[0]).toBeGreaterThanOrEqual(30_000);
    expect(delays[1]).toBeGreaterThanOrEqual(60_000);
    expect(engine.metrics().commands.twilio).toMatchObject({ failed: 2, dead: 1, sent: 0 });

    emulators.twilio?.setFaults({});
    expect(await store.retryDeadLetter(key, clock.now())).toBe(true);
    await engine.tick();
    expect((await store.getOutbox(key))?.state).toBe("sent");
  });

  it("waits at least as long as Twilio's Retry-After on a 429", async () => {
    const { engine, store } = setup({
      dispatcher: { random: createSeededRandom(1), baseDelayMs: 100, maxAttempts: 3 },
    });
    await ingestAtTheirTimes(engine, [identify(mo), add(mo, 0, 90), add(mo, 5, 10, "USD", "Belt")]);
    emulators.twilio?.setFaults({ errorRate: 1, errorStatus: 429 });
    await untilTheWhatsAppNudge(engine);
    const entry = (await store.listOutbox({ profileId: "p:user:mo" })).find(
      (e) => e.command.type === "twilio.sendWhatsApp",
    );
    expect(entry?.state).toBe("pending");
    // the emulator answers `Retry-After: 1`; the backoff alone would have been 50–100 ms
    expect((entry?.dueAt as number) - clock.now()).toBe(1_000);
  });

  it("an opted-out number (21610) becomes denied SMS consent, and no more texts are planned", async () => {
    const { engine, store } = setup();
    const stopped = { id: "sam", phone: "+15005550004", sms: true };
    await ingestAtTheirTimes(engine, [
      identify(stopped),
      add(stopped, 0, 90),
      add(stopped, 5, 10, "USD", "Belt"),
    ]);
    await runUntil(engine, store, "p:user:sam", T0 + 40 * DAY);
    const profile = (await store.load("p:user:sam"))?.profile;
    expect(profile?.consent.sms.status).toBe("denied");
    const dead = await store.listOutbox({ profileId: "p:user:sam", state: "dead" });
    // stage 2's text learns of the opt-out; stage 3 plans no text at all
    expect(dead.map((e) => `${e.command.type} ${e.command.stage}`)).toEqual(["twilio.sendSms 2"]);
    expect(dead[0]?.deadReason).toContain("21610");
    expect(emulators.twilio?.requests({ method: "POST" })).toHaveLength(1);
    const timeline = await sentTimeline(store, "p:user:sam");
    expect(timeline.some((line) => line.includes("sms"))).toBe(false);
    expect(timeline.filter((line) => line.includes("email"))).toHaveLength(5);
  });

  describe("a message whose earlier attempt has no known outcome (the worker died mid-send)", () => {
    async function strandedWhatsApp(sendBeforeDying: boolean) {
      const { engine, store } = setup();
      await ingestAtTheirTimes(engine, [identify(mo), add(mo, 0, 90), add(mo, 5, 10, "USD", "Belt")]);
      emulators.twilio?.setFaults({ errorRate: 1, errorStatus: 503 });
      await untilTheWhatsAppNudge(engine);
      emulators.twilio?.setFaults({});
      const pending = await store.listOutbox({ profileId: "p:user:mo", state: "pending" });
      const entry = pending.find((e) => e.command.type === "twilio.sendWhatsApp");
      clock.set(entry?.dueAt as number);
      // another worker claims it, maybe sends, and dies before recording the outcome
      const claimed = await store.claimOutbox(clock.now(), 10, { worker: "dead-worker", leaseMs: 5_000 });
      const mine = claimed.find((e) => e.key === entry?.key);
      expect(mine).toBeDefined();
      let sid: string | undefined;
      if (sendBeforeDying) {
        const twilio = twilioDestination({
          accountSid: SID,
          authToken: TOKEN,
          baseUrl: emulators.urls.twilio as string,
          messagingServiceSid: SERVICE,
        });
        sid = (await twilio.execute(mine!.command)).providerId;
      }
      clock.advance(6_000);
      await engine.tick();
      return { entry: await store.getOutbox(entry?.key as string), sid };
    }

    const outbound = () =>
      emulators.twilio
        ?.messages()
        .filter((m) => m.direction === "outbound-api" && m.to === "whatsapp:+14155550102") ?? [];

    it("is not sent again when Twilio already has it", async () => {
      const { entry, sid } = await strandedWhatsApp(true);
      expect(entry?.state).toBe("sent");
      expect(entry?.providerId).toBe(sid);
      expect(outbound()).toHaveLength(1);
    });

    it("is sent once when Twilio never got it", async () => {
      const { entry } = await strandedWhatsApp(false);
      expect(entry?.state).toBe("sent");
      expect(outbound()).toHaveLength(1);
      expect(outbound()[0]?.sid).toBe(entry?.providerId);
    });
  });
});

/** messages Twilio created, per idempotency key (the `key` its status callback URL carries) */
function twilioMessagesPerKey(): Map<string, number> {
  const perKey = new Map<string, number>();
  for (const request of emulators.twilio?.requests({ method: "POST" }) ?? []) {
    if (request.status !== 201) continue;
    const callback = (request.body as Record<string, string>).StatusCallback as string;
    const key = new URL(callback).searchParams.get("key") as string;
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
  }
  return perKey;
}

/** waits (real time) until `condition` holds: the emulator finishing requests its client gave up on */
async function until(condition: () => boolean, what: string) {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error(`gave up waiting for ${what}`);
}

/** ticks from one due moment to the next until nothing is pending */
async function drain(engine: Engine, store: Store) {
  for (let guard = 0; guard < 50; guard++) {
    await engine.tick();
    const pending = await store.listOutbox({ state: "pending", limit: 1000 });
    if (pending.length === 0) return;
    clock.set(Math.max(clock.now(), Math.min(...pending.map((e) => e.dueAt))));
  }
  throw new Error("drain: the outbox never emptied");
}

describe("a send that got no answer: the provider held the request past the client's timeout", () => {
  const shoppers = Array.from({ length: 6 }, (_, i) => ({
    id: `held${i}`,
    phone: `+1415555030${i}`,
    sms: true,
    whatsapp: true,
  }));

  async function heldNudges(timeouts: { mailerlite?: number; twilio?: number }) {
    // the WhatsApp nudge goes with its email rather than 10 minutes after it: one tick sends both
    const { engine, store } = setup(
      { journeys: [{ ...journey(), pacing: { textDelay: "0m" } }] },
      { timeouts },
    );
    for (const shopper of shoppers) {
      clock.set(T0);
      await ingestAtTheirTimes(engine, [
        identify(shopper),
        add(shopper, 0, 90),
        add(shopper, 5, 10, "USD", "Belt"),
      ]);
    }
    clock.set(T0 + 20 * MIN);
    return { engine, store };
  }

  it("is looked up before any resend: Twilio gets each idempotency key once", async () => {
    const { engine, store } = await heldNudges({ twilio: 500 });
    // every WhatsApp nudge reaches Twilio, which answers only after the client stopped waiting
    emulators.twilio?.setFaults({ latencyMs: 1_500 });
    await engine.tick();
    const pending = await store.listOutbox({ state: "pending", limit: 100 });
    const stranded = pending.filter((e) => e.command.type === "twilio.sendWhatsApp");
    expect(stranded).toHaveLength(shoppers.length);
    expect(
      stranded.every((e) => e.sendingSince !== null && /timed out|timeout/i.test(e.lastError ?? "")),
    ).toBe(true);
    await until(
      () => (emulators.twilio?.requests({ method: "POST" }) ?? []).length >= shoppers.length,
      "Twilio",
    );
    emulators.twilio?.setFaults({});
    await drain(engine, store);

    const perKey = twilioMessagesPerKey();
    expect(perKey.size).toBe(shoppers.length);
    expect([...perKey.values()]).toEqual(shoppers.map(() => 1));
    const sent = await store.listOutbox({ state: "sent", limit: 1000 });
    const whatsapp = sent.filter((e) => e.command.type === "twilio.sendWhatsApp");
    expect(whatsapp).toHaveLength(shoppers.length);
    // recorded with the message the held request created
    const sids = new Set(emulators.twilio?.messages().map((m) => m.sid));
    expect(whatsapp.every((e) => sids.has(e.providerId as string))).toBe(true);
    // the resend waited for the lookup delay, so the held requests had landed
    expect(Math.min(...whatsapp.map((e) => e.sentAt as number))).toBeGreaterThanOrEqual(
      T0 + 20 * MIN + 30_000,
    );
  });

  it("is sent once when the lookup finds that the request never landed", async () => {
    const { engine, store } = await heldNudges({ twilio: 500 });
    // Twilio answers an error, but only after the client stopped waiting: nothing was created
    emulators.twilio?.setFaults({ latencyMs: 1_500, errorRate: 1, errorStatus: 503 });
    await engine.tick();
    await until(
      () => (emulators.twilio?.requests({ method: "POST" }) ?? []).length >= shoppers.length,
      "Twilio",
    );
    emulators.twilio?.setFaults({});
    await drain(engine, store);
    expect([...twilioMessagesPerKey().values()]).toEqual(shoppers.map(() => 1));
    expect(await store.listOutbox({ state: "dead" })).toEqual([]);
  });

  it("MailerLite group adds are idempotent: repeated after a timeout, each shopper joins the group once", async () => {
    const { engine, store } = await heldNudges({ mailerlite: 500 });
    // only the group adds (the emails) are held past the client's timeout
    emulators.mailerlite?.setFaults({
      latencyMs: 1_500,
      match: { method: "POST", path: "/api/subscribers/*" },
    });
    const groupAdds = () =>
      (emulators.mailerlite?.requests({ method: "POST", path: "/api/subscribers/*" }) ?? []).filter((r) =>
        r.path.includes("/groups/"),
      );
    // the field upserts go through; the group adds wait for them, then time out
    for (let i = 0; i < 3 && groupAdds().length === 0; i++) {
      await engine.tick();
      clock.advance(2_000);
    }
    await until(() => groupAdds().length >= shoppers.length, "MailerLite");
    emulators.mailerlite?.setFaults({});
    await drain(engine, store);
    // the timed-out calls were carried out, then made again: the same state, one join (one email) each
    const joins = emulators.mailerlite?.groupJoins() ?? [];
    const perShopper = new Map<string, number>();
    for (const join of joins)
      perShopper.set(
        `${join.email} ${join.groupName}`,
        (perShopper.get(`${join.email} ${join.groupName}`) ?? 0) + 1,
      );
    expect(perShopper.size).toBe(shoppers.length);
    expect([...perShopper.values()].every((n) => n === 1)).toBe(true);
    // every add was made at least twice: held past the timeout (and carried out), then again after it
    expect(groupAdds().length).toBeGreaterThanOrEqual(2 * shoppers.length);
    expect(await store.listOutbox({ state: "dead" })).toEqual([]);
  });

  it("a destination that can neither be asked nor repeat safely dead-letters it instead of sending twice", async () => {
    const receiver = await startSendGridEmulator({ apiKeys: ["SG.key"] });
    try {
      const sendgrid = sendgridDestination({
        apiKey: "SG.key",
        from: "shop@example.com",
        baseUrl: receiver.url,
        timeoutMs: 500,
      });
      const { engine, store } = setup({}, { destinations: [sendgrid] });
      await store.transact("p:held", (tx) =>
        tx.save({
          profile: { ...emptyProfile("p:held", T0) },
          wakeAt: null,
          commands: [sendgridCommand("p:held")],
          now: T0,
        }),
      );
      receiver.setFaults({ latencyMs: 1_500 });
      await engine.tick();
      await until(() => receiver.mails().length === 1, "SendGrid");
      receiver.setFaults({});
      clock.advance(DAY);
      await engine.tick();
      expect(receiver.mails()).toHaveLength(1);
      const [dead] = await store.listOutbox({ state: "dead" });
      expect(dead?.deadReason).toMatch(/^outcome unknown: .*may have been delivered.*cartback dlq retry/);

      // a worker that died mid-send leaves the same doubt: dead-lettered, not sent again
      await store.transact("p:held2", (tx) =>
        tx.save({
          profile: emptyProfile("p:held2", T0),
          wakeAt: null,
          commands: [sendgridCommand("p:held2")],
          now: clock.now(),
        }),
      );
      expect(await store.claimOutbox(clock.now(), 10, { worker: "died", leaseMs: 5_000 })).toHaveLength(1);
      clock.advance(6_000);
      await engine.tick();
      expect(receiver.mails()).toHaveLength(1);
      expect((await store.getOutbox("p:held2:receipt"))?.deadReason).toMatch(
        /^outcome unknown: no answer \(an attempt started .* ended without one\)/,
      );
    } finally {
      await receiver.stop();
    }
  });
});

function sendgridCommand(profileId: string): SendgridSendEmail {
  return {
    key: `${profileId}:receipt`,
    kind: "message",
    channel: "email",
    profileId,
    cartId: null,
    journey: "manual",
    stage: null,
    step: null,
    segment: null,
    variant: null,
    discountPercent: null,
    type: "sendgrid.sendEmail",
    to: "ada@example.com",
    templateId: "d-0123456789abcdef0123456789abcdef",
    dynamicTemplateData: { first_name: "Ada" },
  };
}
