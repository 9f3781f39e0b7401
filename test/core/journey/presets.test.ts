import { describe, expect, it } from "vitest";
import { runSimulation, type SimulatedCommand } from "../../../src/cli/simulation.js";
import { assignVariant, PRESETS, playbookJourney } from "../../../src/core/journey/index.js";
import { toEvents } from "../../helpers/messages.js";
import { messageTimeline, T0, WHATSAPP_TEMPLATES } from "./helpers.js";
import { add, clicked, identify, order, type Scenario } from "./scenarios.js";

const lena = { id: "lena", phone: "+14155550101", sms: true };
const mo = { id: "mo", phone: "+14155550102", sms: true, whatsapp: true };
const hana = { id: "hana", phone: "+14155550103", sms: true, whatsapp: true };
const rita = { ...mo, id: "rita", traits: { orders_count: 3 } };
const lou = { ...mo, id: "lou", traits: { loyalty_tier: "gold" } };
const vic = { ...hana, id: "vic" };
const priya = { ...mo, id: "priya", phone: "+919812345678", timezone: "Asia/Kolkata" };

const SCENARIOS: Scenario[] = [
  {
    description:
      "playbook, first-time low ($30, low intent): 90 min, 24 h, 48 h with 10 %, day 7 and 21; no SMS below the bar",
    journey: "playbook",
    events: [identify(lena), add(lena, 0, 30)],
    expected: [
      "+1h30m email 1/email",
      "+1d1h30m email 2/email",
      "+2d1h30m email 3/email 10%",
      "+7d1h30m email 4/day-7",
      "+21d1h30m email 4/day-21",
    ],
  },
  {
    description:
      "playbook, first-time medium ($100 built over 5 min: high intent, 15 min): each text 10 min after its email, WhatsApp at 1 and 3, SMS at 2, 5 % then 10 %",
    journey: "playbook",
    events: [identify(mo), add(mo, 0, 90), add(mo, 5, 10, "USD", "Belt")],
    expected: [
      "+20m email 1/email",
      "+30m whatsapp 1/whatsapp",
      "+4h20m email 2/email 5%",
      "+4h30m sms 2/sms 5%",
      "+1d20m email 3/email 10%",
      "+1d30m whatsapp 3/whatsapp 10%",
      "+7d20m email 4/day-7",
      "+21d20m email 4/day-21",
    ],
  },
  {
    description:
      "playbook, first-time high ($300): urgency at 12 h, held by quiet hours to 08:00 (email) and 09:00 (one text: WhatsApp), 12–15 % by experiment; day 7 keeps its spacing from the held stage",
    journey: "playbook",
    events: [identify(hana), add(hana, 0, 200), add(hana, 5, 100, "USD", "Boots")],
    expected: [
      "+20m email 1/email",
      "+30m whatsapp 1/whatsapp",
      "+4h20m email 2/email 5%",
      "+4h30m sms 2/sms 5%",
      "+22h email 3/email 12%",
      "+23h whatsapp 3/whatsapp 12%",
      "+7d10h email 4/day-7",
      "+21d10h email 4/day-21",
    ],
  },
  {
    description: "playbook, returning customer (orders_count 3): the same path without any discount",
    journey: "playbook",
    events: [identify(rita), add(rita, 0, 120)],
    expected: [
      "+1h email 1/email",
      "+1h10m whatsapp 1/whatsapp",
      "+5h email 2/email",
      "+5h10m sms 2/sms",
      "+1d1h email 3/email",
      "+1d1h10m whatsapp 3/whatsapp",
      "+7d1h email 4/day-7",
      "+21d1h email 4/day-21",
    ],
  },
  {
    description: "playbook, loyalty tier: one personal message and a task, no sequence",
    journey: "playbook",
    events: [identify(lou), add(lou, 0, 120)],
    expected: ["+1h email 1/personal", "+1h task personal_message"],
  },
  {
    description: "playbook, a very high cart ($1,500) also creates a sales task",
    journey: "playbook",
    events: [identify(vic), add(vic, 0, 1500)],
    expected: [
      "+1h email 1/email",
      "+1h task sales_call",
      "+1h10m whatsapp 1/whatsapp",
      "+5h email 2/email 5%",
      "+5h10m sms 2/sms 5%",
      "+22h email 3/email 12%",
      "+23h whatsapp 3/whatsapp 12%",
      "+7d10h email 4/day-7",
      "+21d10h email 4/day-21",
    ],
  },
  {
    description: "playbook, ordered two hours in: nothing after the order",
    journey: "playbook",
    events: [identify(mo), add(mo, 0, 100), order(mo, 120, 100)],
    expected: ["+1h email 1/email", "+1h10m whatsapp 1/whatsapp"],
  },
  {
    description:
      "playbook, a click on the stage-2 email: the SMS follow-up 30 min later instead of the stage's SMS, and no urgency stage",
    journey: "playbook",
    events: [identify(mo), add(mo, 0, 100), clicked(mo, 5 * 60, 2)],
    expected: [
      "+1h email 1/email",
      "+1h10m whatsapp 1/whatsapp",
      "+5h email 2/email 5%",
      "+5h30m sms 2/click-sms 5%",
      "+7d1h email 4/day-7",
      "+21d1h email 4/day-21",
    ],
  },
  {
    description:
      "playbook in rupees (Asia/Kolkata): ₹2,500 is medium, above the SMS bar, below the ₹3,000 discount bar",
    journey: "playbook",
    events: [identify(priya), add(priya, 0, 2500, "INR", "Silk saree")],
    expected: [
      "+1h email 1/email",
      "+1h10m whatsapp 1/whatsapp",
      "+5h email 2/email",
      "+5h10m sms 2/sms",
      "+1d1h email 3/email 10%",
      "+1d1h10m whatsapp 3/whatsapp 10%",
      "+7d1h email 4/day-7",
      "+21d1h email 4/day-21",
    ],
  },
  {
    description:
      "classic: 24 h reminder, 48 h with 10 %, 72 h last chance (from abandonment), each SMS 10 min after its email",
    journey: "classic",
    events: [identify(lena), add(lena, 0, 30)],
    expected: [
      "+1d1h30m email 1/email",
      "+1d1h40m sms 1/sms",
      "+2d1h30m email 2/email 10%",
      "+2d1h40m sms 2/sms 10%",
      "+3d1h30m email 3/email",
    ],
  },
  {
    description:
      "coordinated: email at abandonment, SMS 10 min later, second email at 20 h (held to 08:00), final SMS 3 h after it",
    journey: "coordinated",
    events: [identify(mo), add(mo, 0, 100)],
    expected: ["+1h email 1/email", "+1h10m sms 1/sms", "+22h email 2/email", "+1d1h sms 3/sms"],
  },
];

