import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runSimulation, type SimulatedCommand } from "../../../src/cli/simulation.js";
import type { RudderstackTrack } from "../../../src/core/commands.js";
import { isHeldOut } from "../../../src/core/journey/holdout.js";
import { type JourneySpec, planJourney, playbookJourney } from "../../../src/core/journey/index.js";
import type { Profile } from "../../../src/core/profile.js";
import { reduceProfile } from "../../../src/core/reduce.js";
import { toEvents } from "../../helpers/messages.js";
import { DAY, HOUR, MIN, makeCart, makeProfile, T0, WHATSAPP_TEMPLATES } from "./helpers.js";
import { add, identify, order } from "./scenarios.js";

/** the first cart id of the form `c<n>` the hash puts in (or out of) the holdout */
function cartId(held: boolean, percent: number, journey = "playbook"): string {
  for (let i = 0; ; i++) if (isHeldOut(journey, `c${i}`, percent) === held) return `c${i}`;
}

/** plans at each wake-up up to `until`, applying `changes` at their times; returns the profile and the commands */
function run(
  spec: JourneySpec,
  profile: Profile,
  until: number,
  changes: { at: number; apply: (p: Profile) => Profile }[] = [],
) {
  let state = profile;
  let now = T0;
  const commands = [];
  const pending = [...changes].sort((a, b) => a.at - b.at);
  for (let i = 0; i < 200; i++) {
    const plan = planJourney(spec, state, now);
    state = plan.profile;
    commands.push(...plan.commands);
    const next = Math.min(
      plan.wakeAt ?? Number.POSITIVE_INFINITY,
      pending[0]?.at ?? Number.POSITIVE_INFINITY,
    );
    if (next > until) break;
    now = next;
    while (pending[0] && pending[0].at <= now)
      state = (pending.shift() as { apply: (p: Profile) => Profile }).apply(state);
  }
  return { profile: state, commands };
}

const ordered = (at: number, value: number) => (p: Profile) =>
  reduceProfile(p, {
    type: "order_completed",
    id: `o-${at}`,
    at,
    source: "rudderstack",
    contact: { userId: "u1" },
    orderId: "order-1",
    cartRefs: [p.carts[0]?.id as string],
    value,
    currency: "USD",
  });

