/**
 * A tiny template language for SMS bodies and WhatsApp variables: `{{name}}`, `{{name|fallback}}` and
 * sections `{{#discountCode}}…{{/discountCode}}` kept only when the value is present.
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
const SECTION = /\{\{#([A-Za-z]+)\}\}([\s\S]*?)\{\{\/\1\}\}/g;

/** names used in a template that are not template variables */
export function unknownTemplateVariables(template: string): string[] {
  const unknown: string[] = [];
  for (const match of template.matchAll(SECTION)) {
    const name = match[1] as string;
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) unknown.push(name);
  }
  for (const match of template.matchAll(PATTERN)) {
    const name = match[1] as string;
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(name)) unknown.push(name);
  }
  return unknown;
}

/** fills a template; a missing value uses the fallback after `|`, or nothing */
export function renderTemplate(template: string, values: TemplateValues): string {
  return template
    .replace(SECTION, (_all, name: string, inner: string) => {
      const value = values[name as TemplateVariable];
      return value !== undefined && value !== "" ? inner : "";
    })
    .replace(PATTERN, (_all, name: string, fallback: string | undefined) => {
      const value = values[name as TemplateVariable];
      return value !== undefined && value !== "" ? value : (fallback ?? "");
    })
    .replace(/ {2,}/g, " ");
}
