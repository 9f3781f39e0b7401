/**
 * Exits, checked first on every plan and on the current state: an order ends the journey before
 * anything else is looked at, so nothing is sent after it. Ending an instance removes the MailerLite
 * groups it added and reports why.
 */
import { commandMeta, makeCommand } from "../commands.js";
import { type Cart, isOpenCart } from "../profile.js";
import { copyInstance, type JourneyInstance } from "./instance.js";
import { journeyKey, stepKey } from "./keys.js";
import { attributeInstance, recoveredProperties, recoveryRecord } from "./recovery.js";
import { instanceOrigin, type Run } from "./run.js";
import { analyticsCommand } from "./step-commands.js";

/** why the journey of `cart` must end now (or not start), or null */
export function exitReason(run: Run, cart: Cart, started: boolean): string | null {
  if (cart.status === "ordered" || cart.orderedAt !== undefined) return "ordered";
  const { lastOrderAt } = run.profile.orders;
  if (run.journey.onAnyOrder && lastOrderAt !== undefined && lastOrderAt >= cart.createdAt)
    return "ordered_other_cart";
  if (!isOpenCart(cart)) return `cart_${cart.status}`;
  if (started && (cart.items.length === 0 || cart.value <= 0)) return "cart_emptied";
  return null;
}

/** ends an instance: removes the MailerLite groups it added and reports why */
export function endInstance(
  run: Run,
  instance: JourneyInstance,
  cart: Cart | null,
  status: "exited" | "completed",
  reason: string,
): JourneyInstance {
  const { journey, profile, now } = run;
  const origin = instanceOrigin(run, instance, instance.stage);
  if (profile.email) {
    const ungroup = instanceOrigin(run, instance, instance.stage, null, "email");
    for (const group of instance.groups ?? []) {
      const key = stepKey(journey.id, instance.cartId, "exit", `ungroup-${group}`, "email");
      run.commands.push(
        makeCommand(commandMeta(ungroup, "support", key), {
          type: "mailerlite.removeFromGroup",
          email: profile.email,
          group,
        }),
      );
    }
  }
  // an order recovers the cart unless it came before the cart was judged abandoned
  const attribution =
    reason === "ordered" && cart ? attributeInstance(journey, instance, cart, profile, null) : null;
  const recovery = cart && attribution ? recoveryRecord(journey, cart, attribution) : null;
  if (journey.analytics && instance.status !== "suppressed") {
    const event = recovery
      ? "Cart Recovered"
      : status === "completed"
        ? "Cart Recovery Completed"
        : "Cart Recovery Exited";
    run.commands.push(
      analyticsCommand(
        profile,
        origin,
        event,
        recovery && attribution?.recovered
          ? recoveredProperties(instance, recovery, attribution.by)
          : {
              journey: journey.id,
              cart_id: instance.cartId,
              reason: attribution && !attribution.recovered ? `ordered_${attribution.reason}` : reason,
              stage: instance.stage,
              messages: instance.sent.length,
              holdout: instance.holdout === true,
              recovered_value: null,
              currency: cart?.currency ?? null,
            },
        journeyKey(journey.id, instance.cartId, "exit", "track"),
      ),
    );
  }
  const next = copyInstance(instance);
  if (recovery) next.recovery = recovery;
  next.status = status;
  next.exitedAt = now;
  if (status === "exited") next.exitReason = reason;
  return next;
}

/**
 * an order that comes after the instance stopped (completed a day after its last message, say) still
 * recovers the cart within the attribution window: recorded once, with its `Cart Recovered` event
 */
export function lateRecovery(run: Run, instance: JourneyInstance, cart: Cart): JourneyInstance | undefined {
  if (
    instance.status === "suppressed" ||
    instance.recovery !== undefined ||
    instance.exitReason === "ordered"
  )
    return undefined;
  const attribution = attributeInstance(run.journey, instance, cart, run.profile, instance.exitedAt ?? null);
  const recovery = attribution ? recoveryRecord(run.journey, cart, attribution) : null;
  if (!recovery || !attribution?.recovered) return undefined;
  if (run.journey.analytics) {
    run.commands.push(
      analyticsCommand(
        run.profile,
        instanceOrigin(run, instance, instance.stage),
        "Cart Recovered",
        recoveredProperties(instance, recovery, attribution.by),
        journeyKey(run.journey.id, instance.cartId, "recovered", "track"),
      ),
    );
  }
  const next = copyInstance(instance);
  next.recovery = recovery;
  return next;
}