describe("the holdout group", () => {
  const spec: JourneySpec = {
    ...playbookJourney({ whatsappTemplates: WHATSAPP_TEMPLATES }),
    holdout: { percent: 20 },
  };

  it("holds out about the configured share of carts, by hash, the same every time", () => {
    const held = Array.from({ length: 20_000 }, (_, i) => isHeldOut("playbook", `cart-${i}`, 20)).filter(
      Boolean,
    );
    expect(held.length / 20_000).toBeGreaterThan(0.19);
    expect(held.length / 20_000).toBeLessThan(0.21);
    expect(isHeldOut("playbook", "cart-7", 20)).toBe(isHeldOut("playbook", "cart-7", 20));
    expect(isHeldOut("playbook", "cart-7", 0)).toBe(false);
  });

  it("a held-out cart enters the journey, gets nothing, and records each would-be message as skipped", () => {
    const id = cartId(true, 20);
    const { profile, commands } = run(
      spec,
      makeProfile({ carts: [makeCart({ id, refs: [id], updatedAt: T0 - 2 * HOUR })] }),
      T0 + 30 * DAY,
    );
    const instance = profile.journeys[`playbook:${id}`]!;
    expect(instance.holdout).toBe(true);
    expect(instance.sent).toEqual([]);
    expect(instance.status).toBe("completed");
    expect(
      instance.skipped?.filter((s) => s.reason === "holdout").map((s) => `${s.stage}:${s.step}`),
    ).toEqual(["1:email", "1:whatsapp", "2:email", "2:sms", "3:email", "3:whatsapp", "4:day-7", "4:day-21"]);
    // one text per stage: the stage-3 SMS gives way to the WhatsApp message before the holdout is asked
    expect(instance.skipped?.find((s) => s.stage === 3 && s.step === "sms")?.reason).toBe(
      "other_text_channel",
    );
    expect(commands.filter((c) => c.kind === "message" || c.kind === "task" || c.kind === "support")).toEqual(
      [],
    );
    const started = commands.find(
      (c) => c.type === "rudderstack.track" && c.event === "Cart Recovery Started",
    ) as RudderstackTrack;
    expect(started.properties.holdout).toBe(true);
  });

  it("never sends a message to a held-out cart (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            price: fc.integer({ min: 5, max: 3000 }),
            orderAfter: fc.option(fc.integer({ min: 1, max: 20 * 24 * 60 })),
            sms: fc.boolean(),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        fc.integer({ min: 5, max: 50 }),
        (shoppers, percent) => {
          const journey: JourneySpec = { ...playbookJourney(), holdout: { percent } };
          const messages = shoppers.flatMap((s, i) => {
            const who = { id: `s${i}`, phone: `+1415555${String(1000 + i)}`, sms: s.sms, whatsapp: s.sms };
            return [
              identify(who, 0),
              add(who, 1, s.price, "USD", "Shirt"),
              ...(s.orderAfter !== null ? [order(who, 1 + s.orderAfter, 1)] : []),
            ];
          });
          const out: SimulatedCommand[] = [];
          runSimulation(
            toEvents(...messages).sort((a, b) => a.at - b.at),
            {
              journeys: [journey],
              until: T0 + 40 * DAY,
              onCommand: (c) => out.push(c),
            },
          );
          for (const { command } of out) {
            if (command.kind === "analytics" || command.cartId === null) continue;
            if (isHeldOut("playbook", command.cartId, percent))
              expect(command.kind).not.toMatch(/message|task|support/);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("recoveries as the planner records them", () => {
  const spec = playbookJourney();

  it("an order while the journey runs is a recovery: the event carries revenue and both attributions", () => {
    const id = "c-click";
    const start = makeProfile({ carts: [makeCart({ id, refs: [id], updatedAt: T0 - 2 * HOUR })] });
    const clickAt = T0 + 30 * MIN;
    const { profile, commands } = run(spec, start, T0 + 30 * DAY, [
      {
        at: clickAt,
        apply: (p) =>
          reduceProfile(p, {
            type: "message_engaged",
            id: "click-1",
            at: clickAt,
            source: "cartback",
            contact: { userId: "u1" },
            engagement: "clicked",
            channel: "email",
            cartRefs: [id],
            stage: 1,
            step: "email",
          }),
      },
      { at: T0 + 5 * HOUR, apply: ordered(T0 + 5 * HOUR, 72.4) },
    ]);
    const instance = profile.journeys[`playbook:${id}`]!;
    const stage2 = instance.sent.filter((s) => s.stage === 2);
    expect(stage2.length).toBeGreaterThan(0);
    const last = instance.sent.filter((s) => s.at <= T0 + 5 * HOUR).at(-1)!;
    expect(instance.recovery).toEqual({
      orderedAt: T0 + 5 * HOUR,
      orderId: "order-1",
      value: 72.4,
      currency: "USD",
      lastTouch: last.key,
      clickThrough: `playbook:${id}:1:email:email`,
    });
    const event = commands.find(
      (c) => c.type === "rudderstack.track" && c.event === "Cart Recovered",
    ) as RudderstackTrack;
    expect(event.properties).toMatchObject({
      revenue: 72.4,
      currency: "USD",
      order_id: "order-1",
      recovered_by: "journey",
      holdout: false,
      last_touch: { key: last.key, stage: last.stage, step: last.step, channel: last.channel },
      click_through: { key: `playbook:${id}:1:email:email`, stage: 1, step: "email", channel: "email" },
    });
  });

  it("an order after the journey completed still recovers the cart within the window, once", () => {
    const id = "c-late";
    const start = makeProfile({
      phone: undefined,
      carts: [makeCart({ id, refs: [id], updatedAt: T0 - 2 * HOUR })],
    });
    // the playbook's last email goes on day 21 and the instance completes a day later
    const done = run(spec, start, T0 + 23 * DAY);
    const instance = done.profile.journeys[`playbook:${id}`]!;
    expect(instance.status).toBe("completed");
    const lastSent = Math.max(...instance.sent.map((s) => s.at));
    const inWindow = lastSent + 4 * DAY;
    const later = run(spec, ordered(inWindow, 60)(done.profile), inWindow + DAY);
    const recovered = later.profile.journeys[`playbook:${id}`]!;
    expect(recovered.status).toBe("completed");
    expect(recovered.recovery).toMatchObject({ orderedAt: inWindow, value: 60 });
    const events = later.commands.filter(
      (c) => c.type === "rudderstack.track" && c.event === "Cart Recovered",
    );
    expect(events).toHaveLength(1);
    expect((events[0] as RudderstackTrack).properties.recovered_by).toBe("window");
    // planning again does not record or announce it twice
    expect(planJourney(spec, later.profile, inWindow + 2 * DAY).commands).toEqual([]);
  });

  it("an order past every window is not a recovery", () => {
    const id = "c-past";
    const start = makeProfile({
      phone: undefined,
      carts: [makeCart({ id, refs: [id], updatedAt: T0 - 2 * HOUR })],
    });
    const done = run(spec, start, T0 + 23 * DAY);
    const lastSent = Math.max(...done.profile.journeys[`playbook:${id}`]!.sent.map((s) => s.at));
    const after = run(spec, ordered(lastSent + 6 * DAY, 60)(done.profile), lastSent + 7 * DAY);
    expect(after.profile.journeys[`playbook:${id}`]!.recovery).toBeUndefined();
    expect(
      after.commands.filter((c) => c.type === "rudderstack.track" && c.event === "Cart Recovered"),
    ).toEqual([]);
  });
});
