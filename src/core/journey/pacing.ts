/**
 * Pacing: the shopper's conversation as a whole, across every stage, cart and journey of theirs.
 * Every message the shopper got is in a ledger; another one may go out only once it keeps the least
 * time from messages of other stages or carts (`stageGap`) and from other texts (`textGap`), and
 * stays within the most messages in any 24 hours (`dailyMax`).
 */
import type { Channel } from "../events.js";
import type { Profile } from "../profile.js";
import type { ResolvedPacing } from "./resolve.js";

/** a message the shopper got */
export interface LedgerEntry {
  at: number;
  text: boolean;
  journey: string;
  cartId: string;
  stage: number;
}

const DAY = 24 * 3_600_000;

export function isText(channel: Channel | null): boolean {
  return channel === "sms" || channel === "whatsapp";
}

/** every message of every journey instance of the shopper */
export function buildLedger(profile: Profile): LedgerEntry[] {
  const ledger: LedgerEntry[] = [];
  for (const key in profile.journeys) {
    const instance = profile.journeys[key];
    if (instance === undefined) continue;
    for (const s of instance.sent) {
      if (s.channel === null) continue;
      ledger.push({
        at: s.at,
        text: isText(s.channel),
        journey: instance.journey,
        cartId: instance.cartId,
        stage: s.stage,
      });
    }
  }
  return ledger;
}

/**
 * the earliest moment a message of `stage` of this journey and cart may go out by the pacing rules
 * (`-Infinity` when nothing holds it back)
 */
export function pacingBound(
  pacing: ResolvedPacing,
  ledger: readonly LedgerEntry[],
  journey: string,
  cartId: string,
  stage: number,
  text: boolean,
): number {
  let bound = Number.NEGATIVE_INFINITY;
  for (const m of ledger) {
    if (m.stage !== stage || m.cartId !== cartId || m.journey !== journey) {
      if (m.at + pacing.stageGap > bound) bound = m.at + pacing.stageGap;
    }
    if (text && m.text && m.at + pacing.textGap > bound) bound = m.at + pacing.textGap;
  }
  const max = pacing.dailyMax;
  if (max !== null && ledger.length >= max) {
    // at most `max` messages in any 24 hours: the max-th newest must be a day old
    const times = ledger.map((m) => m.at).sort((a, b) => b - a);
    const oldest = (times[max - 1] as number) + DAY;
    if (oldest > bound) bound = oldest;
  }
  return bound;
}
