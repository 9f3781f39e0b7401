import { describe, expect, it } from "vitest";
import { journeyChecksum } from "../../src/core/journey/checksum.js";
import { planJourney, playbookJourney } from "../../src/core/journey/index.js";
import { MAILERLITE_FIELDS } from "../../src/core/mailerlite-fields.js";
import type { Profile } from "../../src/core/profile.js";
import { startMailerLiteEmulator } from "../../src/emulators/mailerlite.js";
import { startTwilioEmulator } from "../../src/emulators/twilio.js";
import { JOURNEY_DEFAULTS } from "../../transformations/src/catalog.js";
import type { JourneySettings } from "../../transformations/src/lib/journey-run.js";
import { makeCart, makeProfile } from "../core/journey/helpers.js";
import { afternoonZone } from "../helpers/time-zones.js";
import { deliverForm, deliverWebhook } from "./deliver.js";
import { errorsOf, outputsOf, runMessages, sandboxFor } from "./helpers.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const SID = "AC00000000000000000000000000000002";

/** a shopper whose cart has been idle for two hours */
function idleShopper(id: string, now: number): Profile {
  return makeProfile({
    id,
    userId: `u-${id}`,
    email: `${id}@example.com`,
    timezone: afternoonZone(now),
    carts: [
      makeCart({
        id: `cart-${id}`,
        refs: [`cart-${id}`],
        createdAt: now - 3 * HOUR,
        updatedAt: now - 2 * HOUR,
        checkoutUrl: `https://shop.example.com/c/${id}`,
      }),
    ],
  });
}

/** the shopper as the previous run left them: stage 1's email sent 15 minutes ago, its text due now */
function afterTheEmail(profile: Profile, now: number, journey = playbookJourney()): Profile {
  return planJourney(journey, profile, now - 15 * MIN, { storeTimezone: "UTC" }).profile;
}

function profileEvent(profile: Profile, messageId: string, asJson = false): Record<string, unknown> {
  return {
    type: "track",
    event: "Cart Recovery Profile",
    messageId,
    userId: profile.userId,
    timestamp: new Date().toISOString(),
    properties: { profile: asJson ? JSON.stringify(profile) : profile },
  };
}

async function run(
  messages: Record<string, unknown>[],
  settings: Partial<JourneySettings>,
  destinationType: string,
) {
  const sandbox = await sandboxFor(
    "journey",
    { ...JOURNEY_DEFAULTS, ...settings },
    { credentials: { MAILERLITE_API_TOKEN: "ml-token" } },
  );
  try {
    const outputs = await runMessages(sandbox, messages, destinationType);
    return { outputs, events: outputsOf(outputs), logs: sandbox.logs };
  } finally {
    sandbox.dispose();
  }
}

