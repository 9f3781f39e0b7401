/**
 * Turns a due step into commands: the MailerLite field upsert and group add for an email, a rendered
 * SMS, a WhatsApp template, a webhook task, and the analytics event.
 */
import { type Command, type CommandOrigin, commandMeta, type FieldValue, makeCommand } from "../commands.js";
import { mailerliteCartFields } from "../mailerlite-fields.js";
import { formatAmount } from "../money.js";
import type { Cart, Profile } from "../profile.js";
import { fail, ok, type Result } from "../result.js";
import { isContentSid, NO_TEMPLATE } from "./content-template.js";
import type { ResolvedJourney } from "./define.js";
import type { Step } from "./schema.js";
import { renderSms } from "./sms-render.js";
import { renderTemplate, requiresValue, type TemplateValues } from "./template.js";

export interface StepRenderInput {
  journey: ResolvedJourney;
  profile: Profile;
  cart: Cart;
  step: Step;
  origin: CommandOrigin;
  /** the step's idempotency key */
  key: string;
  /** a command the step's first command must follow (e.g. the registration of its discount code) */
  after?: string;
  /** content chosen by alternates and experiments */
  group: string | null;
  template: string | null;
  contentSid: string | null;
  link: string | null;
  discount: { percent: number; code: string } | null;
  storeName: string | null;
  /** when the message was due and what held it, if it goes out later */
  held?: { due: number; by: string[] } | null;
}

/**
 * a text whose template shows the link, for a cart with no link and a shop with no URL: it would leave
 * the shopper no way back to the cart, so it is not sent
 */
export const NO_LINK = "no_link";

/** true when the text `step` would send (with `template` in place of its own) shows the link */
export function textNeedsLink(step: Step, template: string | null = null): boolean {
  if (step.channel === "sms") return requiresValue(template ?? step.template, "link");
  if (step.channel === "whatsapp") return Object.values(step.variables).some((t) => requiresValue(t, "link"));
  return false;
}

/** the step's commands in the order they run, or why it cannot be sent (a skip reason) */
export type StepRender = Result<Command[], string>;

export { formatAmount };

function itemNames(cart: Cart): string[] {
  return cart.items.map((i) => {
    const name = i.name ?? i.sku ?? i.productId;
    return i.quantity > 1 ? `${name} x${i.quantity}` : name;
  });
}

export function templateValues(input: StepRenderInput): Omit<TemplateValues, "items"> {
  const { profile, cart } = input;
  const values: Omit<TemplateValues, "items"> = {
    itemCount: String(cart.items.reduce((n, i) => n + i.quantity, 0)),
    cartTotal: formatAmount(cart.value),
  };
  const firstName = profile.firstName ?? profile.name?.split(" ")[0];
  if (firstName) values.firstName = firstName;
  const name = profile.name ?? ([profile.firstName, profile.lastName].filter(Boolean).join(" ") || undefined);
  if (name) values.name = name;
  if (input.link) values.link = input.link;
  if (cart.currency) values.currency = cart.currency;
  if (input.discount) {
    values.discountCode = input.discount.code;
    values.discountPercent = String(input.discount.percent);
  }
  if (input.storeName) values.storeName = input.storeName;
  if (profile.orders.lastOrderId) values.lastOrderId = profile.orders.lastOrderId;
  return values;
}

