import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeEvent } from "../../src/core/normalize/index.js";
import { errorsOf, outputsOf, ROOT, runMessages, sandboxFor, shopifyCheckout, track } from "./helpers.js";
import type { Sandbox } from "./sandbox.js";

interface Fixture {
  description: string;
  input: unknown;
  events?: { type: string }[];
  issues?: { code: string; path: (string | number)[] }[];
}

function fixtures(name: string): Fixture[] {
  return JSON.parse(
    readFileSync(resolve(ROOT, "test/fixtures/normalize", `${name}.json`), "utf8"),
  ) as Fixture[];
}

const OK_FIXTURES = [
  "rudderstack-spec",
  "shopify-source",
  "shopify-webhook",
  "woocommerce",
  "consent",
  "engagement",
].flatMap(fixtures);
const BAD_FIXTURES = fixtures("rejections");

/** a fixture as RudderStack delivers it: raw store webhooks arrive wrapped by the Webhook source */
function delivered(input: unknown, messageId: string): Record<string, unknown> {
  if (input !== null && typeof input === "object" && !Array.isArray(input) && "type" in input) {
    return { ...(input as Record<string, unknown>), messageId };
  }
  return { type: "track", event: "webhook_source_event", messageId, properties: input };
}

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await sandboxFor("normalize-cart-events");
});
afterAll(() => sandbox.dispose());

