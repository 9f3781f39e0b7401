/**
 * Channel gating, checked when a step is due: a contact, consent (SMS and WhatsApp need an explicit
 * opt-in), no unsubscribe since, the stages that allow the channel, the cart-value bar and the cap
 * per sequence.
 */
import type { Channel } from "../events.js";
import type { Cart, Profile } from "../profile.js";
import type { ResolvedJourney } from "./define.js";
import type { JourneyInstance } from "./instance.js";
import { resolveAmount, type ThresholdTable } from "./thresholds.js";

const OPT_OUTS = new Set(["unsubscribed", "complained", "bounced"]);

/** why the channel may not be used now, or null when it may */
export function channelBlock(
  journey: ResolvedJourney,
  channel: Channel,
  stage: number,
  profile: Profile,
  cart: Cart,
  instance: JourneyInstance,
  table: ThresholdTable,
): string | null {
  const rules = journey.channels[channel];
  if (channel === "email" ? !profile.email : !profile.phone)
    return channel === "email" ? "no_email" : "no_phone";
  const consent = profile.consent[channel] ?? { status: "unknown" };
  if (rules.consent === "granted" ? consent.status !== "granted" : consent.status === "denied")
    return "no_consent";
  // an opt-out seen as engagement counts until consent is given again after it
  const optedOut = profile.engagement.some(
    (e) =>
      e.channel === channel && OPT_OUTS.has(e.engagement) && (consent.at === undefined || e.at >= consent.at),
  );
  if (optedOut) return "opted_out";
  if (rules.stages && !rules.stages.includes(stage)) return "channel_not_in_stage";
  if (rules.minCartValue !== null && cart.value < resolveAmount(rules.minCartValue, table))
    return "below_channel_bar";
  if (rules.cap !== null && instance.sent.filter((s) => s.channel === channel).length >= rules.cap)
    return "cap_reached";
  return null;
}
