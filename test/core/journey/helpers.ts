import type { Cart, ConsentState, Profile } from "../../../src/core/profile.js";

export const T0 = Date.parse("2026-03-02T10:00:00Z");
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

const unknown: ConsentState = { status: "unknown" };

/** a profile as the reducer would leave it; override what a test is about */
export function makeProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    id: "p1",
    userId: "u1",
    anonymousIds: ["a1"],
    email: "asha@example.com",
    phone: "+919812345678",
    firstName: "Asha",
    timezone: "UTC",
    traits: {},
    consent: {
      email: { status: "granted", at: T0 - DAY },
      sms: { status: "granted", at: T0 - DAY },
      whatsapp: { status: "granted", at: T0 - DAY },
      push: unknown,
    },
    orders: { count: 0, lifetimeValue: 0, recentIds: [] },
    carts: [],
    engagement: [],
    journeys: {},
    seen: [],
    firstSeenAt: T0 - DAY,
    lastSeenAt: T0,
    ...overrides,
  };
}

/** a cart as a store's checkout leaves it, with the link back to it; override what a test is about */
export function makeCart(overrides: Partial<Cart> = {}): Cart {
  const items = overrides.items ?? [{ productId: "sku-1", name: "Linen shirt", quantity: 1, price: 60 }];
  return {
    id: "c1",
    refs: ["c1"],
    value: items.reduce((s, i) => s + i.price * i.quantity, 0),
    currency: "USD",
    status: "active",
    createdAt: T0 - 10 * MIN,
    updatedAt: T0,
    checkoutUrl: `https://shop.example.com/checkouts/${overrides.id ?? "c1"}`,
    ...overrides,
    items,
  };
}

import type { Command } from "../../../src/core/commands.js";
import { type JourneySpec, type PlanContext, planJourney } from "../../../src/core/journey/index.js";

export interface Change {
  at: number;
  apply: (profile: Profile) => Profile;
}

export interface Emitted {
  at: number;
  command: Command;
}

/**
 * drives the planner like the runtime does: plans at every wake time and right after every change,
 * until `until`; returns the commands with the time they were produced and the final profile
 */
export function drive(
  journey: JourneySpec,
  start: Profile,
  changes: Change[],
  until: number,
  context: PlanContext = {},
): { emitted: Emitted[]; profile: Profile } {
  const pending = [...changes].sort((a, b) => a.at - b.at);
  let profile = start;
  let wakeAt: number | null = pending.length > 0 ? null : start.lastSeenAt;
  const emitted: Emitted[] = [];
  let now = Math.min(start.lastSeenAt, pending[0]?.at ?? Number.POSITIVE_INFINITY);
  for (let guard = 0; guard < 10_000; guard++) {
    while (pending.length > 0 && (pending[0] as Change).at <= now)
      profile = (pending.shift() as Change).apply(profile);
    const plan = planJourney(journey, profile, now, context);
    for (const command of plan.commands) emitted.push({ at: now, command });
    profile = plan.profile;
    wakeAt = plan.wakeAt;
    const next = Math.min(wakeAt ?? Number.POSITIVE_INFINITY, pending[0]?.at ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(next) || next > until) break;
    now = Math.max(next, now);
  }
  return { emitted, profile };
}

/** the messages only, as `+offset channel step` lines relative to `origin`, for readable assertions */
export function messageTimeline(emitted: Emitted[], origin = T0): string[] {
  return emitted
    .filter((e) => e.command.kind === "message" || e.command.kind === "task")
    .map((e) => {
      const c = e.command;
      const mins = Math.round((e.at - origin) / MIN);
      const d = Math.floor(mins / 1440);
      const h = Math.floor((mins % 1440) / 60);
      const m = mins % 60;
      const offset = `${d ? `${d}d` : ""}${h ? `${h}h` : ""}${m || (!d && !h) ? `${m}m` : ""}`;
      const what = c.type === "webhook.post" ? `task ${c.event}` : `${c.channel} ${c.stage}/${c.step}`;
      const discount = c.discountPercent !== null ? ` ${c.discountPercent}%` : "";
      return `+${offset} ${what}${discount}`;
    });
}

/** approved-looking WhatsApp templates, for timelines that show the playbook's WhatsApp messages */
export const WHATSAPP_TEMPLATES = {
  nudge: `HX${"1a".repeat(16)}`,
  urgency: `HX${"2b".repeat(16)}`,
};
