/**
 * Every preset SMS reads cleanly whatever is missing: no first name, no discount, one item or many,
 * names in any script. A text with no way back to the cart is not sent.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PRESETS, renderSms } from "../../../src/core/journey/index.js";
import { renderTemplate, type TemplateValues } from "../../../src/core/journey/template.js";
import { DAY, drive, makeCart, makeProfile, T0, WHATSAPP_TEMPLATES } from "./helpers.js";

const templates = Object.entries(PRESETS).flatMap(([preset, make]) =>
  make().stages.flatMap((stage) =>
    stage.steps.flatMap((step) => [
      ...(step.channel === "sms"
        ? [{ where: `${preset} ${stage.stage}/${step.id}`, template: step.template }]
        : []),
      ...(step.alternates ?? []).flatMap((a) =>
        a.template
          ? [{ where: `${preset} ${stage.stage}/${step.id}/${a.variant}`, template: a.template }]
          : [],
      ),
    ]),
  ),
);

const names = fc.constantFrom("Asha", "José", "Łukasz", "O'Neil", "अनन्या", "张伟", "Мария", "محمد", "Ngozi");
const products = fc.constantFrom(
  "Linen shirt",
  "Handwoven cotton kurta",
  "Scarf x2",
  "Чайник",
  "茶杯",
  "साड़ी",
  "Café crème, 250 g",
);
const values = fc.record(
  {
    firstName: names,
    link: fc.constantFrom("https://shop.example.com/r/abc", "https://shop.example.com/cart?id=42"),
    discount: fc.constantFrom(["COMEBACK10", "10"], ["CB-7K2M9QXA", "15"]),
    storeName: fc.constantFrom("Example Store", "Kapda"),
  },
  { requiredKeys: [] },
);

describe("preset SMS copy", () => {
  it("finds the presets' SMS templates", () => {
    expect(templates.length).toBeGreaterThanOrEqual(5);
  });

  it.each(templates.map((t) => [t.where, t.template] as const))(
    "%s renders cleanly for every cart",
    (_w, template) => {
      fc.assert(
        fc.property(values, fc.array(products, { minLength: 1, maxLength: 6 }), (v, items) => {
          const filled: Omit<TemplateValues, "items"> = {
            itemCount: String(items.length),
            cartTotal: "120.00",
          };
          if (v.firstName) filled.firstName = v.firstName;
          if (v.link) filled.link = v.link;
          if (v.discount) {
            filled.discountCode = v.discount[0];
            filled.discountPercent = v.discount[1];
          }
          if (v.storeName) filled.storeName = v.storeName;
          const sms = renderSms(template, filled, items, 3);
          expect(sms.success).toBe(true);
          if (!sms.success) return;
          const body = sms.data.body;
          expect(body).not.toMatch(/ {2}/);
          expect(body).not.toMatch(/\s[,.:;!?]/);
          expect(body).not.toMatch(/[,:;]\s*[,.:;!?]/);
          expect(body).not.toMatch(/^[\s,.:;!?]/);
          expect(body).not.toMatch(/[\s,:;]$/);
          expect(body).not.toMatch(/\{\{|\}\}/);
          if (v.link) expect(body).toContain(v.link);
          if (v.firstName) expect(body).toContain(v.firstName);
          if (v.discount && template.includes("discountCode")) expect(body).toContain(v.discount[0]);
        }),
        { numRuns: 300 },
      );
    },
  );

  it("the coordinated final SMS without a first name: no space before the colon", () => {
    const template = templates.find((t) => t.where === "coordinated 3/sms")!.template;
    const sms = renderSms(template, { link: "https://shop.example.com/r/x" }, ["Lamp"], 2);
    expect(sms.success && sms.data.body).toBe(
      "Last chance: items in your cart are selling fast and we can only hold it today. https://shop.example.com/r/x",
    );
  });
});

const whatsappSteps = Object.entries(PRESETS).flatMap(([preset, make]) =>
  make().stages.flatMap((stage) =>
    stage.steps.flatMap((step) =>
      step.channel === "whatsapp" ? [{ where: `${preset} ${stage.stage}/${step.id}`, step }] : [],
    ),
  ),
);

describe("preset WhatsApp variables", () => {
  it.each(whatsappSteps.map((w) => [w.where, w.step] as const))(
    "%s: every variable has a value for every cart with a link (WhatsApp refuses an empty one)",
    (_w, step) => {
      if (step.channel !== "whatsapp") return;
      fc.assert(
        fc.property(values, fc.array(products, { minLength: 1, maxLength: 6 }), (v, items) => {
          const filled: TemplateValues = { items: items.join(", "), link: "https://shop.example.com/r/abc" };
          if (v.firstName) filled.firstName = v.firstName;
          if (v.discount) {
            filled.discountCode = v.discount[0];
            filled.discountPercent = v.discount[1];
          }
          for (const [n, t] of Object.entries(step.variables)) {
            const value = renderTemplate(t, filled).trim();
            expect(value, `{{${n}}}`).not.toBe("");
            expect(value).not.toMatch(/\{\{|\}\}/);
            if (v.discount && t.includes("discountCode")) expect(value).toContain(v.discount[0]);
          }
        }),
        { numRuns: 200 },
      );
    },
  );
});

describe("a text whose cart has no restore URL", () => {
  const noLink = makeProfile({
    carts: [
      makeCart({ items: [{ productId: "x", name: "Lamp", quantity: 1, price: 60 }], checkoutUrl: undefined }),
    ],
  });

  it("carries the shop's URL when the planner knows it", () => {
    const { emitted } = drive(PRESETS.coordinated!(), noLink, [], T0 + 2 * DAY, {
      shopUrl: "https://shop.example.com/cart",
    });
    const texts = emitted.filter((e) => e.command.type === "twilio.sendSms").map((e) => e.command);
    expect(texts).toHaveLength(2);
    for (const t of texts) expect((t as { body: string }).body).toContain("https://shop.example.com/cart");
  });

  it("is not sent without the shop's URL either: the email goes, the texts are skipped as no_link", () => {
    for (const preset of ["classic", "coordinated", "playbook"] as const) {
      const journey = PRESETS[preset]!({ whatsappTemplates: WHATSAPP_TEMPLATES });
      const { emitted, profile } = drive(journey, noLink, [], T0 + 40 * DAY);
      const channels = emitted.filter((e) => e.command.kind === "message").map((e) => e.command.channel);
      expect(channels, preset).toContain("email");
      expect(
        channels.filter((c) => c !== "email"),
        preset,
      ).toEqual([]);
      const skipped = Object.values(profile.journeys).flatMap((i) => i.skipped ?? []);
      const texts = skipped.filter((s) => s.channel === "sms" || s.channel === "whatsapp");
      expect(texts.length, preset).toBeGreaterThan(0);
      expect(new Set(texts.map((s) => s.reason)), preset).toEqual(new Set(["no_link"]));
    }
  });
});
