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

export const MAILERLITE_FIELDS: readonly MailerliteFieldSpec[] = [
  { key: "cart_url", type: "text", description: "link that restores the cart" },
  { key: "cart_total", type: "number", description: "cart value in major units" },
  { key: "cart_currency", type: "text", description: "ISO 4217 currency of the cart" },
  { key: "cart_items", type: "text", description: "the item names, comma-separated" },
  { key: "cart_item_count", type: "number", description: "number of items in the cart" },
  { key: "discount_code", type: "text", description: "discount code offered in this step" },
  { key: "discount_percent", type: "number", description: "discount offered in this step" },
  { key: "recovery_stage", type: "number", description: "the journey stage being sent" },
  { key: "recovery_step", type: "text", description: "the step within the stage" },
  { key: "recovery_segment", type: "text", description: "the shopper's segment" },
  { key: "recovery_variant", type: "text", description: "the experiment variant" },
  { key: "last_order_id", type: "text", description: "the shopper's last order, for returning customers" },
];

/** the group a subscriber joins to receive a stage's email (the automation trigger) */
export function mailerliteStageGroup(stage: number): string {
  return `cartback-stage-${stage}`;
}

/** the stage groups of the 4-stage playbook preset (its default group prefix `cartback`) */
export const MAILERLITE_STAGE_GROUPS: readonly string[] = [1, 2, 3, 4].map(mailerliteStageGroup);
