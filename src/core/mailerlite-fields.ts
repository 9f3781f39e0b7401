/**
 * The MailerLite subscriber fields and groups cartback writes. Email copy lives in MailerLite
 * automations that read these fields and are triggered by joining a stage group, so the journey
 * engine, the MailerLite adapters and `cartback setup mailerlite` all take the names from here.
 */

export type MailerliteFieldType = "text" | "number" | "date";

export interface MailerliteFieldSpec {
  /** the field key as MailerLite derives it from the name (lowercase, underscores) */
  key: string;
  type: MailerliteFieldType;
  description: string;
}

/** the field keys alone: the paste bundles write them and need no descriptions */
export const MAILERLITE_FIELD_KEYS = [
  "cart_url",
  "cart_total",
  "cart_currency",
  "cart_items",
  "cart_item_count",
  "discount_code",
  "discount_percent",
  "recovery_stage",
  "recovery_step",
  "recovery_segment",
  "recovery_variant",
  "last_order_id",
] as const;

const SPECS: Record<(typeof MAILERLITE_FIELD_KEYS)[number], [MailerliteFieldType, string]> = {
  cart_url: ["text", "link that restores the cart"],
  cart_total: ["number", "cart value in major units"],
  cart_currency: ["text", "ISO 4217 currency of the cart"],
  cart_items: ["text", "the item names, comma-separated"],
  cart_item_count: ["number", "number of items in the cart"],
  discount_code: ["text", "discount code offered in this step"],
  discount_percent: ["number", "discount offered in this step"],
  recovery_stage: ["number", "the journey stage being sent"],
  recovery_step: ["text", "the step within the stage"],
  recovery_segment: ["text", "the shopper's segment"],
  recovery_variant: ["text", "the experiment variant"],
  last_order_id: ["text", "the shopper's last order, for returning customers"],
};

export const MAILERLITE_FIELDS: readonly MailerliteFieldSpec[] = /* @__PURE__ */ MAILERLITE_FIELD_KEYS.map(
  (key) => ({ key, type: SPECS[key][0], description: SPECS[key][1] }),
);

/** the group a subscriber joins to receive a stage's email (the automation trigger) */
export function mailerliteStageGroup(stage: number): string {
  return `cartback-stage-${stage}`;
}

/** the stage groups of the 4-stage playbook preset (its default group prefix `cartback`) */
export const MAILERLITE_STAGE_GROUPS: readonly string[] = [1, 2, 3, 4].map(mailerliteStageGroup);
