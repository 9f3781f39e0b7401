/**
 * Sending a due step: its content (an alternate or an experiment's variant), the stage's discount
 * code (issued once per stage, registered in the shop first when it is unique), the checkout link,
 * and the rendered commands. The instance records the message, or the reason it could not be rendered.
 */
import { type Command, commandMeta, makeCommand } from "../commands.js";
import type { Channel } from "../events.js";
import type { Cart } from "../profile.js";
import type { Assigned } from "./ab.js";
import { issueDiscountCode, stageDiscountPercent } from "./discounts.js";
import { copyInstance, type JourneyInstance, type SentStep, withSkipped } from "./instance.js";
import { stepKey } from "./keys.js";
import { checkoutLinkUrl, createCheckoutToken, linkStep } from "./links.js";
import { isText } from "./pacing.js";
import { evaluatePredicate, type PredicateContext } from "./predicates.js";
import { instanceOrigin, type Run } from "./run.js";
import type { Stage, Step } from "./schema.js";
import { renderStep } from "./step-commands.js";

interface StageDiscount {
  percent: number;
  code: string;
  /** the key of the command that registers the code in the shop, for unique codes */
  registeredBy: string | null;
}

/**
 * the discount every message of the stage carries: the one issued to an earlier message of the
 * stage, or a new one (with the command that registers it, when the code is unique)
 */
function stageDiscount(
  run: Run,
  cart: Cart,
  instance: JourneyInstance,
  stage: Stage,
  step: Step,
  assigned: Assigned[],
  ctx: PredicateContext,
): { discount: StageDiscount | null; register: Command | null; instance: JourneyInstance } {
  const { journey, profile, now, context } = run;
  const registerKey = stepKey(journey.id, cart.id, stage.stage, "discount", "task");
  const registeredBy = journey.discounts?.kind === "unique" ? registerKey : null;
  const stored = instance.discounts?.[String(stage.stage)];
  if (stored) return { discount: { ...stored, registeredBy }, register: null, instance };
  const percent = stageDiscountPercent(stage, assigned, ctx);
  if (percent === null || !journey.discounts) return { discount: null, register: null, instance };
  const issued = issueDiscountCode(
    journey.discounts,
    { journey: journey.id, cartId: cart.id, stage: stage.stage, percent },
    context.secrets?.discounts,
  );
  if (!issued) return { discount: null, register: null, instance };
  const next = copyInstance(instance);
  next.discounts = Object.assign({}, instance.discounts, {
    [String(stage.stage)]: { percent, code: issued.code },
  });
  let register: Command | null = null;
  if (issued.register) {
    const origin = instanceOrigin(run, next, stage.stage, step.id, null, null, percent);
    register = makeCommand(commandMeta(origin, "task", registerKey), {
      type: "webhook.post",
      target: issued.register.target,
      event: "register_discount",
      payload: {
        code: issued.code,
        percent,
        cartId: cart.id,
        profileId: profile.id,
        currency: cart.currency ?? journey.thresholds.currency,
        expiresAt: new Date(now + journey.linkTtl).toISOString(),
      },
    });
  }
  return { discount: { percent, code: issued.code, registeredBy }, register, instance: next };
}

/** true when messages about `cart` can carry a link back to it (see `messageLink`) */
export function hasLink(run: Run, cart: Cart): boolean {
  const { context } = run;
  return Boolean((context.linkBaseUrl && context.secrets?.links) || cart.checkoutUrl || context.shopUrl);
}

/** the link a message carries: a signed `/r/<token>` when the runtime serves them, else the cart's own or the shop's */
function messageLink(run: Run, cart: Cart, stage: Stage, step: Step): string | null {
  const { journey, profile, now, context } = run;
  if (!context.linkBaseUrl || !context.secrets?.links) return cart.checkoutUrl ?? context.shopUrl ?? null;
  const token = createCheckoutToken(
    {
      journey: journey.id,
      profileId: profile.id,
      cartId: cart.id,
      step: linkStep(stage.stage, step.id, step.channel),
      expiresAt: now + journey.linkTtl,
    },
    context.secrets.links,
  );
  return checkoutLinkUrl(context.linkBaseUrl, token);
}

/** a message that went out later than it was due, and what held it */
export interface Held {
  due: number;
  by: string[];
}

/**
 * sends a due step now: its commands join the run's, the instance records the message (with what
 * held it, if anything did), and the shopper's ledger gains it
 */
export function emitStep(
  run: Run,
  cart: Cart,
  instance: JourneyInstance,
  stage: Stage,
  step: Step,
  key: string,
  assigned: Assigned[],
  ctx: PredicateContext,
  held: Held | null,
): JourneyInstance {
  const { journey, profile, now, context } = run;
  const channel: Channel | null = step.channel === "task" ? null : step.channel;
  const alternate = step.alternates?.find((a) => evaluatePredicate(a.when, ctx));
  const labels = [
    ...(alternate ? [alternate.variant] : []),
    ...assigned.map((a) => `${a.experiment}:${a.variant.id}`),
  ];
  const variant = labels.length > 0 ? labels.join(",") : null;

  let discount: StageDiscount | null = null;
  let register: Command | null = null;
  if (channel !== null) {
    const issued = stageDiscount(run, cart, instance, stage, step, assigned, ctx);
    discount = issued.discount;
    register = issued.register;
    instance = issued.instance;
  }

  const variantGroup = assigned.find((a) => a.variant.groups?.[step.id])?.variant.groups?.[step.id];
  const variantTemplate = assigned.find((a) => a.variant.templates?.[step.id])?.variant.templates?.[step.id];
  const rendered = renderStep({
    journey,
    profile,
    cart,
    step,
    origin: instanceOrigin(run, instance, stage.stage, step.id, channel, variant, discount?.percent ?? null),
    key,
    after: discount?.registeredBy ?? undefined,
    group: alternate?.group ?? variantGroup ?? null,
    template: alternate?.template ?? variantTemplate ?? null,
    contentSid: alternate?.contentSid ?? null,
    link: messageLink(run, cart, stage, step),
    discount: discount && { percent: discount.percent, code: discount.code },
    storeName: context.storeName ?? null,
    held,
  });
  if (!rendered.success) {
    return withSkipped(instance, {
      stage: stage.stage,
      step: step.id,
      channel,
      at: now,
      key,
      reason: rendered.error,
    });
  }
  if (register) run.commands.push(register);
  for (const command of rendered.data) run.commands.push(command);
  const groups = [...(instance.groups ?? [])];
  for (const c of rendered.data) {
    if (c.type === "mailerlite.addToGroup" && !groups.includes(c.group)) groups.push(c.group);
  }
  const next = copyInstance(instance);
  next.stage = Math.max(instance.stage ?? 0, stage.stage);
  next.groups = groups;
  const sent: SentStep = { stage: stage.stage, step: step.id, channel, at: now, key, variant };
  if (held) {
    sent.due = held.due;
    sent.heldBy = held.by;
  }
  next.sent = [...instance.sent, sent];
  if (channel !== null)
    run.ledger?.push({
      at: now,
      text: isText(channel),
      journey: journey.id,
      cartId: cart.id,
      stage: stage.stage,
    });
  return next;
}
