import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { generateMessages } from "../../bench/generate-stream.js";
import type { Command, CommandMeta } from "../../src/core/commands.js";
import { MAILERLITE_FIELDS } from "../../src/core/mailerlite-fields.js";
import type { Profile } from "../../src/core/profile.js";
import { emptyProfile } from "../../src/core/reduce.js";
import { mailerliteDestination } from "../../src/destinations/mailerlite.js";
import { type MailerLiteEmulator, startMailerLiteEmulator } from "../../src/emulators/mailerlite.js";
import { MAILERLITE_DEFAULTS } from "../../transformations/src/catalog.js";
import { toDueMessages } from "../../transformations/src/lib/due-events.js";
import { deliverWebhook } from "./deliver.js";
import { errorsOf, outputsOf, runMessages, sandboxFor, track } from "./helpers.js";
import type { Sandbox } from "./sandbox.js";

const TOKEN = "ml-token";
const NOW = Date.parse("2026-03-02T12:00:00Z");
let emulator: MailerLiteEmulator;
let groups: Record<string, string>;
let sandbox: Sandbox;

async function createGroup(name: string): Promise<string> {
  const response = await fetch(`${emulator.url}/api/groups`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ name }),
  });
  return ((await response.json()) as { data: { id: string } }).data.id;
}

beforeAll(async () => {
  emulator = await startMailerLiteEmulator({ apiKeys: [TOKEN] });
});
afterAll(async () => {
  sandbox?.dispose();
  await emulator.stop();
});
/** the account as `cartback setup mailerlite` leaves it: cartback's fields and stage groups */
async function setupAccount(): Promise<Record<string, string>> {
  for (const field of MAILERLITE_FIELDS) {
    await fetch(`${emulator.url}/api/fields`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: field.key, type: field.type }),
    });
  }
  return {
    "cartback-stage-1": await createGroup("cartback-stage-1"),
    "cartback-stage-2": await createGroup("cartback-stage-2"),
  };
}

beforeEach(async () => {
  emulator.reset();
  groups = await setupAccount();
  sandbox?.dispose();
  sandbox = await sandboxFor(
    "mailerlite",
    { ...MAILERLITE_DEFAULTS, apiBase: emulator.url, groupIds: groups },
    { credentials: { MAILERLITE_API_TOKEN: TOKEN } },
  );
  emulator.clearRequests();
});

function meta(key: string, kind: CommandMeta["kind"]): CommandMeta {
  return {
    key,
    kind,
    channel: "email",
    profileId: "p1",
    cartId: "c1",
    journey: "playbook",
    stage: 1,
    step: "email",
    segment: "first-time-low",
    variant: null,
    discountPercent: null,
  };
}

function profile(): Profile {
  const p = emptyProfile("p1", NOW);
  p.email = "ada@example.com";
  p.anonymousIds = ["anon-1"];
  p.consent.email = { status: "granted" };
  return p;
}

const KEY = "playbook:c1:1:email:email";
const STAGE_COMMANDS: Command[] = [
  {
    ...meta(`${KEY}:fields`, "support"),
    type: "mailerlite.upsertSubscriber",
    email: "ada@example.com",
    fields: {
      cart_url: "https://shop.example.com/r/abc",
      cart_total: 129.5,
      cart_items: "Tee x2",
      recovery_stage: 1,
    },
  },
  {
    ...meta(KEY, "message"),
    after: `${KEY}:fields`,
    type: "mailerlite.addToGroup",
    email: "ada@example.com",
    group: "cartback-stage-1",
  },
];

async function deliverAll(messages: Record<string, unknown>[]) {
  const outputs = await runMessages(sandbox, messages);
  expect(errorsOf(outputs)).toEqual([]);
  const replies = [];
  for (const event of outputsOf(outputs)) replies.push(await deliverWebhook(event));
  return replies;
}