/** the commands for one step, in the order they must run */
export function renderStep(input: StepRenderInput): StepRender {
  const { profile, cart, step, origin, key, after } = input;
  const commands: Command[] = [];
  const values = templateValues(input);
  if (step.channel === "email") {
    const fields: Record<string, FieldValue> = mailerliteCartFields({
      profile,
      cart,
      link: input.link,
      discount: input.discount,
      currency: input.journey.thresholds.currency,
      storeName: input.storeName,
      itemNames: itemNames(cart),
      origin,
    });
    if (values.firstName) fields.name = values.firstName;
    const email = profile.email as string;
    // the group add sends the email, so the fields it shows are saved first
    const fieldsKey = `${key}:fields`;
    commands.push(
      makeCommand(commandMeta(origin, "support", fieldsKey, after), {
        type: "mailerlite.upsertSubscriber",
        email,
        fields,
      }),
    );
    commands.push(
      makeCommand(commandMeta(origin, "message", key, fieldsKey), {
        type: "mailerlite.addToGroup",
        email,
        group: input.group ?? step.group,
      }),
    );
  } else if (step.channel === "sms") {
    const template = input.template ?? step.template;
    if (values.link === undefined && textNeedsLink(step, template)) return fail(NO_LINK);
    const sms = renderSms(template, values, itemNames(cart), input.journey.smsMaxSegments);
    if (!sms.success) return fail("sms_too_long");
    commands.push(
      makeCommand(commandMeta(origin, "message", key, after), {
        type: "twilio.sendSms",
        to: profile.phone as string,
        body: sms.data.body,
        encoding: sms.data.encoding,
        segments: sms.data.segments,
      }),
    );
  } else if (step.channel === "whatsapp") {
    const contentSid = input.contentSid ?? step.contentSid;
    if (!isContentSid(contentSid)) return fail(NO_TEMPLATE);
    if (values.link === undefined && textNeedsLink(step)) return fail(NO_LINK);
    const withItems: TemplateValues = Object.assign({}, values);
    withItems.items = itemNames(cart).join(", ") || "your cart";
    const contentVariables: Record<string, string> = {};
    for (const [n, t] of Object.entries(step.variables))
      contentVariables[n] = renderTemplate(t, withItems).trim();
    commands.push(
      makeCommand(commandMeta(origin, "message", key, after), {
        type: "twilio.sendWhatsApp",
        to: profile.phone as string,
        contentSid,
        contentVariables,
      }),
    );
  } else {
    commands.push(
      makeCommand(commandMeta(origin, "task", key, after), {
        type: "webhook.post",
        target: step.target,
        event: step.event,
        payload: {
          profileId: profile.id,
          email: profile.email ?? null,
          phone: profile.phone ?? null,
          name: values.name ?? null,
          cartId: cart.id,
          cartValue: cart.value,
          currency: cart.currency ?? input.journey.thresholds.currency,
          items: cart.items.map((i) => ({
            productId: i.productId,
            name: i.name ?? null,
            quantity: i.quantity,
            price: i.price,
          })),
          cartUrl: input.link,
          segment: origin.segment,
          stage: origin.stage,
          lifetimeValue: profile.orders.lifetimeValue,
          orders: profile.orders.count,
        },
      }),
    );
  }
  if (input.journey.analytics && step.channel !== "task") {
    commands.push(
      analyticsCommand(
        profile,
        origin,
        MESSAGE_SENT,
        {
          journey: origin.journey,
          cart_id: cart.id,
          stage: origin.stage,
          step: origin.step,
          channel: origin.channel,
          segment: origin.segment,
          variant: origin.variant,
          discount_percent: origin.discountPercent,
          cart_value: cart.value,
          currency: cart.currency ?? input.journey.thresholds.currency,
          message_key: key,
          due_at: input.held ? new Date(input.held.due).toISOString() : null,
          held_by: input.held?.by ?? null,
        },
        `${key}:track`,
      ),
    );
  }
  return ok(commands);
}

/** the analytics event recording each message a step sends */
export const MESSAGE_SENT = "Cart Recovery Message Sent";

/** a journey event for the warehouse */
export function analyticsCommand(
  profile: Profile,
  origin: CommandOrigin,
  event: string,
  properties: Record<string, unknown>,
  key: string,
): Command {
  const command = makeCommand(commandMeta(origin, "analytics", key), {
    type: "rudderstack.track",
    event,
    properties,
  });
  if (profile.userId) command.userId = profile.userId;
  else command.anonymousId = profile.anonymousIds[0] ?? profile.id;
  return command;
}
