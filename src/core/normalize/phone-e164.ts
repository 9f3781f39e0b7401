import { Metadata } from "libphonenumber-js/min";

/**
 * A number already in E.164 (what Shopify, most checkouts and Twilio send) is checked the way
 * libphonenumber-js checks it — the calling code, the country chosen among those sharing it (by leading
 * digits, else by number type), then that country's national pattern, or its number types where the
 * metadata has them — against the same metadata, but with each pattern compiled once instead of on
 * every call, which is most of libphonenumber-js's time for +1 and +44 numbers. Whatever this path does
 * not decide exactly (a leading national prefix, a non-geographic calling code, metadata of another
 * shape) goes to libphonenumber-js itself; a differential test holds the two to the same answers.
 */

/** the parts of libphonenumber-js's `Metadata` read here; not in its type declarations */
interface PlanData {
  nationalNumberPattern(): string;
  nationalPrefixForParsing(): string | undefined;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(name: string): { pattern(): string; possibleLengths(): number[] | undefined } | undefined;
}
interface MetadataData {
  hasCallingCode(code: string): boolean;
  getCountryCodesForCallingCode(code: string): string[] | undefined;
  selectNumberingPlan(countryOrCode: string): unknown;
  numberingPlan: PlanData;
}

interface TypeRule {
  pattern: RegExp;
  lengths: number[] | undefined;
}
interface CountryPlan {
  national: RegExp;
  leading: RegExp | undefined;
  hasTypes: boolean;
  /** FIXED_LINE first, then the others in libphonenumber-js's order */
  types: TypeRule[];
}
interface CallingPlan {
  countries: CountryPlan[];
  /** the plan of the calling code's main country (the first listed) */
  main: CountryPlan;
  prefixForParsing: RegExp | undefined;
}

const TYPE_ORDER = [
  "FIXED_LINE",
  "MOBILE",
  "PREMIUM_RATE",
  "TOLL_FREE",
  "SHARED_COST",
  "VOIP",
  "PERSONAL_NUMBER",
  "PAGER",
  "UAN",
  "VOICEMAIL",
];
const E164 = /^\+[1-9]\d{7,14}$/;

let metadata: MetadataData | null | undefined;
const callingPlans = new Map<string, CallingPlan | null>();

const METADATA_METHODS = ["hasCallingCode", "getCountryCodesForCallingCode", "selectNumberingPlan"] as const;
const PLAN_METHODS = [
  "nationalNumberPattern",
  "nationalPrefixForParsing",
  "leadingDigits",
  "hasTypes",
  "type",
] as const;

/** libphonenumber-js's metadata, when it has every method this path reads; else null (path off) */
function readMetadata(): MetadataData | null {
  if (metadata !== undefined) return metadata;
  metadata = null;
  const candidate = new Metadata() as unknown as Partial<MetadataData>;
  if (METADATA_METHODS.some((name) => typeof candidate[name] !== "function")) return metadata;
  try {
    (candidate as MetadataData).selectNumberingPlan("1");
  } catch {
    return metadata;
  }
  const plan = candidate.numberingPlan as Partial<PlanData> | undefined;
  if (plan && PLAN_METHODS.every((name) => typeof plan[name] === "function"))
    metadata = candidate as MetadataData;
  return metadata;
}

function whole(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

function countryPlan(data: MetadataData, selector: string): CountryPlan {
  data.selectNumberingPlan(selector);
  const plan = data.numberingPlan;
  const leading = plan.leadingDigits();
  const hasTypes = plan.hasTypes();
  const types: TypeRule[] = [];
  if (hasTypes) {
    for (const name of TYPE_ORDER) {
      const type = plan.type(name);
      const pattern = type?.pattern();
      if (type && pattern) types.push({ pattern: whole(pattern), lengths: type.possibleLengths() });
    }
  }
  return {
    national: whole(plan.nationalNumberPattern()),
    leading: leading ? new RegExp(leading) : undefined,
    hasTypes,
    types,
  };
}

/** the compiled plan of a calling code; null when this path does not handle it */
function callingPlan(data: MetadataData, code: string): CallingPlan | null {
  const known = callingPlans.get(code);
  if (known !== undefined) return known;
  let plan: CallingPlan | null = null;
  const countries = data.getCountryCodesForCallingCode(code);
  if (countries && countries.length > 0) {
    const main = countryPlan(data, code);
    const prefix = data.numberingPlan.nationalPrefixForParsing();
    plan = {
      main,
      countries: countries.length === 1 ? [main] : countries.map((country) => countryPlan(data, country)),
      prefixForParsing: prefix ? new RegExp(`^(?:${prefix})`) : undefined,
    };
  }
  callingPlans.set(code, plan);
  return plan;
}

/** libphonenumber-js's "has a number type": the national pattern, then any type's */
function hasNumberType(plan: CountryPlan, national: string): boolean {
  if (!plan.national.test(national)) return false;
  for (const rule of plan.types) {
    if (rule.lengths && !rule.lengths.includes(national.length)) continue;
    if (rule.pattern.test(national)) return true;
  }
  return false;
}

/**
 * whether an E.164 string is a valid number, as libphonenumber-js would say; undefined when this
 * path cannot decide it (then ask libphonenumber-js)
 */
export function validateE164(text: string): boolean | undefined {
  if (!E164.test(text)) return undefined;
  const data = readMetadata();
  if (!data) return undefined;
  let plan: CallingPlan | null = null;
  let national = "";
  for (let length = 1; length <= 3; length++) {
    const code = text.slice(1, 1 + length);
    if (!data.hasCallingCode(code)) continue;
    plan = callingPlan(data, code);
    national = text.slice(1 + length);
    break;
  }
  if (!plan || national.length < 2 || national.length > 17) return undefined;
  // a national prefix after the calling code (`+44 07…`) is stripped or kept by rules not repeated here
  if (plan.prefixForParsing?.test(national)) return undefined;
  let country: CountryPlan | undefined;
  if (plan.countries.length === 1) country = plan.countries[0];
  else {
    country = plan.countries.find((c) =>
      c.leading ? national.search(c.leading) === 0 : hasNumberType(c, national),
    );
  }
  const selected = country ?? plan.main;
  return selected.hasTypes ? hasNumberType(selected, national) : selected.national.test(national);
}