function timeline(s: Scenario): string[] {
  const out: SimulatedCommand[] = [];
  const events = toEvents(...s.events).sort((a, b) => a.at - b.at);
  const journey = PRESETS[s.journey]!({ whatsappTemplates: WHATSAPP_TEMPLATES });
  runSimulation(events, {
    journeys: [journey],
    until: T0 + 40 * 86_400_000,
    // the shop's cart page is where texts lead: these carts come without a link of their own
    context: { shopUrl: "https://shop.example.com/cart" },
    onCommand: (c) => out.push(c),
  });
  return messageTimeline(out);
}

describe("preset timelines", () => {
  it.each(SCENARIOS.map((s) => [s.description, s] as const))("%s", (_d, s) => {
    expect(timeline(s)).toEqual(s.expected);
  });

  it("the other arm of the urgency-discount experiment gets 15 %", () => {
    const experiment = playbookJourney({ whatsappTemplates: WHATSAPP_TEMPLATES }).experiments?.[0];
    const other = ["a", "b", "c", "d", "e", "f", "g", "h"].find(
      (id) => assignVariant(experiment!, `cart-${id}`).id === "15",
    ) as string;
    const s = { ...hana, id: other };
    const lines = timeline({
      description: "",
      journey: "playbook",
      events: [identify(s), add(s, 0, 300)],
      expected: [],
    });
    expect(lines.filter((l) => l.includes(" 3/"))).toEqual([
      "+22h email 3/email 15%",
      "+23h whatsapp 3/whatsapp 15%",
    ]);
  });
});
