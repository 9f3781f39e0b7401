/**
 * A small stand-in for `libphonenumber-js/min` in paste bundles, where its 120 KB of code and metadata
 * would not fit. It keeps libphonenumber's own data for every country (calling code, national prefix,
 * national number pattern, possible lengths) and checks a number against it, which is what `min`
 * validation does, but it has no per-leading-digit country detection: a number under a shared calling
 * code (+1, +7, +44) is valid when it fits any country using that code.
 */

/** country → [calling code, national number pattern, possible lengths, national prefix] */
export type PhoneTable = Record<string, [string, string, number[], string | null]>;

export interface LitePhoneNumber {
  /** E.164 */
  number: string;
  isValid(): boolean;
}

interface Entry {
  code: string;
  prefix: string | undefined;
  pattern: RegExp;
  lengths: number[];
}

function fits(entry: Entry, national: string): boolean {
  return entry.lengths.includes(national.length) && entry.pattern.test(national);
}

const EXTENSION = /(ext\.?|x)\s*\d+$/i;

/**
 * a `parsePhoneNumberFromString` over a table taken from libphonenumber's metadata; given as a
 * function, the table is built at the first number, not when the bundle is evaluated
 */
export function createPhoneParser(table: PhoneTable | (() => PhoneTable)) {
  const byCountry = new Map<string, Entry>();
  const byCallingCode = new Map<string, Entry[]>();
  let indexed = false;

  function index(): void {
    const data = typeof table === "function" ? table() : table;
    for (const [country, [code, pattern, lengths, prefix]] of Object.entries(data)) {
      const entry: Entry = {
        code,
        prefix: prefix ?? undefined,
        pattern: new RegExp(`^(?:${pattern})$`),
        lengths,
      };
      byCountry.set(country, entry);
      const list = byCallingCode.get(code) ?? [];
      list.push(entry);
      byCallingCode.set(code, list);
    }
    indexed = true;
  }

  /** parses an international (`+…`, `00…`) or national number; undefined when it cannot be read at all */
  return function parsePhoneNumberFromString(text: string, country?: string): LitePhoneNumber | undefined {
    if (!indexed) index();
    const trimmed = text.trim().replace(EXTENSION, "");
    // letters mean this is not a phone number
    if (/[a-z]/i.test(trimmed)) return undefined;
    const digits = trimmed.replace(/\D/g, "");
    if (digits.length < 2) return undefined;
    if (/^(\+|00)/.test(trimmed)) {
      const all = trimmed.startsWith("+") ? digits : digits.slice(2);
      for (let n = 1; n <= 3; n++) {
        const entries = byCallingCode.get(all.slice(0, n));
        if (!entries) continue;
        const national = all.slice(n);
        const valid = entries.some((e) => fits(e, national));
        return { number: `+${all}`, isValid: () => valid };
      }
      return { number: `+${all}`, isValid: () => false };
    }
    const entry = country ? byCountry.get(country) : undefined;
    if (!entry) return undefined;
    let national = digits;
    if (entry.prefix && national.startsWith(entry.prefix) && !fits(entry, national)) {
      national = national.slice(entry.prefix.length);
    }
    // the country code typed without its plus
    if (
      !fits(entry, national) &&
      national.startsWith(entry.code) &&
      fits(entry, national.slice(entry.code.length))
    ) {
      national = national.slice(entry.code.length);
    }
    const valid = fits(entry, national);
    return { number: `+${entry.code}${national}`, isValid: () => valid };
  };
}
