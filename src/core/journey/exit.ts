/**
 * Exits, checked first on every plan and on the current state: an order ends the journey before
 * anything else is looked at, so nothing is sent after it. Ending an instance removes the MailerLite
 * groups it added and reports why.
 */
import { commandMeta, makeCommand } from "../commands.js";
import { type Cart, isOpenCart } from "../profile.js";
import { copyInstance, type JourneyInstance } from "./instance.js";
import { journeyKey, stepKey } from "./keys.js";
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

/** the analytics event that reports how an instance ended */
function endEvent(status: "exited" | "completed", reason: string): string {
  if (reason === "ordered") return "Cart Recovered";
  return status === "completed" ? "Cart Recovery Completed" : "Cart Recovery Exited";
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
  if (journey.analytics && instance.status !== "suppressed") {
    run.commands.push(
      analyticsCommand(
        profile,
        origin,
        endEvent(status, reason),
        {
          journey: journey.id,
          cart_id: instance.cartId,
          reason,
          stage: instance.stage,
          messages: instance.sent.length,
          recovered_value: reason === "ordered" && cart ? cart.value : null,
          currency: cart?.currency ?? null,
        },
        journeyKey(journey.id, instance.cartId, "exit", "track"),
      ),
    );
  }
  const next = copyInstance(instance);
  next.status = status;
  next.exitedAt = now;
  if (status === "exited") next.exitReason = reason;
  return next;
}
