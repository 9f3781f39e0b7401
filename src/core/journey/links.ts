/**
 * Secure checkout links: a short, HMAC-signed, expiring token that names the profile, cart and step.
 * The runtime serves `/r/<token>`: it verifies the token, records the click and redirects to the shop's
 * cart-restore URL.
 */
import type { CartEvent, Channel, Contact, MessageEngagedEvent } from "../events.js";
import { CHANNELS } from "../events.js";
import type { Profile } from "../profile.js";
import { fail, issue, ok, type Result } from "../result.js";
import { decodeBase64Url, decodeUtf8, encodeBase64Url, encodeUtf8, equalBytes, hmacSha256 } from "./hash.js";

export interface CheckoutToken {
  journey: string;
  profileId: string;
  cartId: string;
  /** `stage:step:channel` of the message that carried the link */
  step: string;
  /** epoch ms */
  expiresAt: number;
}

/** 128 bits of HMAC-SHA256 are plenty for a link and keep SMS short */
const SIGNATURE_BYTES = 16;

function sign(body: string, secret: string): string {
  return encodeBase64Url(hmacSha256(secret, body).slice(0, SIGNATURE_BYTES));
}

/** a token `<payload>.<signature>`, both base64url */
export function createCheckoutToken(token: CheckoutToken, secret: string): string {
  const payload = JSON.stringify({
    j: token.journey,
    p: token.profileId,
    c: token.cartId,
    s: token.step,
    e: Math.floor(token.expiresAt / 1000),
  });
  const body = encodeBase64Url(encodeUtf8(payload));
  return `${body}.${sign(body, secret)}`;
}

/** checks the signature and expiry of a token */
export function verifyCheckoutToken(token: string, secret: string, now: number): Result<CheckoutToken> {
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) {
    return fail([issue("invalid_value", ["token"], "not a checkout token (expected <payload>.<signature>)")]);
  }
  const expected = decodeBase64Url(sign(body, secret));
  const given = decodeBase64Url(signature);
  if (!expected || !given || !equalBytes(expected, given)) {
    return fail([
      issue(
        "invalid_value",
        ["token"],
        "the signature does not match: the link was altered or signed with another key",
      ),
    ]);
  }
  let data: Record<string, unknown>;
  try {
    const bytes = decodeBase64Url(body);
    if (!bytes) throw new Error("bad base64url");
    data = JSON.parse(decodeUtf8(bytes)) as Record<string, unknown>;
  } catch {
    return fail([issue("invalid_value", ["token"], "the payload is not valid JSON")]);
  }
  const { j, p, c, s, e } = data;
  if (
    typeof j !== "string" ||
    typeof p !== "string" ||
    typeof c !== "string" ||
    typeof s !== "string" ||
    typeof e !== "number"
  ) {
    return fail([
      issue("invalid_value", ["token"], "the payload is missing journey, profile, cart, step or expiry"),
    ]);
  }
  const expiresAt = e * 1000;
  if (now >= expiresAt) {
    return fail([
      issue(
        "invalid_value",
        ["token", "expiresAt"],
        `the link expired at ${new Date(expiresAt).toISOString()}`,
      ),
    ]);
  }
  return ok({ journey: j, profileId: p, cartId: c, step: s, expiresAt });
}

/** the step a link names, `stage:step:channel` (what `CheckoutToken.step` holds) */
export function linkStep(stage: number, step: string, channel: string): string {
  return `${stage}:${step}:${channel}`;
}

/** the parts of `linkStep`; a channel that is not one defaults to email, a stage that is not a number is left out */
export function parseLinkStep(packed: string): { stage?: number; step?: string; channel: Channel } {
  const [stage, step, channel] = packed.split(":");
  return {
    ...(stage !== undefined && stage !== "" && Number.isInteger(Number(stage))
      ? { stage: Number(stage) }
      : {}),
    ...(step ? { step } : {}),
    channel: CHANNELS.includes(channel as Channel) ? (channel as Channel) : "email",
  };
}

/** who the click event is about: the profile's strongest identity */
function contactOf(profile: Profile): Contact {
  if (profile.userId || profile.email || profile.phone)
    return {
      ...(profile.userId ? { userId: profile.userId } : {}),
      ...(profile.email ? { email: profile.email } : {}),
      ...(profile.phone ? { phone: profile.phone } : {}),
    };
  return profile.anonymousIds[0] ? { anonymousId: profile.anonymousIds[0] } : {};
}

/**
 * The `message_engaged` event a click on a verified checkout link records: the message's stage, step
 * and channel from the token, the cart it names, at `at` (epoch ms).
 */
export function linkClickEvent(link: CheckoutToken, profile: Profile, at: number): MessageEngagedEvent {
  const { stage, step, channel } = parseLinkStep(link.step);
  return {
    type: "message_engaged",
    id: `click:${link.profileId}:${link.cartId}:${link.step}:${at}`,
    at,
    source: "cartback",
    contact: contactOf(profile),
    engagement: "clicked",
    channel,
    cartRefs: [link.cartId],
    ...(stage !== undefined ? { stage } : {}),
    ...(step ? { step } : {}),
  } satisfies CartEvent;
}

/** `<base>/r/<token>` */
export function checkoutLinkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/r/${token}`;
}