describe("mailerlite transformation → Webhook destination → MailerLite emulator", () => {
  it("a due stage ends exactly where the Node destination ends: same fields, same group, same upsert body", async () => {
    const adapter = mailerliteDestination({ apiKey: TOKEN, baseUrl: emulator.url, pacing: false, groups });
    for (const command of STAGE_COMMANDS) await adapter.execute(command);
    const byAdapter = emulator.subscriber("ada@example.com");
    const [adapterUpsert] = emulator.requests({ method: "POST", path: "/api/subscribers" });

    emulator.reset();
    expect(await setupAccount()).toEqual(groups);
    emulator.clearRequests();
    const replies = await deliverAll(toDueMessages(STAGE_COMMANDS, profile(), NOW));
    expect(replies.map((r) => r.status)).toEqual([201]);
    const byTransformation = emulator.subscriber("ada@example.com");
    const [transformationUpsert] = emulator.requests({ method: "POST", path: "/api/subscribers" });

    expect(byAdapter?.fields).toMatchObject({
      cart_url: "https://shop.example.com/r/abc",
      cart_total: 129.5,
    });
    expect(byTransformation?.fields).toEqual(byAdapter?.fields);
    expect(byTransformation?.groups.map((g) => g.name)).toEqual(["cartback-stage-1"]);
    expect(byAdapter?.groups.map((g) => g.name)).toEqual(["cartback-stage-1"]);
    expect(transformationUpsert?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // one request instead of the adapter's upsert + group add: the group rides on the upsert
    const { groups: joined, ...rest } = (transformationUpsert?.body ?? {}) as Record<string, unknown>;
    expect(rest).toEqual(adapterUpsert?.body);
    expect(joined).toEqual([groups["cartback-stage-1"]]);
  });

  it("upserts the cart fields from a checkout snapshot and the names from an identify call", async () => {
    await deliverAll([
      track("Checkout Started", {
        checkout_id: "ch1",
        checkout_url: "https://shop.example.com/checkouts/ch1",
        currency: "EUR",
        products: [
          { product_id: "p1", name: "Tee", price: 20, quantity: 2 },
          { product_id: "p2", name: "Cap", price: 15.5, quantity: 1 },
        ],
      }),
      {
        type: "identify",
        messageId: "id-1",
        userId: "u1",
        timestamp: "2026-03-02T10:00:00.000Z",
        traits: { email: "ada@example.com", firstName: "Ada", lastName: "Lovelace" },
      },
    ]);
    const subscriber = emulator.subscriber("ada@example.com");
    expect(subscriber?.fields).toMatchObject({
      name: "Ada",
      last_name: "Lovelace",
      cart_url: "https://shop.example.com/checkouts/ch1",
      cart_total: 55.5,
      cart_currency: "EUR",
      cart_items: "Tee x2, Cap",
      cart_item_count: 3,
    });
    expect(subscriber?.status).toBe("active");
  });

  it("on Order Completed resets the cart fields and leaves every stage group", async () => {
    await deliverAll(toDueMessages(STAGE_COMMANDS, profile(), NOW));
    expect(emulator.subscriber("ada@example.com")?.groups).toHaveLength(1);
    const replies = await deliverAll([
      track("Order Completed", { order_id: "o-77", checkout_id: "ch1", total: 55.5, currency: "EUR" }),
    ]);
    expect(replies[0]?.status).toBe(200);
    const subscriber = emulator.subscriber("ada@example.com");
    expect(subscriber?.groups).toEqual([]);
    expect(subscriber?.fields).toMatchObject({ cart_url: null, cart_total: null, last_order_id: "o-77" });
  });

  it("respects a refusal: unsubscribes the person and sends no stage to them", async () => {
    await deliverAll([
      {
        type: "identify",
        messageId: "i1",
        userId: "u1",
        timestamp: "2026-03-02T10:00:00.000Z",
        traits: { email: "ada@example.com" },
      },
      track("Unsubscribed", { channel: "email" }),
    ]);
    expect(emulator.subscriber("ada@example.com")?.status).toBe("unsubscribed");
    const refused = profile();
    refused.consent.email = { status: "denied" };
    const outputs = await runMessages(sandbox, toDueMessages(STAGE_COMMANDS, refused, NOW));
    expect(outputs).toEqual([]);
  });

  it("sends nothing for events that only repeat the consent flags an SDK attaches to every call", async () => {
    const flags = {
      context: {
        traits: { email: "ada@example.com", phone: "+14155550100", email_opt_in: true, sms_opt_in: true },
      },
    };
    const page = {
      type: "page",
      name: "Home",
      messageId: "page-flags",
      anonymousId: "anon-1",
      timestamp: "2026-03-02T10:00:00.000Z",
      ...flags,
      properties: { path: "/" },
    };
    const outputs = await runMessages(sandbox, [
      track("Product Added", { cart_id: "c1", product_id: "p1", price: 5, quantity: 1 }, flags),
      track("Product Viewed", { product_id: "p1", price: 5 }, flags),
      page,
      {
        type: "identify",
        messageId: "id-flags",
        anonymousId: "anon-1",
        timestamp: "2026-03-02T10:00:00.000Z",
        traits: { email: "ada@example.com", email_opt_in: true },
      },
    ]);
    expect(errorsOf(outputs)).toEqual([]);
    expect(outputsOf(outputs)).toEqual([]);
  });

  it("in a realistic SDK stream, every request changes something MailerLite keeps", async () => {
    // SDKs attach the consent they know to every call
    const stream = [...generateMessages({ carts: 40, seed: 11 })].slice(0, 200).map((m) => {
      const context = (m.context ?? {}) as Record<string, unknown>;
      const traits = { ...((context.traits ?? {}) as object), email_opt_in: true, sms_opt_in: true };
      return { ...m, context: { ...context, traits } } as Record<string, unknown>;
    });
    const outputs = await runMessages(sandbox, stream);
    expect(errorsOf(outputs)).toEqual([]);
    // identify (names, phone), the cart snapshots (cart fields) and orders (reset) change what MailerLite
    // keeps; a page view or a single Product Added repeats what it already has
    const from = outputs.map((o) =>
      o.metadata.eventType === "track" ? o.metadata.eventName : o.metadata.eventType,
    );
    expect(from.length).toBeGreaterThan(0);
    expect(new Set(from)).toEqual(
      new Set(["identify", "Cart Viewed", "Checkout Started", "Order Completed"]),
    );
    const sent = stream.filter((m) => m.type === "page" || m.event === "Product Added").length;
    expect(sent).toBeGreaterThan(50);
  });

  it("puts the email into batch paths encoded, so any valid address leaves its groups", async () => {
    const email = "ada/shop@example.com";
    const stages = STAGE_COMMANDS.map((c) => ({ ...c, email }) as Command);
    const shopper = { ...profile(), email };
    await deliverAll(toDueMessages(stages, shopper, NOW));
    expect(emulator.subscriber(email)?.groups).toHaveLength(1);
    const replies = await deliverAll([
      track(
        "Order Completed",
        { order_id: "o-78", checkout_id: "ch1", total: 10, currency: "EUR" },
        { context: { traits: { email } } },
      ),
    ]);
    expect(replies[0]?.body).toMatchObject({ failed: 0 });
    expect(emulator.subscriber(email)?.groups).toEqual([]);
  });

  it("drops what MailerLite cannot use: no email, or a single item without the whole cart", async () => {
    const outputs = await runMessages(sandbox, [
      track("Product Added", { cart_id: "c1", product_id: "p1", price: 5, quantity: 1 }),
      track("Checkout Started", { products: [{ product_id: "p1", price: 5, quantity: 1 }] }, { context: {} }),
    ]);
    expect(outputs).toEqual([]);
  });

  it("fails only the event whose stage group has no id, saying which setting to fill", async () => {
    const [stage] = toDueMessages(STAGE_COMMANDS, profile(), NOW);
    const unknown = {
      ...stage,
      messageId: "m-unknown",
      properties: { ...stage?.properties, group: "cartback-stage-9" },
    };
    const outputs = await runMessages(sandbox, [stage as Record<string, unknown>, unknown]);
    expect(outputsOf(outputs)).toHaveLength(1);
    expect(errorsOf(outputs)).toEqual([
      {
        messageId: "m-unknown",
        error: expect.stringContaining(
          'no MailerLite group id for "cartback-stage-9": add it to SETTINGS.groupIds',
        ),
      },
    ]);
  });

  it("says which credential is missing", async () => {
    const bare = await sandboxFor("mailerlite");
    try {
      const [out] = await runMessages(bare, [
        track("Cart Viewed", { cart_id: "c", products: [{ product_id: "p1", price: 5, quantity: 1 }] }),
      ]);
      expect(out?.error).toMatch(/missing credential MAILERLITE_API_TOKEN/);
    } finally {
      bare.dispose();
    }
  });
});
