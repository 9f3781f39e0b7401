/**
 * Every bundle as RudderStack's executor really runs it: a new isolate per batch, and `log` missing
 * from the second batch on when the executor's isolate cache is on (`USE_IVM_CACHE=true`).
 */
import { describe, expect, it } from "vitest";
import { emptyProfile } from "../../src/core/reduce.js";
import { JOURNEY_DEFAULTS, MAILERLITE_DEFAULTS, TWILIO_DEFAULTS } from "../../transformations/src/catalog.js";
import { toDueMessages } from "../../transformations/src/lib/due-events.js";
import { makeCart, makeProfile } from "../core/journey/helpers.js";
import { errorsOf, outputsOf, runMessages, sandboxFor, type TransformationName, track } from "./helpers.js";
import type { LogGlobal } from "./sandbox.js";

const NOW = Date.now();
const TWILIO = { ...TWILIO_DEFAULTS, from: "+15005550006" };

/** a text due now for a shopper who never agreed to texts: the bundles drop it and say why in `log` */
function refusedText(): Record<string, unknown> {
  const p = emptyProfile("p1", NOW);
  p.phone = "+14155550100";
  p.userId = "u1";
  const [due] = toDueMessages(
    [
      {
        key: "playbook:c1:2:sms:sms",
        kind: "message",
        channel: "sms",
        profileId: p.id,
        cartId: "c1",
        journey: "playbook",
        stage: 2,
        step: "sms",
        segment: null,
        variant: null,
        discountPercent: null,
        type: "twilio.sendSms",
        to: "+14155550100",
        body: "Your cart is waiting",
        encoding: "GSM-7",
        segments: 1,
      },
    ],
    p,
    NOW,
  );
  return due as Record<string, unknown>;
}

/** a shopper whose stage 1 email is sent and whose WhatsApp nudge is due, without WhatsApp consent */
function shopperWithoutConsent(): Record<string, unknown> {
  const profile = makeProfile({
    id: "s1",
    userId: "u-s1",
    email: "s1@example.com",
    phone: "+14155550100",
    carts: [
      makeCart({
        id: "cart-s1",
        refs: ["cart-s1"],
        createdAt: NOW - 3 * 3_600_000,
        updatedAt: NOW - 2 * 3_600_000,
      }),
    ],
  });
  return {
    type: "track",
    event: "Cart Recovery Profile",
    messageId: "j1",
    properties: { profile },
  };
}

const CASES: {
  name: TransformationName;
  settings?: object;
  destinationType: string;
  input: () => Record<string, unknown>;
}[] = [
  {
    name: "normalize-cart-events",
    destinationType: "WEBHOOK",
    input: () => track("Product Added", { cart_id: "c1", product_id: "p1", price: 5, quantity: 1 }),
  },
  {
    name: "mailerlite",
    settings: { ...MAILERLITE_DEFAULTS, groupIds: { "cartback-stage-1": "1" } },
    destinationType: "WEBHOOK",
    input: () =>
      track("Cart Viewed", { cart_id: "c1", products: [{ product_id: "p1", price: 5, quantity: 1 }] }),
  },
  { name: "twilio", settings: TWILIO, destinationType: "HTTP", input: refusedText },
  {
    name: "journey",
    settings: { ...JOURNEY_DEFAULTS, twilio: TWILIO },
    destinationType: "HTTP",
    input: shopperWithoutConsent,
  },
];

describe.each(CASES)(
  "$name as RudderStack's executor runs it",
  ({ name, settings, destinationType, input }) => {
    it.each<LogGlobal>(["present", "first-batch", "absent"])(
      "runs batch after batch with `log` %s, and never fails an event for it",
      async (log) => {
        const sandbox = await sandboxFor(name, settings, {
          credentials: { MAILERLITE_API_TOKEN: "ml-token" },
          log,
        });
        try {
          const results = [];
          for (let batch = 0; batch < 3; batch++)
            results.push(await runMessages(sandbox, [input()], destinationType));
          for (const outputs of results) expect(errorsOf(outputs)).toEqual([]);
          // every batch gives the same answer: nothing carried over
          const shapes = results.map((outputs) =>
            outputsOf(outputs).map((o) => Object.keys(o).sort().join()),
          );
          expect(new Set(shapes.map((s) => JSON.stringify(s))).size).toBe(1);
        } finally {
          sandbox.dispose();
        }
      },
    );
  },
);
