/**
 * Commands: what the journey engine wants done, as data. The core never sends anything; destinations
 * execute commands and the runtime decides when. Types are namespaced `"<destination>.<verb>"`.
 */
import type { Channel } from "./events.js";

/**
 * - `message`: the one command that stands for a message the shopper receives
 * - `support`: prepares a message (e.g. the subscriber field upsert before a MailerLite group add)
 * - `task`: work for a person or a system (sales call, discount registration)
 * - `analytics`: journey events sent back to the warehouse
 */
export type CommandKind = "message" | "support" | "task" | "analytics";

export interface CommandMeta {
  kind: CommandKind;
  channel: Channel | null;
  profileId: string;
  cartId: string | null;
  journey: string;
  stage: number | null;
  step: string | null;
  segment: string | null;
  variant: string | null;
  discountPercent: number | null;
  /** idempotency key, stable under replay: `journey:cart:stage:step:channel` (plus a suffix per command) */
  key: string;
  /**
   * the key of a command planned with this one that must be delivered first (e.g. the field upsert
   * an email's group add needs); the dispatcher, the bundles and simulate keep that order
   */
  after?: string;
}

/** what a command is about: its metadata without its own key, kind and order */
export type CommandOrigin = Omit<CommandMeta, "kind" | "key" | "after">;

/**
 * The one constructor of command metadata, every field in one fixed order (commands then share a
 * hidden class, and simulate's records their key order).
 */
export function commandMeta(
  origin: CommandOrigin,
  kind: CommandKind,
  key: string,
  after?: string,
): CommandMeta {
  const meta: CommandMeta = {
    kind,
    channel: origin.channel,
    profileId: origin.profileId,
    cartId: origin.cartId,
    journey: origin.journey,
    stage: origin.stage,
    step: origin.step,
    segment: origin.segment,
    variant: origin.variant,
    discountPercent: origin.discountPercent,
    key,
  };
  if (after !== undefined) meta.after = after;
  return meta;
}

/** a command from its metadata and the fields of its type */
export function makeCommand<K extends Command["type"]>(
  meta: CommandMeta,
  body: { type: K } & Omit<Extract<Command, { type: K }>, keyof CommandMeta>,
): Extract<Command, { type: K }> {
  return Object.assign(meta, body) as Extract<Command, { type: K }>;
}

export type FieldValue = string | number | null;

export interface MailerliteUpsertSubscriber extends CommandMeta {
  type: "mailerlite.upsertSubscriber";
  email: string;
  /** custom field keys as configured in MailerLite, e.g. `cart_url`, `cart_total` */
  fields: Record<string, FieldValue>;
}

export interface MailerliteAddToGroup extends CommandMeta {
  type: "mailerlite.addToGroup";
  email: string;
  /** a group name (resolved and created if missing) or a numeric-string group id */
  group: string;
}

export interface MailerliteRemoveFromGroup extends CommandMeta {
  type: "mailerlite.removeFromGroup";
  email: string;
  group: string;
}

/** erasure of a person (GDPR): removes the subscriber and its data */
export interface MailerliteForget extends CommandMeta {
  type: "mailerlite.forget";
  email: string;
}

export interface TwilioSendSms extends CommandMeta {
  type: "twilio.sendSms";
  /** E.164 */
  to: string;
  body: string;
  encoding: "GSM-7" | "UCS-2";
  segments: number;
}

export interface TwilioSendWhatsApp extends CommandMeta {
  type: "twilio.sendWhatsApp";
  /** E.164, without the `whatsapp:` prefix (the adapter adds it) */
  to: string;
  /** approved template (Content API `HX…` sid) */
  contentSid: string;
  contentVariables: Record<string, string>;
}

export interface SendgridSendEmail extends CommandMeta {
  type: "sendgrid.sendEmail";
  to: string;
  templateId: string;
  dynamicTemplateData: Record<string, unknown>;
}

export interface WebhookPost extends CommandMeta {
  type: "webhook.post";
  /** the name of a configured webhook (its URL and secret live in config, not in the command) */
  target: string;
  /** what the receiver should do, e.g. `sales_call`, `personal_message`, `register_discount` */
  event: string;
  payload: Record<string, unknown>;
}

export interface RudderstackTrack extends CommandMeta {
  type: "rudderstack.track";
  userId?: string;
  anonymousId?: string;
  /** e.g. `Cart Recovery Message Sent`, `Cart Recovered`, `Cart Recovery Exited` */
  event: string;
  properties: Record<string, unknown>;
}

export type Command =
  | MailerliteUpsertSubscriber
  | MailerliteAddToGroup
  | MailerliteRemoveFromGroup
  | MailerliteForget
  | TwilioSendSms
  | TwilioSendWhatsApp
  | SendgridSendEmail
  | WebhookPost
  | RudderstackTrack;

export type CommandType = Command["type"];

export const COMMAND_TYPES: readonly CommandType[] = [
  "mailerlite.upsertSubscriber",
  "mailerlite.addToGroup",
  "mailerlite.removeFromGroup",
  "mailerlite.forget",
  "twilio.sendSms",
  "twilio.sendWhatsApp",
  "sendgrid.sendEmail",
  "webhook.post",
  "rudderstack.track",
];

/** the destination a command belongs to: the part before the dot */
export function commandDestination(type: CommandType): string {
  return type.slice(0, type.indexOf("."));
}
