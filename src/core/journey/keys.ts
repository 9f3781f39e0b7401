/**
 * Idempotency keys: `journey:cart:stage:step:channel`, plus a suffix for a step's other commands. They
 * depend only on the journey, the cart and the step, so a replay yields the same keys and the runtime
 * dedupes on them.
 *
 * Built with `join`, which makes one flat string. A template literal makes a chain of pieces (one
 * per `+`, about 300 bytes for a key), and every key a profile keeps in its journey instances would
 * hold on to that chain.
 */

export function stepKey(
  journey: string,
  cartId: string,
  stage: number | string,
  step: string,
  channel: string,
): string {
  return [journey, cartId, stage, step, channel].join(":");
}

/** keys of commands that belong to the journey rather than a step (`start`, `exit`) */
export function journeyKey(journey: string, cartId: string, event: string, part: string): string {
  return [journey, cartId, event, part].join(":");
}