describe("journey transformation (stateless planner) in the RudderStack sandbox", () => {
  it("plans what is due now, as the planner does in Node, and hands back the advanced state", async () => {
    const now = Date.now();
    const shopper = idleShopper("ada", now);
    const { outputs, events } = await run([profileEvent(shopper, "p-ada")], { output: "events" }, "RS");
    // every output keeps the input's messageId, so RudderStack keeps its metadata
    expect(new Set(outputs.map((o) => o.metadata.messageId))).toEqual(new Set(["p-ada"]));
    const inNode = planJourney(playbookJourney(), shopper, now, { storeTimezone: "UTC" });
    const dueKeys = events
      .filter((e) => String(e.event).endsWith(" Due"))
      .map((e) => (e.properties as Record<string, unknown>).key);
    const nodeKeys = inNode.commands
      .filter((c) => c.type === "mailerlite.addToGroup" || c.type.startsWith("twilio."))
      .map((c) => c.key);
    expect(dueKeys).toEqual(nodeKeys);
    // the WhatsApp nudge follows the email 10 minutes later: the state says when to run again
    expect(dueKeys).toEqual(["playbook:cart-ada:1:email:email"]);
    const stage = events.find((e) => e.event === "Cart Recovery Stage Due");
    expect(stage?.properties).toMatchObject({
      email: "ada@example.com",
      group: "cartback-stage-1",
      fields: { cart_url: "https://shop.example.com/c/ada", recovery_stage: 1 },
    });
    // each message's Due event is its record: the planner's "Message Sent" for it is not repeated, the
    // analytics events that say something else are kept
    const tracked = inNode.commands.filter((c) => c.type === "rudderstack.track").map((c) => c.event);
    expect(tracked).toEqual(["Cart Recovery Started", "Cart Recovery Message Sent"]);
    expect(events.map((e) => e.event)).toEqual([
      "Cart Recovery Stage Due",
      "Cart Recovery Started",
      "Cart Recovery State",
    ]);
    expect(events.find((e) => e.event === "Cart Recovery Started")?.properties).toMatchObject({
      journey: "playbook",
      cart_id: "cart-ada",
      key: "playbook:cart-ada:start:track",
    });
    // the bundle runs on its own clock: the wake-up is the same time after its run as after Node's
    const state = events.find((e) => e.event === "Cart Recovery State");
    expect(state?.properties).toMatchObject({ profile_id: "ada" });
    const ranAt = Date.parse(String(stage?.timestamp));
    expect(((state?.properties as { wake_at: number } | undefined)?.wake_at ?? Number.NaN) - ranAt).toBe(
      (inNode.wakeAt as number) - now,
    );

    // the next run, once the email went 15 minutes ago, does what Node does: the preset has no
    // approved WhatsApp template, so its nudge is skipped (no_template) rather than sent to fail
    const later = afterTheEmail(shopper, now);
    const next = await run([profileEvent(later, "p-ada-2")], { output: "events" }, "RS");
    const nextKeys = next.events
      .filter((e) => String(e.event).endsWith(" Due"))
      .map((e) => (e.properties as Record<string, unknown>).key);
    const nextInNode = planJourney(playbookJourney(), later, now, { storeTimezone: "UTC" });
    expect(nextKeys).toEqual(
      nextInNode.commands.filter((c) => c.type.startsWith("twilio.")).map((c) => c.key),
    );
    expect(nextKeys).toEqual([]);
  });

  it("sends nothing twice when the next run gets the state back (how a schedule drives it)", async () => {
    const now = Date.now();
    const shopper = idleShopper("bob", now);
    const first = await run([profileEvent(shopper, "p1")], { output: "events" }, "RS");
    const state = first.events.find((e) => e.event === "Cart Recovery State")?.properties as {
      journeys: Profile["journeys"];
    };
    const second = await run(
      [profileEvent({ ...shopper, journeys: state.journeys }, "p2", true)],
      { output: "events" },
      "RS",
    );
    expect(second.events.filter((e) => String(e.event).endsWith(" Due"))).toEqual([]);
  });

  it("on a Webhook destination emits MailerLite requests, on an HTTP destination Twilio form fields", async () => {
    const now = Date.now();
    const shopper = idleShopper("cy", now);
    const journey = playbookJourney({ whatsappTemplates: { nudge: "HX0123456789abcdef0123456789abcdef" } });
    const settings: Partial<JourneySettings> = {
      journey,
      journeyChecksum: journeyChecksum(journey),
      mailerlite: { ...JOURNEY_DEFAULTS.mailerlite, groupIds: { "cartback-stage-1": "1001" } },
      twilio: { ...JOURNEY_DEFAULTS.twilio, messagingServiceSid: "MG00000000000000000000000000000001" },
    };
    const webhook = await run([profileEvent(shopper, "p1")], settings, "WEBHOOK");
    expect(webhook.events).toEqual([
      expect.objectContaining({
        fullPath: "https://connect.mailerlite.com/api/subscribers",
        header: expect.objectContaining({ Authorization: "Bearer ml-token" }),
        email: "cy@example.com",
        groups: ["1001"],
        messageId: "p1",
      }),
    ]);
    const http = await run([profileEvent(afterTheEmail(shopper, now, journey), "p1")], settings, "HTTP");
    expect(http.events).toEqual([
      expect.objectContaining({
        To: "whatsapp:+919812345678",
        MessagingServiceSid: "MG00000000000000000000000000000001",
        ContentSid: expect.any(String),
        messageId: "p1",
      }),
    ]);
  });

  it("fails a bad profile alone, as an error for that event, and still plans the rest of the batch", async () => {
    const now = Date.now();
    const broken = {
      type: "track",
      event: "Cart Recovery Profile",
      messageId: "bad",
      properties: { profile: { id: "x" } },
    };
    const { outputs, events } = await run(
      [broken, profileEvent(idleShopper("dee", now), "good"), { type: "page", messageId: "other" }],
      { output: "events" },
      "RS",
    );
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.messageId))).toEqual(new Set(["good"]));
    expect(errorsOf(outputs)).toEqual([
      {
        messageId: "bad",
        error: expect.stringMatching(
          /properties\.profile is missing consent, carts, orders, journeys, engagement, anonymousIds/,
        ),
      },
    ]);
  });

  it("reports a missing MailerLite token or group id as an error for each event, as mailerlite.js does", async () => {
    const now = Date.now();
    const shopper = profileEvent(idleShopper("eve", now), "p-eve");
    const groupIds = { "cartback-stage-1": "1" };
    const sandbox = await sandboxFor("journey", {
      ...JOURNEY_DEFAULTS,
      mailerlite: { ...JOURNEY_DEFAULTS.mailerlite, groupIds },
    });
    try {
      const outputs = await runMessages(sandbox, [shopper], "WEBHOOK");
      expect(errorsOf(outputs)).toEqual([
        { messageId: "p-eve", error: expect.stringContaining("missing credential MAILERLITE_API_TOKEN") },
      ]);
    } finally {
      sandbox.dispose();
    }
    const { outputs } = await run([shopper], {}, "WEBHOOK");
    expect(errorsOf(outputs)).toEqual([
      {
        messageId: "p-eve",
        error: expect.stringContaining(
          'no MailerLite group id for "cartback-stage-1": add it to SETTINGS.groupIds',
        ),
      },
    ]);
  });

  it("plans a batch of 200 shoppers within the sandbox limits", async () => {
    const now = Date.now();
    const messages = Array.from({ length: 200 }, (_, i) => profileEvent(idleShopper(`s${i}`, now), `p${i}`));
    const { outputs, events } = await run(messages, { output: "events" }, "RS");
    expect(outputs.every((o) => o.error === undefined)).toBe(true);
    expect(events.filter((e) => e.event === "Cart Recovery Stage Due")).toHaveLength(200);
    expect(events.filter((e) => e.event === "Cart Recovery State")).toHaveLength(200);
  });

  it("refuses a custom journey that was not checked, or was edited after the check, naming the fix", async () => {
    const shopper = profileEvent(idleShopper("fay", Date.now()), "p-fay");
    const unchecked = await run([shopper], { journey: { id: "x" } }, "RS");
    expect(errorsOf(unchecked.outputs)).toEqual([
      {
        messageId: "p-fay",
        error: expect.stringMatching(
          /SETTINGS\.journey has not been checked: run `npx cartback transformation journey/,
        ),
      },
    ]);
    const journey = playbookJourney();
    const edited = { ...journey, stages: journey.stages.slice(1) };
    const changed = await run(
      [shopper],
      { journey: edited, journeyChecksum: journeyChecksum(journey) },
      "RS",
    );
    expect(errorsOf(changed.outputs)).toEqual([
      {
        messageId: "p-fay",
        error: expect.stringMatching(/SETTINGS\.journey was changed after it was checked/),
      },
    ]);
  });

  it("plans a checked custom journey as the planner does in Node", async () => {
    const now = Date.now();
    const shopper = idleShopper("dee", now);
    const journey = playbookJourney({ id: "custom", groupPrefix: "shop" });
    const { events } = await run(
      [profileEvent(shopper, "p-dee")],
      { output: "events", journey, journeyChecksum: journeyChecksum(journey) },
      "RS",
    );
    const inNode = planJourney(journey, shopper, now, { storeTimezone: "UTC" });
    const stage = events.find((e) => e.event === "Cart Recovery Stage Due");
    expect(stage?.properties).toMatchObject({ journey: "custom", group: "shop-stage-1" });
    const state = events.find((e) => e.event === "Cart Recovery State");
    const ranAt = Date.parse(String(stage?.timestamp));
    expect(((state?.properties as { wake_at: number } | undefined)?.wake_at ?? Number.NaN) - ranAt).toBe(
      (inNode.wakeAt as number) - now,
    );
  });
});

describe("journey transformation end to end, through the destinations to the emulators", () => {
  it("a due stage joins the MailerLite group and the WhatsApp nudge reaches Twilio", async () => {
    const mailerlite = await startMailerLiteEmulator({ apiKeys: ["ml-token"] });
    const twilio = await startTwilioEmulator({ accounts: { [SID]: "tw-token" } });
    try {
      const auth = { authorization: "Bearer ml-token", "content-type": "application/json" };
      for (const field of MAILERLITE_FIELDS) {
        await fetch(`${mailerlite.url}/api/fields`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ name: field.key, type: field.type }),
        });
      }
      const created = await fetch(`${mailerlite.url}/api/groups`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ name: "cartback-stage-1" }),
      });
      const groupId = ((await created.json()) as { data: { id: string } }).data.id;
      // the preset with the shop's approved WhatsApp template, as a whole checked journey in the settings
      // (what `cartback transformation journey --journey <file>` writes)
      const journey = playbookJourney({ whatsappTemplates: { nudge: "HX0123456789abcdef0123456789abcdef" } });
      const settings: Partial<JourneySettings> = {
        journey,
        journeyChecksum: journeyChecksum(journey),
        mailerlite: {
          ...JOURNEY_DEFAULTS.mailerlite,
          apiBase: mailerlite.url,
          groupIds: { "cartback-stage-1": groupId },
        },
        twilio: { ...JOURNEY_DEFAULTS.twilio, whatsappFrom: "+15005550006" },
      };
      const now = Date.now();
      const eve = idleShopper("eve", now);
      const shopper = profileEvent(eve, "p-eve");

      const webhook = await run([shopper], settings, "WEBHOOK");
      for (const event of webhook.events) expect(await deliverWebhook(event)).toMatchObject({ status: 201 });
      const subscriber = mailerlite.subscriber("eve@example.com");
      expect(subscriber?.groups.map((g) => g.name)).toEqual(["cartback-stage-1"]);
      expect(subscriber?.fields).toMatchObject({
        cart_url: "https://shop.example.com/c/eve",
        recovery_stage: 1,
      });

      // the next run, 15 minutes after the email: the WhatsApp nudge
      const http = await run([profileEvent(afterTheEmail(eve, now, journey), "p-eve-2")], settings, "HTTP");
      const apiUrl = `${twilio.url}/2010-04-01/Accounts/${SID}/Messages.json`;
      for (const event of http.events) {
        expect(await deliverForm(apiUrl, { username: SID, password: "tw-token" }, event)).toMatchObject({
          status: 201,
        });
      }
      expect(twilio.messages().map((m) => [m.to, m.from])).toEqual([
        ["whatsapp:+919812345678", "whatsapp:+15005550006"],
      ]);
    } finally {
      await mailerlite.stop();
      await twilio.stop();
    }
  });
});
