/**
 * A tiny template language for SMS bodies and WhatsApp variables: `{{name}}`, `{{name|fallback}}`,
 * sections `{{#discountCode}}…{{/discountCode}}` kept only when the value is present, and inverted
 * sections `{{^discountCode}}…{{/discountCode}}` kept only when it is missing (as in Mustache).
 * Unknown names are a validation error, never a silent blank.
 */

export const TEMPLATE_VARIABLES = [
  "firstName",
  "name",
  "items",
  "itemCount",
  "link",
  "cartTotal",
  "currency",
  "discountCode",
  "discountPercent",
  "storeName",
  "lastOrderId",
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Partial<Record<TemplateVariable, string>>;

const PATTERN = /\{\{\s*([A-Za-z]+)\s*(?:\|([^}]*))?\}\}/g;
/** `{{#name}}…{{/name}}` or `{{^name}}…{{/name}}`: 1 is `#` or `^`, 2 the name, 3 what is inside */
const SECTION = /\{\{([#^])([A-Za-z]+)\}\}([\s\S]*?)\{\{\/\2\}\}/g;

/** names used in a template that are not template variables */
export function unknownTemplateVariables(template: string): string[] {
  const unknown: string[] = [];
  for (const match of template.matchAll(SECTION)) {
    const name = match[2] as string;
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) unknown.push(name);
  }
  for (const match of template.matchAll(PATTERN)) {
    const name = match[1] as string;
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) unknown.push(name);
  }
  return unknown;
}

/**
 * true when the template shows `name` with no fallback outside a section kept only when it is present:
 * without the value, the text would lose what the template said there (e.g. the way back to the cart)
 */
export function requiresValue(template: string, name: TemplateVariable): boolean {
  const outside = template.replace(SECTION, (all, kind: string, section: string) =>
    kind === "#" && section === name ? "" : all,
  );
  for (const match of outside.matchAll(PATTERN)) if (match[1] === name && match[2] === undefined) return true;
  return false;
}

/**
 * fills a template by regular expressions, one pass per construct: the reference semantics, used for
 * templates the compiled form below cannot represent exactly
 */
export function renderTemplateByPattern(template: string, values: TemplateValues): string {
  return template
    .replace(SECTION, (_all, kind: string, name: string, inner: string) => {
      const value = values[name as TemplateVariable];
      return (value !== undefined && value !== "") === (kind === "#") ? inner : "";
    })
    .replace(PATTERN, (_all, name: string, fallback: string | undefined) => {
      const value = values[name as TemplateVariable];
      return value !== undefined && value !== "" ? value : (fallback ?? "");
    })
    .replace(/ {2,}/g, " ");
}

/** a literal, or a variable with its fallback */
type Part = string | { name: TemplateVariable; fallback: string };
/** top-level parts, or a section kept only when its variable has a value (inverted: has none) */
type Piece = Part | { section: TemplateVariable; inverted: boolean; parts: Part[] };

function compileParts(text: string): Part[] | null {
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(PATTERN)) {
    const index = match.index as number;
    if (index > last) parts.push(text.slice(last, index));
    parts.push({ name: match[1] as TemplateVariable, fallback: match[2] ?? "" });
    last = index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  // a brace pair left over could match across a section boundary once sections are resolved
  for (const part of parts) if (typeof part === "string" && /\{\{|\}\}/.test(part)) return null;
  return parts;
}

function compile(template: string): Piece[] | null {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of template.matchAll(SECTION)) {
    const index = match.index as number;
    const before = compileParts(template.slice(last, index));
    const inner = compileParts(match[3] as string);
    if (!before || !inner) return null;
    pieces.push(...before, {
      section: match[2] as TemplateVariable,
      inverted: match[1] === "^",
      parts: inner,
    });
    last = index + match[0].length;
  }
  const rest = compileParts(template.slice(last));
  if (!rest) return null;
  pieces.push(...rest);
  return pieces;
}

function present(value: string | undefined): value is string {
  return value !== undefined && value !== "";
}

function renderParts(parts: readonly Part[], values: TemplateValues): string {
  let out = "";
  for (const part of parts) {
    if (typeof part === "string") out += part;
    else {
      const value = values[part.name];
      out += present(value) ? value : part.fallback;
    }
  }
  return out;
}

// journeys hold a handful of templates: each is parsed once
const compiled = new Map<string, Piece[] | null>();

/** fills a template; a missing value uses the fallback after `|`, or nothing */
export function renderTemplate(template: string, values: TemplateValues): string {
  let pieces = compiled.get(template);
  if (pieces === undefined) {
    pieces = compile(template);
    if (compiled.size >= 1000) compiled.clear();
    compiled.set(template, pieces);
  }
  if (pieces === null) return renderTemplateByPattern(template, values);
  let out = "";
  for (const piece of pieces) {
    if (typeof piece === "string") out += piece;
    else if ("section" in piece) {
      if (present(values[piece.section]) !== piece.inverted) out += renderParts(piece.parts, values);
    } else {
      const value = values[piece.name];
      out += present(value) ? value : piece.fallback;
    }
  }
  return out.includes("  ") ? out.replace(/ {2,}/g, " ") : out;
}
