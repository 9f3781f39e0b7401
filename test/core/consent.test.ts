import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMailerliteWebhook } from "../../src/core/engagement/mailerlite.js";
import { parseTwilioWebhook } from "../../src/core/engagement/twilio.js";
import type { CartEvent, ConsentChangedEvent, EventSource } from "../../src/core/events.js";
import { mergeProfiles } from "../../src/core/identity.js";
import type { Profile } from "../../src/core/profile.js";
import { emptyProfile, reduceProfile } from "../../src/core/reduce.js";
import { at, identify, toEvents } from "../helpers/messages.js";

const PHONE = "+14155550100";
const T = (minutes: number) => Date.parse(at(minutes));

/** a Twilio inbound reply, as the webhook handler parses it when received `minutes` in */
function reply(sid: string, body: string, minutes: number): CartEvent[] {
  const parsed = parseTwilioWebhook(
    { MessageSid: sid, From: PHONE, To: "+15005550006", Body: body },
    { at: T(minutes) },
  );
  if (!parsed.success) throw new Error(JSON.stringify(parsed.error));
  return parsed.data;
}

function reduceAll(events: readonly CartEvent[], start: Profile = emptyProfile("p:test", T(0))): Profile {
  return events.reduce(reduceProfile, start);
}

describe("consent from the provider", () => {
  it("ignores a replayed START: STOP, START, STOP, then the same START again leaves SMS denied", () => {
    const profile = reduceAll([
      ...reply("SM01", "STOP", 1),
      ...reply("SM02", "START", 2),
      ...reply("SM03", "STOP", 3),
      // the second START is a copy of the first (same MessageSid), posted again later
      ...reply("SM02", "START", 60),
    ]);
    expect(profile.consent.sms.status).toBe("denied");
  });

  it("still takes a genuinely new START after a STOP", () => {
    const profile = reduceAll([...reply("SM01", "STOP", 1), ...reply("SM04", "START", 5)]);
    expect(profile.consent.sms.status).toBe("granted");
  });

  it("lets a STOP win over the store's marketing traits, however they are dated, until a later START", () => {
    const stop = reply("SM01", "STOP", 10);
    // the store keeps sending sms_opt_in: true with every identify, even newer than the STOP
    const traits = toEvents(identify(20, { phone: PHONE, sms_opt_in: true }));
    const afterStop = reduceAll([...traits, ...stop]);
    expect(afterStop.consent.sms.status).toBe("denied");
    expect(reduceAll([...stop, ...traits]).consent.sms.status).toBe("denied");
    // a START from the provider lifts it, and the store's traits apply again
    const started = reduceAll(reply("SM02", "START", 30), afterStop);
    expect(started.consent.sms.status).toBe("granted");
    const deniedLater = reduceAll(toEvents(identify(40, { phone: PHONE, sms_opt_in: false })), started);
    expect(deniedLater.consent.sms.status).toBe("denied");
  });

  it("keeps a STOP in force when the opted-out profile is merged with one whose traits grant", () => {
    const stopped = reduceAll(reply("SM01", "STOP", 10), emptyProfile("p:phone", T(0)));
    const granted = reduceAll(
      toEvents(identify(50, { phone: PHONE, sms_opt_in: true })),
      emptyProfile("p:user", T(0)),
    );
    expect(mergeProfiles(stopped, granted).consent.sms.status).toBe("denied");
    expect(mergeProfiles(granted, stopped).consent.sms.status).toBe("denied");
  });

  it("ignores a replayed MailerLite unsubscribe the same way (its id comes from the provider's time)", () => {
    const body = {
      event: "subscriber.unsubscribed",
      id: "98765",
      email: "ann@example.com",
      unsubscribed_at: "2026-03-02 10:05:00",
    };
    const first = parseMailerliteWebhook(body, { at: T(6) });
    const again = parseMailerliteWebhook(body, { at: T(90) });
    if (!first.success || !again.success) throw new Error("not parsed");
    expect(again.data.map((e) => e.id)).toEqual(first.data.map((e) => e.id));
    const once = reduceAll(first.data);
    expect(reduceAll(again.data, once)).toBe(once);
  });
});

describe("consent within one message", () => {
  it("lets a denial win over a grant when the denial comes first (sms_opt_in: false beside buyer_accepts_sms_marketing: true)", () => {
    const events = toEvents(
      identify(0, { phone: PHONE, sms_opt_in: false, buyer_accepts_sms_marketing: true }),
    );
    const sms = events.filter(
      (e): e is ConsentChangedEvent => e.type === "consent_changed" && e.channel === "sms",
    );
    expect(sms.map((e) => e.status)).toEqual(["denied"]);
    expect(reduceAll(events).consent.sms.status).toBe("denied");
  });
});

describe("consent is the same in any arrival order (property)", () => {
  // few distinct instants, so that two decisions at the same instant (ties) are common
  const decision = fc.record({
    minute: fc.oneof(
      { weight: 3, arbitrary: fc.constant(5) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 8 }) },
    ),
    status: fc.constantFrom("granted" as const, "denied" as const),
    source: fc.constantFrom<EventSource>("rudderstack", "rudderstack", "twilio", "shopify"),
  });

  it("gives the same status for any permutation of the same decisions", () => {
    fc.assert(
      fc.property(
        fc.array(decision, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        (decisions, shuffle) => {
          const events: ConsentChangedEvent[] = decisions.map((d, i) => ({
            type: "consent_changed",
            id: `${d.source}:${i}`,
            at: T(d.minute),
            source: d.source,
            contact: { phone: PHONE },
            channel: "sms",
            status: d.status,
          }));
          const permuted = events
            .map((event, i) => ({ event, key: shuffle[i] ?? 0 }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.event);
          const inOrder = reduceAll(events).consent.sms;
          const otherOrder = reduceAll(permuted).consent.sms;
          expect(otherOrder.status).toBe(inOrder.status);
          // the oracle: a provider opt-out newer than every provider opt-in denies; otherwise the
          // newest decision does, a tie going to the denial
          const newest = (list: typeof events) =>
            list.reduce<ConsentChangedEvent | undefined>(
              (best, e) =>
                !best || e.at > best.at || (e.at === best.at && e.status === "denied") ? e : best,
              undefined,
            );
          const instruction = newest(events.filter((e) => e.source === "twilio"));
          const expected = instruction?.status === "denied" ? "denied" : newest(events)?.status;
          expect(inOrder.status).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