describe("normalize-cart-events in the RudderStack sandbox", () => {
  it("passes a Segment-style event on as the spec event with contact fields filled in", async () => {
    const message = track("product added", {
      cart_id: "c1",
      product_id: "p1",
      price: "19.99",
      quantity: "2",
      name: "Tee",
    });
    const outputs = await runMessages(sandbox, [message]);
    expect(errorsOf(outputs)).toEqual([]);
    expect(outputsOf(outputs)).toMatchObject([
      {
        type: "track",
        event: "Product Added",
        messageId: message.messageId,
        anonymousId: "anon-1",
        timestamp: "2026-03-02T10:00:00.000Z",
        context: { traits: { email: "ada@example.com", phone: "+14155550100" } },
        properties: { cart_id: "c1", product_id: "p1", quantity: 2, price: 19.99, name: "Tee" },
      },
    ]);
  });

  it("turns a raw Shopify checkout webhook into Checkout Started carrying the shopper's consent", async () => {
    const message = {
      type: "track",
      event: "webhook_source_event",
      messageId: "wh-1",
      properties: shopifyCheckout(901),
    };
    const outputs = outputsOf(await runMessages(sandbox, [message]));
    expect(outputs).toHaveLength(1);
    const [checkout] = outputs;
    expect(checkout?.event).toBe("Checkout Started");
    expect(checkout?.properties).toMatchObject({
      cart_id: "901",
      cart_refs: expect.arrayContaining(["901", "tok-901", "cart-901"]),
      checkout_url: "https://shop.example.com/checkouts/901/recover",
      currency: "GBP",
      value: 59,
      products: [
        { product_id: "11", sku: "TEE-M", name: "Tee", quantity: 2, price: 19.5 },
        { product_id: "12", sku: "CAP", name: "Cap", quantity: 1, price: 20 },
      ],
    });
    expect(checkout?.context).toMatchObject({
      traits: { email: "grace@example.com", phone: "+442071838750", email_opt_in: true, sms_opt_in: true },
    });
  });

  it("keeps the consent RudderStack's Shopify source carries in context.shopifyDetails (pixel flow) and in properties (legacy flow)", async () => {
    const checkout = { ...shopifyCheckout(903), email: "sam@example.com", phone: "+16135550142" };
    const products = [{ product_id: "11", sku: "TEE-M", name: "Tee", price: 19.5, quantity: 2 }];
    const pixel = {
      type: "track",
      event: "Checkout Started Webhook",
      messageId: "pixel-1",
      anonymousId: "5c1a7e0e-cart-hash",
      timestamp: "2026-03-02T10:00:00.000Z",
      traits: { email: "sam@example.com", cart_token_hash: "5c1a7e0e-cart-hash", shippingAddress: [] },
      context: {
        library: { eventOrigin: "server", name: "RudderStack Shopify Cloud", version: "2.0.0" },
        topic: "checkouts_create",
        cart_token: "cart-903",
        shopifyDetails: { ...checkout, shipping_address: [] },
      },
      properties: { order_id: "903", currency: "GBP", value: 39, products },
    };
    const legacy = {
      type: "track",
      event: "Checkout Started Webhook",
      messageId: "legacy-1",
      anonymousId: "b3f5",
      timestamp: "2026-03-02T10:00:00.000Z",
      traits: { email: "sam@example.com" },
      context: {
        library: { name: "RudderStack Shopify Cloud", version: "1.0.0" },
        integration: { name: "SHOPIFY" },
        cart_token: "cart-903",
        checkout_token: "tok-903",
      },
      properties: {
        order_id: "903",
        token: "tok-903",
        buyer_accepts_marketing: true,
        buyer_accepts_sms_marketing: true,
        phone: "+16135550142",
        currency: "GBP",
        products,
      },
    };
    const outputs = await runMessages(sandbox, [pixel, legacy]);
    expect(errorsOf(outputs)).toEqual([]);
    const out = outputsOf(outputs);
    expect(out.map((o) => o.event)).toEqual(["Checkout Started", "Checkout Started"]);
    for (const message of out) {
      expect(message.context).toMatchObject({
        traits: { email: "sam@example.com", phone: "+16135550142", email_opt_in: true, sms_opt_in: true },
      });
    }
  });

  it("reads a raw Shopify checkout for a digital cart, whose addresses and customer are []", async () => {
    const digital = {
      ...shopifyCheckout(904),
      shipping_address: [],
      billing_address: [],
      customer: [],
      shipping_lines: [],
    };
    const outputs = await runMessages(sandbox, [
      { type: "track", event: "webhook_source_event", messageId: "wh-digital", properties: digital },
    ]);
    expect(errorsOf(outputs)).toEqual([]);
    expect(outputsOf(outputs).map((o) => [o.event, (o.properties as Record<string, unknown>).value])).toEqual(
      [["Checkout Started", 59]],
    );
  });

  it("passes pages, screens and browsing events through unchanged: they are activity, not checkout steps", async () => {
    const page = {
      type: "page",
      name: "Home",
      messageId: "page-1",
      anonymousId: "anon-1",
      timestamp: "2026-03-02T10:00:00.000Z",
      context: { traits: { email: "ada@example.com", email_opt_in: true }, page: { path: "/" } },
      properties: { path: "/", title: "Home" },
    };
    const screen = { ...page, type: "screen", messageId: "screen-1", name: "Cart" };
    const viewed = track("Product Viewed", { product_id: "p1", name: "Tee", price: 19.99 });
    const step = track("Checkout Step Viewed", { checkout_id: "ch1", step: 2 });
    const outputs = await runMessages(sandbox, [page, screen, viewed, step]);
    expect(errorsOf(outputs)).toEqual([]);
    expect(outputsOf(outputs)).toEqual([page, screen, viewed, step]);
  });

  it("fans out a message that says two things: a checkout update that completed is also the order", async () => {
    const completed = { ...shopifyCheckout(902), completed_at: "2026-03-02T09:30:00Z" };
    const outputs = await runMessages(sandbox, [
      { type: "track", event: "webhook_source_event", messageId: "wh-2", properties: completed },
    ]);
    expect(outputsOf(outputs).map((o) => o.event)).toEqual(["Checkout Started", "Order Completed"]);
    expect(outputs.map((o) => o.metadata.messageId)).toEqual(["wh-2", "wh-2"]);
  });

  it("drops events cartback never uses", async () => {
    const outputs = await runMessages(sandbox, [track("Product Reviewed", { product_id: "p1", rating: 5 })]);
    expect(outputs).toEqual([]);
  });

  it("fails a bad event alone, saying what is wrong and where", async () => {
    const good = track("Product Added", { cart_id: "c1", product_id: "p1", price: 5, quantity: 1 });
    const bad = track("Product Added", { cart_id: "c1", product_id: "p2", price: "five", quantity: 1 });
    const outputs = await runMessages(sandbox, [good, bad]);
    expect(outputsOf(outputs).map((o) => o.messageId)).toEqual([good.messageId]);
    const [error] = errorsOf(outputs);
    expect(error?.messageId).toBe(bad.messageId);
    expect(error?.error).toMatch(
      new RegExp(
        `^Error: cannot use track "Product Added" \\(messageId ${bad.messageId}\\): properties\\.price: `,
      ),
    );
  });

  it("handles a batch of 200 mixed events: every fixture's events come out, every rejection fails alone", async () => {
    const pool = [
      ...OK_FIXTURES.map((f) => ({ f, ok: true })),
      ...BAD_FIXTURES.map((f) => ({ f, ok: false })),
    ];
    const batch = Array.from({ length: 200 }, (_, i) => {
      const pick = pool[i % pool.length] as { f: Fixture; ok: boolean };
      return { ...pick, message: delivered(pick.f.input, `batch-${i}`) };
    });
    const outputs = await runMessages(
      sandbox,
      batch.map((b) => b.message),
    );
    for (const { f, ok, message } of batch) {
      const mine = outputs.filter((o) => o.metadata.messageId === message.messageId);
      if (!ok) {
        // rejections whose input cannot even carry a messageId lose their metadata, as in RudderStack
        if (typeof f.input === "object" && f.input !== null && !Array.isArray(f.input) && "type" in f.input) {
          expect(
            mine.map((o) => o.error !== undefined),
            f.description,
          ).toEqual([true]);
        }
        continue;
      }
      expect(errorsOf(mine), f.description).toEqual([]);
      // what comes out reads back as the same kinds of cart events (consent travels as identify calls)
      const kinds = (types: string[]) => new Set(types.filter((t) => t !== "identified"));
      const reread = mine.flatMap((o) => {
        const again = normalizeEvent(o.transformedEvent);
        return again.success ? again.data.map((e) => e.type) : ["unreadable"];
      });
      expect(kinds(reread), f.description).toEqual(kinds((f.events ?? []).map((e) => e.type)));
    }
  });
});
