/**
 * Starting a journey instance: a cart becomes one when it is judged abandoned; it is suppressed when
 * the shopper is already in another journey (or, by setting, has another cart in this one). A cart
 * that changes after abandonment restarts the timing or continues it.
 */
import type { Cart } from "../profile.js";
import { checkAbandonment, classifyIntent } from "./abandonment.js";
import { isHeldOut } from "./holdout.js";
import { copyInstance, type JourneyInstance } from "./instance.js";
import { journeyKey } from "./keys.js";
import { instanceOrigin, predicateContext, type Run, wake } from "./run.js";
import { assignSegment } from "./segments.js";
import { analyticsCommand } from "./step-commands.js";
import type { ThresholdTable } from "./thresholds.js";

function otherActiveInstance(run: Run, cart: Cart, journeys: Record<string, JourneyInstance>): boolean {
  const { journey } = run;
  for (const other of Object.values(journeys)) {
    if (other.status !== "active" && other.status !== "paused") continue;
    if (other.journey !== journey.id && journey.suppressOtherJourneys) return true;
    if (other.journey === journey.id && other.cartId !== cart.id && journey.suppressOtherCarts) return true;
  }
  return false;
}

/**
 * the new instance of an abandoned cart (suppressed, or active with its start reported), or
 * undefined while the cart is not abandoned (a wake-up is asked for when it may become so)
 */
export function startInstance(
  run: Run,
  cart: Cart,
  table: ThresholdTable,
  journeys: Record<string, JourneyInstance>,
): JourneyInstance | undefined {
  const { journey, profile, now } = run;
  const check = checkAbandonment(journey, profile, cart, table, now);
  if (!check.abandoned) {
    if (check.wakeAt !== null) wake(run, check.wakeAt);
    return undefined;
  }
  const draft: JourneyInstance = {
    journey: journey.id,
    cartId: cart.id,
    status: "active",
    segment: null,
    abandonedAt: check.at,
    stage: null,
    sent: [],
    intent: check.intent,
    startedAt: now,
    cartUpdatedAt: cart.updatedAt,
    groups: [],
    skipped: [],
  };
  draft.segment = assignSegment(journey, predicateContext(run, cart, table, draft));
  if (isHeldOut(journey.id, cart.id, journey.holdoutPercent)) draft.holdout = true;
  if (otherActiveInstance(run, cart, journeys)) {
    draft.status = "suppressed";
    draft.exitReason = "active_in_other_journey";
    draft.exitedAt = now;
    return draft;
  }
  if (journey.analytics) {
    run.commands.push(
      analyticsCommand(
        profile,
        instanceOrigin(run, draft, null),
        "Cart Recovery Started",
        {
          journey: journey.id,
          cart_id: cart.id,
          segment: draft.segment,
          intent: draft.intent,
          cart_value: cart.value,
          currency: cart.currency ?? journey.thresholds.currency,
          abandoned_at: new Date(check.at).toISOString(),
          holdout: draft.holdout === true,
        },
        journeyKey(journey.id, cart.id, "start", "track"),
      ),
    );
  }
  return draft;
}

/** the instance after its cart changed since abandonment: restarted (`cartChange: "restart"`) or as it was */
export function followCartChange(
  run: Run,
  cart: Cart,
  table: ThresholdTable,
  instance: JourneyInstance,
): JourneyInstance {
  if (instance.cartUpdatedAt === undefined || cart.updatedAt <= instance.cartUpdatedAt) return instance;
  const next = copyInstance(instance);
  next.cartUpdatedAt = cart.updatedAt;
  if (run.journey.cartChange === "restart") {
    const intent = classifyIntent(run.journey, cart, table);
    next.intent = intent;
    next.abandonedAt = cart.updatedAt + run.journey.inactivity[intent];
  }
  return next;
}
