import { describe, expect, it } from "vitest";
import { countSmsSegments, renderSms, renderTemplate } from "../../../src/core/journey/index.js";

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
});

describe("renderSms", () => {
  const template = "{{firstName|Hi}}, still want {{items}}? {{link}}";
  it("shrinks the item list before refusing", () => {
    const names = Array.from({ length: 12 }, (_, i) => `Handmade ceramic mug number ${i + 1}`);
    const render = renderSms(template, { firstName: "Asha", link: "https://s.example/r/abc" }, names, 1);
    expect(render.ok).toBe(true);
    if (render.ok) {
      expect(render.segments).toBe(1);
      expect(render.body).toMatch(/\+\d+ more|your 12 items/);
    }
  });

  it("refuses a message that cannot fit the budget, saying by how much", () => {
    const render = renderSms("😀".repeat(200), {}, [], 2);
    expect(render).toMatchObject({ ok: false, segments: 6 });
    if (!render.ok) expect(render.reason).toContain("budget of 2");
  });
});
