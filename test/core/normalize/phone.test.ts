import fc from "fast-check";
import {
  type CountryCode,
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from "libphonenumber-js/min";
import examples from "libphonenumber-js/mobile/examples";
import { describe, expect, it } from "vitest";
import { normalizePhone } from "../../../src/core/normalize/phone.js";
import { validateE164 } from "../../../src/core/normalize/phone-e164.js";

/** what libphonenumber-js itself says of a number: its E.164 when valid */
function reference(text: string, region?: string): string | undefined {
  const parsed = parsePhoneNumberFromString(text, region as CountryCode | undefined);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** a small seeded generator, so a failure names numbers that come back on the next run */
function digitsFrom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return String(state % 10);
  };
}

/** valid example numbers of every country, and numbers around them: other endings, other lengths */
function numbersNearExamples(): string[] {
  const next = digitsFrom(42);
  const out: string[] = [];
  for (const [country, national] of Object.entries(examples as Record<string, string>)) {
    if (!isSupportedCountry(country as CountryCode)) continue;
    const head = `+${getCountryCallingCode(country as CountryCode)}`;
    out.push(head + national);
    for (let i = 0; i < 40; i++) {
      const keep = national.length - 1 - (i % 4);
      let tail = "";
      for (let k = keep; k < national.length; k++) tail += next();
      out.push(head + national.slice(0, keep) + tail);
    }
    out.push(head + national + next(), head + national.slice(0, -1), head + next() + national.slice(1));
  }
  return out;
}

describe("E.164 validation", () => {
  it("gives libphonenumber-js's answer for every country's example numbers and the numbers around them", () => {
    const numbers = numbersNearExamples();
    let decided = 0;
    let valid = 0;
    const wrong: string[] = [];
    for (const number of numbers) {
      const fast = validateE164(number);
      if (fast === undefined) continue;
      decided++;
      const expected = reference(number);
      if (fast) valid++;
      if (fast !== (expected !== undefined) || (fast && expected !== number)) wrong.push(number);
    }
    expect(wrong).toEqual([]);
    // the checks above ran on real decisions: most numbers are decided here, valid and invalid ones
    expect(numbers.length).toBeGreaterThan(9_000);
    expect(decided / numbers.length).toBeGreaterThan(0.9);
    expect(valid).toBeGreaterThan(numbers.length / 4);
    expect(decided - valid).toBeGreaterThan(numbers.length / 40);
  });

  it("gives libphonenumber-js's answer for arbitrary E.164-shaped strings", () => {
    // calling codes shared by several countries (+1, +7, +44, +262, +590) are where the country is chosen
    const numbers = fc.oneof(
      fc.stringMatching(/^\+[1-9]\d{7,14}$/),
      fc.stringMatching(/^\+1[2-9]\d{9}$/),
      fc.stringMatching(/^\+7\d{10}$/),
      fc.stringMatching(/^\+44[1-9]\d{8,9}$/),
      fc.stringMatching(/^\+(262|590|599|61|47|358|212)\d{6,10}$/),
    );
    fc.assert(
      fc.property(numbers, (number) => {
        const fast = validateE164(number);
        if (fast !== undefined) expect(fast ? number : undefined).toBe(reference(number));
      }),
      { numRuns: 3_000 },
    );
  });

  it("decides North American and British mobile numbers itself", () => {
    for (const number of ["+14155550123", "+16135550123", "+12684641234", "+447911123456", "+447400123456"]) {
      expect(validateE164(number)).toBe(true);
    }
    // 555-01xx is reserved for fiction in the US, and 020 7946 0xxx in London; both still valid numbers
    expect(validateE164("+14155550100")).toBe(reference("+14155550100") === "+14155550100");
    expect(validateE164("+10234567890")).toBe(false); // no area code starts with 0
    expect(validateE164("+4479111234567")).toBe(false); // a digit too many
  });

  it("leaves what it does not decide to libphonenumber-js", () => {
    expect(validateE164("(415) 555-0123")).toBeUndefined();
    expect(validateE164("+44 7911 123456")).toBeUndefined();
    expect(validateE164("+4407911123456")).toBeUndefined(); // a national prefix after the calling code
    expect(validateE164("+11234567890")).toBeUndefined(); // the national prefix 1 again
    expect(validateE164("+80012345678")).toBeUndefined(); // non-geographic calling code
  });
});

describe("normalizePhone", () => {
  it("agrees with libphonenumber-js whatever the default region", () => {
    const numbers = [
      "+14155550123",
      "+447911123456",
      "+4407911123456",
      "+919812345678",
      "+11234567890",
      "(415) 555-0123",
      "07911 123456",
      "98123 45678",
      "whatsapp:+14155550123",
      "not a phone",
    ];
    for (const region of [undefined, "US", "GB", "IN", "UK", "ZZ"]) {
      for (const number of numbers) {
        const text = number.replace(/^whatsapp:/, "");
        const expected = reference(text, region);
        expect(normalizePhone(number, region), `${number} in ${region}`).toEqual(
          expected ? { e164: expected } : { invalid: number },
        );
      }
    }
  });
});
