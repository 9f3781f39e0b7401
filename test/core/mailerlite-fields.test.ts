import { describe, expect, it } from "vitest";
import { PRESETS } from "../../src/core/journey/index.js";
import {
  formatMoney,
  journeyMailerliteGroups,
  MAILERLITE_FIELDS,
  MAILERLITE_ITEM_SLOTS,
  mailerliteCartFields,
} from "../../src/core/mailerlite-fields.js";
import { makeCart, makeProfile } from "./journey/helpers.js";

const ORIGIN = { stage: 2, step: "email", segment: "first-time-medium", variant: null };

describe("the fields an email step writes to MailerLite", () => {
  it("puts each cart line in its own numbered fields and hides the empty slots", () => {
    const cart = makeCart({
      currency: "INR",
      items: [
        {
          productId: "k",
          name: "Block-print kurta",
          quantity: 1,
          price: 1899,
          imageUrl: "https://cdn/k.jpg",
        },
        { productId: "d", name: "Silk dupatta", quantity: 2, price: 1250 },
      ],
    });
    const fields = mailerliteCartFields({
      profile: makeProfile(),
      cart,
      link: "https://shop/r/abc",
      discount: { percent: 5, code: "COMEBACK5" },
      currency: "USD",
      storeName: "Saree House",
      itemNames: ["Block-print kurta", "Silk dupatta x2"],
      origin: ORIGIN,
    });
    expect(fields).toMatchObject({
      cart_url: "https://shop/r/abc",
      cart_total: 4399,
      cart_total_display: "₹4,399.00",
      cart_item_1_name: "Block-print kurta",
      cart_item_1_qty: 1,
      cart_item_1_price: "₹1,899.00",
      cart_item_1_image: "https://cdn/k.jpg",
      cart_item_1_display: "table-row",
      cart_item_2_name: "Silk dupatta",
      cart_item_2_qty: 2,
      cart_item_1_image_display: "block",
      cart_item_2_image: null,
      cart_item_2_image_display: "none",
      cart_item_3_name: null,
      cart_item_3_display: "none",
      cart_more_items: null,
      discount_code: "COMEBACK5",
      discount_display: "block",
      store_name: "Saree House",
    });
  });

  it("sums up the lines past the slots and hides the discount when there is none", () => {
    const items = Array.from({ length: MAILERLITE_ITEM_SLOTS + 2 }, (_, i) => ({
      productId: `p${i}`,
      name: `Item ${i}`,
      quantity: i === MAILERLITE_ITEM_SLOTS ? 3 : 1,
      price: 10,
    }));
    const fields = mailerliteCartFields({
      profile: makeProfile(),
      cart: makeCart({ items }),
      link: null,
      discount: null,
      currency: "USD",
      storeName: null,
      itemNames: [],
      origin: ORIGIN,
    });
    expect(fields.cart_more_items).toBe("+ 4 more items");
    expect(fields.discount_display).toBe("none");
    expect(fields.discount_code).toBeNull();
    expect(fields[`cart_item_${MAILERLITE_ITEM_SLOTS}_display`]).toBe("table-row");
  });

  it("writes only fields that setup creates", () => {
    const keys = new Set(MAILERLITE_FIELDS.map((f) => f.key));
    const fields = mailerliteCartFields({
      profile: makeProfile(),
      cart: makeCart(),
      link: "x",
      discount: null,
      currency: "USD",
      storeName: null,
      itemNames: [],
      origin: ORIGIN,
    });
    for (const key of Object.keys(fields)) expect(keys).toContain(key);
  });

  it("formats money with the currency's symbol or code", () => {
    expect(formatMoney(1234.5, "USD")).toBe("$1,234.50");
    expect(formatMoney(1899, "inr")).toBe("₹1,899.00");
    expect(formatMoney(12, "CHF")).toBe("12.00 CHF");
    expect(formatMoney(1500, "JPY")).toBe("¥1,500");
    expect(formatMoney(-5, "EUR")).toBe("-€5.00");
  });

  it("lists every group a preset adds shoppers to, alternates included", () => {
    const playbook = journeyMailerliteGroups((PRESETS.playbook as () => never)());
    expect(playbook).toEqual(
      expect.arrayContaining([
        "cartback-stage-1",
        "cartback-stage-1-returning",
        "cartback-loyalty-personal",
        "cartback-stage-3-no-open",
        "cartback-stage-4-no-open",
        "cartback-stage-4-final",
      ]),
    );
    expect(playbook).toHaveLength(11);
    expect(journeyMailerliteGroups((PRESETS.classic as () => never)())).toEqual([
      "cartback-classic-reminder",
      "cartback-classic-coupon",
      "cartback-classic-last-chance",
    ]);
  });
});
