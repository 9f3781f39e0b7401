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

function envelope(profile: Profile, event: string, key: string, timestamp: string): DueMessage {
  const message: DueMessage = {
    type: "track",
    event,
    messageId: key,
    timestamp,
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
 * `Cart Recovery Stage Due`. Commands that no destination here executes are left out. `timestamp` is
 * `now` as ISO-8601; a batch formats it once.
 */
export function toDueMessages(
  commands: readonly Command[],
  profile: Profile,
  now: number,
  timestamp = new Date(now).toISOString(),
): DueMessage[] {
  const out: DueMessage[] = [];
  // an email step's group add follows (`after`) the upsert of the fields its email shows
  const upserts = new Map<string, MailerliteUpsertSubscriber>();
  const joined = new Set<string>();
  for (const command of commands) {
    if (command.type === "mailerlite.upsertSubscriber") upserts.set(command.key, command);
    else if (command.type === "mailerlite.addToGroup" && command.after !== undefined)
      joined.add(command.after);
  }
  let consent: Record<string, string> | undefined;
  const consentNow = () => {
    consent ??= consentOf(profile);
    return consent;
  };
  for (const command of commands) {
    switch (command.type) {
      case "mailerlite.addToGroup":
        out.push(
          stageDue(
            command,
            command.after === undefined ? undefined : upserts.get(command.after),
            profile,
            timestamp,
            consentNow(),
          ),
        );
        break;
      case "mailerlite.upsertSubscriber":
        // joined to its group add above; an upsert alone still updates the fields
        if (!joined.has(command.key)) out.push(stageDue(null, command, profile, timestamp, consentNow()));
        break;
      case "mailerlite.removeFromGroup":
        out.push(groupLeft(command, profile, timestamp));
        break;
      case "twilio.sendSms":
      case "twilio.sendWhatsApp":
        out.push(messageDue(command, profile, timestamp, consentNow()));
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
  timestamp: string,
  consent: Record<string, string>,
): DueMessage {
  const head = (add ?? upsert) as CommandMeta & { email: string };
  const message = envelope(profile, STAGE_DUE, head.key, timestamp);
  const props = meta(head);
  props.email = head.email;
  props.group = add?.group ?? null;
  props.fields = upsert?.fields ?? {};
  props.consent = consent;
  message.properties = props;
  return message;
}

function groupLeft(command: MailerliteRemoveFromGroup, profile: Profile, timestamp: string): DueMessage {
  const message = envelope(profile, GROUP_LEFT, command.key, timestamp);
  const props = meta(command);
  props.email = command.email;
  props.group = command.group;
  message.properties = props;
  return message;
}

function messageDue(
  command: TwilioSendSms | TwilioSendWhatsApp,
  profile: Profile,
  timestamp: string,
  consent: Record<string, string>,
): DueMessage {
  const message = envelope(profile, MESSAGE_DUE, command.key, timestamp);
  const props = meta(command);
  props.to = command.to;
  props.consent = consent;
  props.timezone = profile.timezone ?? null;
  if (command.type === "twilio.sendSms") props.body = command.body;
  else {
    props.content_sid = command.contentSid;
    props.content_variables = command.contentVariables;
  }
  message.properties = props;
  return message;
}
