/**
 * One planning call as the planner's modules see it: the journey, the profile as it is being
 * advanced, `now`, the deployment settings, and what the call has decided so far (commands, the next
 * wake-up).
 */
import type { Command, CommandOrigin } from "../commands.js";
import type { Channel } from "../events.js";
import type { Cart, Profile } from "../profile.js";
import type { JourneyInstance } from "./instance.js";
import type { LedgerEntry } from "./pacing.js";
import type { PredicateContext } from "./predicates.js";
import type { ResolvedJourney } from "./resolve.js";
import type { ThresholdTable } from "./thresholds.js";

/** what the journey JSON must not hold: secrets and deployment settings */
export interface PlanContext {
  secrets?: {
    /** signs checkout links; without it messages carry the shop's own checkout URL */
    links?: string;
    /** derives unique discount codes */
    discounts?: string;
  };
  /** where the runtime serves `/r/<token>`, e.g. `https://shop.example.com/cart` */
  linkBaseUrl?: string;
  /** used when the shopper's timezone is unknown; default UTC */
  storeTimezone?: string;
  storeName?: string;
  /** where a message's link leads when the cart has no restore URL (e.g. the shop's cart page) */
  shopUrl?: string;
}

export interface Run {
  journey: ResolvedJourney;
  profile: Profile;
  now: number;
  context: PlanContext;
  /** the shopper's timezone, else the store's, else UTC */
  tz: string;
  /** commands to execute now, in order */
  commands: Command[];
  wakeAt: number | null;
  /** every message the shopper got, from every journey; built when a message is first considered */
  ledger: LedgerEntry[] | null;
}

/** asks to be planned again at `at` (the earliest request wins) */
export function wake(run: Run, at: number): void {
  if (run.wakeAt === null || at < run.wakeAt) run.wakeAt = at;
}

export function predicateContext(
  run: Run,
  cart: Cart,
  table: ThresholdTable,
  instance: JourneyInstance | null,
): PredicateContext {
  return {
    journeyId: run.journey.id,
    profile: run.profile,
    cart,
    table,
    segment: instance?.segment ?? null,
    intent: instance?.intent ?? null,
    instance,
    now: run.now,
  };
}

/** what a command of `instance` is about; the step's fields are null for the instance's own commands */
export function instanceOrigin(
  run: Run,
  instance: JourneyInstance,
  stage: number | null,
  step: string | null = null,
  channel: Channel | null = null,
  variant: string | null = null,
  discountPercent: number | null = null,
): CommandOrigin {
  return {
    channel,
    profileId: run.profile.id,
    cartId: instance.cartId,
    journey: run.journey.id,
    stage,
    step,
    segment: instance.segment,
    variant,
    discountPercent,
  };
}
