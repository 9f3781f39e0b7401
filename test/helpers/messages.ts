import type { CartEvent } from "../../src/core/events.js";
import { normalizeEvent } from "../../src/core/normalize/index.js";
import type { Profile } from "../../src/core/profile.js";
import { emptyProfile, reduceProfile } from "../../src/core/reduce.js";

const BASE = Date.parse("2026-03-02T10:00:00.000Z");
let counter = 0;

/** an ISO time `minutes` after the scenario's start */
export function at(minutes: number): string {
  return new Date(BASE + minutes * 60_000).toISOString();
}

/** a RudderStack track message, with a fresh messageId unless one is given */
export function track(
  event: string,
  minutes: number,
  properties: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    type: "track",
    event,
    messageId: `msg-${++counter}`,
    anonymousId: "anon-1",
    timestamp: at(minutes),
    properties,
    ...extra,
  };
}

export function identify(
  minutes: number,
  traits: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    type: "identify",
    messageId: `msg-${++counter}`,
    anonymousId: "anon-1",
    userId: "user-1",
    timestamp: at(minutes),
    traits,
    ...extra,
  };
}

/** the cart events of messages, failing loudly on a rejected one */
export function toEvents(...messages: unknown[]): CartEvent[] {
  return messages.flatMap((message) => {
    const result = normalizeEvent(message, { defaultRegion: "US" });
    if (!result.success) throw new Error(`rejected: ${JSON.stringify(result.error)}`);
    return result.data;
  });
}

/** one profile after all the messages, applied in order */
export function profileOf(...messages: unknown[]): Profile {
  const events = toEvents(...messages);
  return events.reduce(reduceProfile, emptyProfile("p:test", events[0]?.at ?? BASE));
}
