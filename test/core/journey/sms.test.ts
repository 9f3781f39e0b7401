import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countSmsSegments, renderSms, renderTemplate } from "../../../src/core/journey/index.js";
import { formatAmount } from "../../../src/core/journey/step-commands.js";
import {
  renderTemplateByPattern,
  requiresValue,
  TEMPLATE_VARIABLES,
  unknownTemplateVariables,
} from "../../../src/core/journey/template.js";

describe("SMS segments", () => {
  it("counts GSM-7 septets, with extension characters costing two", () => {
    expect(countSmsSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", units: 160, segments: 1 });
    expect(countSmsSegments("a".repeat(161))).toEqual({ encoding: "GSM-7", units: 161, segments: 2 });
    expect(countSmsSegments("a".repeat(306)).segments).toBe(2);
    expect(countSmsSegments("a".repeat(307)).segments).toBe(3);
    expect(countSmsSegments(`${"a".repeat(159)}€`)).toEqual({ encoding: "GSM-7", units: 161, segments: 2 });
    expect(countSmsSegments("Café Ñoño £5 @ home").encoding).toBe("GSM-7");
    // ú is not in the GSM alphabet (ù is)
    expect(countSmsSegments("Ñandú").encoding).toBe("UCS-2");
  });

  it("switches to UCS-2 for characters outside GSM-7, counting UTF-16 units", () => {
    expect(countSmsSegments("नमस्ते")).toMatchObject({ encoding: "UCS-2", segments: 1 });
    expect(countSmsSegments("a".repeat(69) + "✓")).toEqual({ encoding: "UCS-2", units: 70, segments: 1 });
    expect(countSmsSegments("a".repeat(70) + "✓")).toEqual({ encoding: "UCS-2", units: 71, segments: 2 });
    // an emoji is two UTF-16 units
    expect(countSmsSegments("🛒".repeat(35)).units).toBe(70);
    expect(countSmsSegments(`${"a".repeat(134)}🛒`).segments).toBe(3);
  });
});

describe("templates", () => {
  it("fills values, fallbacks and sections", () => {
    const t = "{{firstName|Hi}}, {{items}}.{{#discountCode}} Code {{discountCode}}.{{/discountCode}}";
    expect(renderTemplate(t, { firstName: "Asha", items: "a shirt", discountCode: "X5" })).toBe(
      "Asha, a shirt. Code X5.",
    );
    expect(renderTemplate(t, { items: "a shirt" })).toBe("Hi, a shirt.");
  });

  it("keeps an inverted section only when its value is missing", () => {
    const t =
      "{{#discountCode}}Use {{discountCode}}.{{/discountCode}}{{^discountCode}}No code needed.{{/discountCode}}";
    expect(renderTemplate(t, { discountCode: "X5" })).toBe("Use X5.");
    expect(renderTemplate(t, {})).toBe("No code needed.");
    expect(renderTemplate(t, { discountCode: "" })).toBe("No code needed.");
    expect(unknownTemplateVariables("{{^coupon}}x{{/coupon}}")).toEqual(["coupon"]);
  });

  it("knows which templates need a value: shown with no fallback, outside its own section", () => {
    expect(requiresValue("Back to your cart: {{link}}", "link")).toBe(true);
    expect(requiresValue("{{^discountCode}}{{link}}{{/discountCode}}", "link")).toBe(true);
    expect(requiresValue("Back to your cart: {{link|our shop}}", "link")).toBe(false);
    expect(requiresValue("Hi.{{#link}} Back: {{link}}{{/link}}", "link")).toBe(false);
    expect(requiresValue("Reply to this text", "link")).toBe(false);
  });

  it("renders exactly as the pattern reference does, odd templates included", () => {
    const name = fc.constantFrom(...TEMPLATE_VARIABLES, "unknown");
    const token = fc.oneof(
      fc.constantFrom(" ", "  ", "Hi", "{", "}", "{{", "}}", "|", "#", "/", ". ", "!"),
      name.map((n) => `{{${n}}}`),
      fc.tuple(name, fc.constantFrom("", "Hi", "a b", "x  y")).map(([n, f]) => `{{ ${n} |${f}}}`),
      name.map((n) => `{{#${n}}}`),
      name.map((n) => `{{^${n}}}`),
      name.map((n) => `{{/${n}}}`),
    );
    const template = fc.array(token, { maxLength: 14 }).map((t) => t.join(""));
    const values = fc.dictionary(
      fc.constantFrom(...TEMPLATE_VARIABLES),
      fc.constantFrom("", "Asha", "a  shirt", "{{link}}", "10"),
    );
    fc.assert(
      fc.property(template, values, (t, v) => {
        expect(renderTemplate(t, v)).toBe(renderTemplateByPattern(t, v));
        // twice: the second call uses the compiled template
        expect(renderTemplate(t, v)).toBe(renderTemplateByPattern(t, v));
      }),
      { numRuns: 2000 },
    );
  });

  it("writes amounts with two decimals and thousands separators", () => {
    expect(formatAmount(0)).toBe("0.00");
    expect(formatAmount(999.999)).toBe("1,000.00");
    expect(formatAmount(1234567.891)).toBe("1,234,567.89");
    expect(formatAmount(-1234.5)).toBe("-1,234.50");
    // the regular expression it replaced, for every amount short of exponent notation
    const reference = (v: number) => v.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    fc.assert(
      fc.property(fc.double({ min: -1e20, max: 1e20, noNaN: true }), (v) => {
        expect(formatAmount(v)).toBe(reference(v));
      }),
    );
  });
});

describe("renderSms", () => {
  const template = "{{firstName|Hi}}, still want {{items}}? {{link}}";
  it("shrinks the item list before refusing", () => {
    const names = Array.from({ length: 12 }, (_, i) => `Handmade ceramic mug number ${i + 1}`);
    const render = renderSms(template, { firstName: "Asha", link: "https://s.example/r/abc" }, names, 1);
    expect(render.success).toBe(true);
    if (render.success) {
      expect(render.data.segments).toBe(1);
      // the most names that fit one segment (a fourth would make it 171 characters), then the count
      expect(render.data.body).toBe(
        "Asha, still want Handmade ceramic mug number 1, Handmade ceramic mug number 2, Handmade ceramic mug number 3 +9 more? https://s.example/r/abc",
      );
    }
  });

  it("falls back to the number of items when not even the first name fits", () => {
    const names = Array.from({ length: 12 }, (_, i) => `Handmade ceramic mug number ${i + 1}`);
    const link = `https://s.example/r/${"a".repeat(100)}`;
    const render = renderSms(template, { firstName: "Asha", link }, names, 1);
    expect(render).toMatchObject({
      success: true,
      data: { body: `Asha, still want your 12 items? ${link}` },
    });
  });

  it("refuses a message that cannot fit the budget, saying by how much", () => {
    const render = renderSms("😀".repeat(200), {}, [], 2);
    expect(render).toMatchObject({ success: false, error: { segments: 6 } });
    if (!render.success) expect(render.error.reason).toContain("budget of 2");
  });
});
