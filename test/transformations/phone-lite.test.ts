import { createRequire } from "node:module";
import { getCountries, getExampleNumber, parsePhoneNumberFromString } from "libphonenumber-js/min";
import { describe, expect, it } from "vitest";
import { phoneTable } from "../../scripts/build-transformations.js";
import { createPhoneParser } from "../../transformations/src/lib/phone-lite.js";

const examples = createRequire(import.meta.url)("libphonenumber-js/examples.mobile.json");
const lite = createPhoneParser(phoneTable());
const countries = getCountries().filter((c) => getExampleNumber(c, examples));

// national prefixes with digit rewriting (Argentina's 15, Belarus's 8 0) are beyond the light parser
const NATIONAL_EXCEPTIONS = ["AR", "BY"];

describe("the light phone parser in the paste bundles, against libphonenumber-js/min", () => {
  it("accepts every country's example mobile number written in E.164", () => {
    const refused = countries.filter((c) => {
      const example = getExampleNumber(c, examples);
      const parsed = lite(example?.number ?? "");
      return !(parsed?.isValid() && parsed.number === example?.number);
    });
    expect(countries.length).toBeGreaterThan(240);
    expect(refused).toEqual([]);
  });

  it("reads national numbers with the store's region as libphonenumber does", () => {
    const differ = countries.filter((c) => {
      const national = getExampleNumber(c, examples)?.formatNational() ?? "";
      const mine = lite(national, c);
      const theirs = parsePhoneNumberFromString(national, c);
      const valid = theirs?.isValid() ?? false;
      return (mine?.isValid() ?? false) !== valid || (valid && mine?.number !== theirs?.number);
    });
    expect(differ).toEqual(NATIONAL_EXCEPTIONS);
    expect(lite("07911 123456", "GB")?.number).toBe("+447911123456");
    expect(lite("(415) 555-2671", "US")?.isValid()).toBe(true);
    expect(lite("98123 45678", "IN")?.number).toBe("+919812345678");
  });

  it("refuses what is not a number, and nearly always agrees on numbers one digit too long", () => {
    expect(lite("call me maybe", "US")).toBeUndefined();
    expect(lite("12345", undefined)).toBeUndefined();
    expect(lite("+999123456")?.isValid()).toBe(false);
    const disagree = countries.filter((c) => {
      const long = `${getExampleNumber(c, examples)?.number}9`;
      return (lite(long)?.isValid() ?? false) !== (parsePhoneNumberFromString(long)?.isValid() ?? false);
    });
    // under a shared calling code (+39 Italy and Vatican) or with type-specific rules, min knows better
    expect(disagree.length).toBeLessThanOrEqual(3);
  });
});
