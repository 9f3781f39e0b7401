/**
 * cartback's own RudderStack events, shared by the journey, MailerLite and Twilio transformations:
 * `Cart Recovery Stage Due` (an email step: fields plus the stage group that triggers the automation),
 * `Cart Recovery Group Left` (a stage group removed when a journey ends) and `Cart Recovery Message Due`
 * (an SMS or WhatsApp message with what is needed to check consent and quiet hours at delivery time).
 */
import type {
  Command,
  CommandMeta,
  MailerliteAddToGroup,
  MailerliteRemoveFromGroup,
  MailerliteUpsertSubscriber,
  TwilioSendSms,
  TwilioSendWhatsApp,
} from "../../../src/core/commands.js";
import type { Profile } from "../../../src/core/profile.js";

export const STAGE_DUE = "Cart Recovery Stage Due";
export const GROUP_LEFT = "Cart Recovery Group Left";
export const MESSAGE_DUE = "Cart Recovery Message Due";

export type DueMessage = Record<string, unknown> & {
  type: "track";
  event: string;
  messageId: string;
  properties: Record<string, unknown>;
};

function meta(command: CommandMeta): Record<string, unknown> {
  return {
    key: command.key,
    journey: command.journey,
    cart_id: command.cartId,
    stage: command.stage,
    step: command.step,
    segment: command.segment,
    variant: command.variant,
    channel: command.channel,
  };
}

function envelope(profile: Profile, event: string, key: string, now: number): DueMessage {
  const message: DueMessage = {
    type: "track",
    event,
    messageId: key,
    timestamp: new Date(now).toISOString(),
    properties: {},
    context: { traits: profile.email ? { email: profile.email } : {} },
  };
  if (profile.userId) message.userId = profile.userId;
  else message.anonymousId = profile.anonymousIds[0] ?? profile.id;
  if (profile.timezone) (message.context as Record<string, unknown>).timezone = profile.timezone;
  return message;
}

/** the consent a delivery-time check needs, as plain strings */
function consentOf(profile: Profile): Record<string, string> {
  return {
    email: profile.consent.email.status,
    sms: profile.consent.sms.status,
    whatsapp: profile.consent.whatsapp.status,
  };
}

/**
 * a planner's commands as cartback's events; an email step's upsert and group add become one
 * `Cart Recovery Stage Due`. Commands that no destination here executes are left out.
 */
export function toDueMessages(commands: readonly Command[], profile: Profile, now: number): DueMessage[] {
  const out: DueMessage[] = [];
  const upserts = new Map<string, MailerliteUpsertSubscriber>();
  for (const command of commands) {
    if (command.type === "mailerlite.upsertSubscriber")
      upserts.set(command.key.replace(/:fields$/, ""), command);
  }
  for (const command of commands) {
    switch (command.type) {
      case "mailerlite.addToGroup":
        out.push(stageDue(command, upserts.get(command.key), profile, now));
        break;
      case "mailerlite.upsertSubscriber":
        // joined to its group add above; an upsert alone still updates the fields
        if (!commands.some((c) => c.type === "mailerlite.addToGroup" && `${c.key}:fields` === command.key)) {
          out.push(stageDue(null, command, profile, now));
        }
        break;
      case "mailerlite.removeFromGroup":
        out.push(groupLeft(command, profile, now));
        break;
      case "twilio.sendSms":
      case "twilio.sendWhatsApp":
        out.push(messageDue(command, profile, now));
        break;
      default:
        break;
    }
  }
  return out;
}

function stageDue(
  add: MailerliteAddToGroup | null,
  upsert: MailerliteUpsertSubscriber | undefined,
  profile: Profile,
  now: number,
): DueMessage {
  const head = (add ?? upsert) as CommandMeta & { email: string };
  const message = envelope(profile, STAGE_DUE, head.key, now);
  message.properties = Object.assign(meta(head), {
    email: head.email,
    group: add?.group ?? null,
    fields: upsert?.fields ?? {},
    consent: consentOf(profile),
  });
  return message;
}

function groupLeft(command: MailerliteRemoveFromGroup, profile: Profile, now: number): DueMessage {
  const message = envelope(profile, GROUP_LEFT, command.key, now);
  message.properties = Object.assign(meta(command), { email: command.email, group: command.group });
  return message;
}

function messageDue(command: TwilioSendSms | TwilioSendWhatsApp, profile: Profile, now: number): DueMessage {
  const message = envelope(profile, MESSAGE_DUE, command.key, now);
  const props = Object.assign(meta(command), {
    to: command.to,
    consent: consentOf(profile),
    timezone: profile.timezone ?? null,
  }) as Record<string, unknown>;
  if (command.type === "twilio.sendSms") props.body = command.body;
  else {
    props.content_sid = command.contentSid;
    props.content_variables = command.contentVariables;
  }
  message.properties = props;
  return message;
}
