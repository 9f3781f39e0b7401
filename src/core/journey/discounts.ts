/**
 * Discount codes: a static code per percent, a code from a pre-created pool, or a unique code derived
 * by HMAC from the cart and stage (then a `webhook.post` registers it in the shop).
 */
import type { Assigned } from "./ab.js";
import { hashToUnit, hmacSha256 } from "./hash.js";
import { evaluatePredicate, type PredicateContext } from "./predicates.js";
import type { DiscountProvider, Stage } from "./schema.js";

// Crockford's base32: no I, L, O, U, so codes survive being read aloud or retyped
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export interface DiscountRequest {
  journey: string;
  cartId: string;
  stage: number;
  percent: number;
}

export interface IssuedDiscount {
  code: string;
  /** set for unique codes: the shop must be told about the code */
  register: { target: string } | null;
}

/** the code for a discount, or null when the provider has none for that percent */
export function issueDiscountCode(
  provider: DiscountProvider,
  request: DiscountRequest,
  secret: string | undefined,
): IssuedDiscount | null {
  const percent = String(request.percent);
  if (provider.kind === "static") {
    const code = provider.codes[percent];
    return code ? { code, register: null } : null;
  }
  if (provider.kind === "pool") {
    const pool = provider.codes[percent];
    if (!pool || pool.length === 0) return null;
    const index = Math.floor(
      hashToUnit(`${request.journey}:${request.cartId}:${request.stage}`) * pool.length,
    );
    return { code: pool[index] as string, register: null };
  }
  if (!secret) {
    throw new Error("unique discount codes need a secret: pass context.secrets.discounts to planJourney");
  }
  const mac = hmacSha256(secret, `${request.journey}:${request.cartId}:${request.stage}:${percent}`);
  const length = provider.length ?? 8;
  let code = "";
  for (let i = 0; i < length; i++) code += CROCKFORD[(mac[i] as number) & 31];
  return { code: `${provider.prefix ?? "CB-"}${code}`, register: { target: provider.target } };
}

/**
 * the percent a stage offers the cart, or null: its rule on the current state, per segment, and an
 * experiment may change the percent of a stage that offers one (never add one where it does not)
 */
export function stageDiscountPercent(
  stage: Stage,
  assigned: Assigned[],
  ctx: PredicateContext,
): number | null {
  const rule = stage.discount;
  if (!rule) return null;
  if (rule.when && !evaluatePredicate(rule.when, ctx)) return null;
  let percent: number | null = rule.percent;
  if (ctx.segment !== null && rule.bySegment && ctx.segment in rule.bySegment) {
    percent = rule.bySegment[ctx.segment] ?? null;
  }
  if (percent === null) return null;
  for (const a of assigned) if (a.variant.discountPercent !== undefined) percent = a.variant.discountPercent;
  return percent !== null && percent > 0 ? percent : null;
}
