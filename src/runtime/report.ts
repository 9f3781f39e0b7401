/**
 * What the operations CLI shows and does for one shopper: find them by id, email or phone; their
 * state, journey timeline and what is scheduled next; erasure.
 */
import type { MailerliteForget } from "../core/commands.js";
import { type PlanContext, planShopper, type ResolvedJourney, type SentStep } from "../core/journey/index.js";
import { normalizePhone } from "../core/normalize/index.js";
import type { Profile } from "../core/profile.js";
import type { OutboxEntry, Store } from "./store.js";

/** the profile id for a profile id, an identity key (`email:…`), an email, a phone number or a user id */
export async function findProfileId(store: Store, idOrKey: string, region?: string): Promise<string | null> {
  const input = idOrKey.trim();
  if (input === "") return null;
  if (await store.load(input)) return input;
  let keys: string[];
  if (/^(user|anon|email|phone):/.test(input)) keys = [input];
  else if (input.includes("@")) keys = [`email:${input.toLowerCase()}`];
  else if (/^\+?[\d\s().-]{6,}$/.test(input)) {
    const phone = normalizePhone(input, region).e164;
    keys = phone ? [`phone:${phone}`] : [];
  } else keys = [`user:${input}`, `anon:${input}`];
  if (keys.length === 0) return null;
  const [id] = await store.resolve(keys);
  return id ?? null;
}

export interface TimelineEntry {
  at: number;
  journey: string;
  cartId: string;
  /**
   * `abandoned`, `skipped`, `exited`, `completed`, or for a message the journey sent, its delivery
   * outcome: `queued`, `sent`, `delivered`, `failed`, `dead`, `dropped` (`planned` when the outbox
   * holds no trace of it, e.g. after pruning)
   */
  what: string;
  detail: string;
}

export interface ProfileReport {
  id: string;
  version: number;
  keys: string[];
  profile: Profile;
  /** the journeys so far, oldest first */
  timeline: TimelineEntry[];
  /** the next wake-up and what the journeys would do then on today's state; null when nothing is scheduled */
  next: {
    at: number;
    commands: { type: string; channel: string | null; step: string | null; key: string }[];
    why: string[];
    /**
     * when the journeys would look again after that wake-up, on today's state: the next stage, or a
     * send window opening for a message quiet hours hold; null when nothing would be left to do
     */
    after: number | null;
  } | null;
  /** this shopper's outbox, oldest due first */
  outbox: OutboxEntry[];
}

/** engagements that tell what happened to a sent message, latest wins */
const DELIVERY: Partial<Record<string, "delivered" | "failed">> = {
  delivered: "delivered",
  failed: "failed",
  bounced: "failed",
};

/**
 * What became of one sent step: its outbox entries (dead or dropped wins, then queued, then sent) and
 * the provider's delivery reports, if any came back.
 */
function deliveryOutcome(
  profile: Profile,
  journey: string,
  cartId: string,
  sent: SentStep,
  outbox: readonly OutboxEntry[],
): { what: string; note: string } {
  const entries = outbox.filter(
    (e) =>
      e.command.journey === journey &&
      e.command.cartId === cartId &&
      e.command.stage === sent.stage &&
      e.command.step === sent.step &&
      (e.command.kind === "message" || e.command.kind === "task"),
  );
  if (entries.length === 0) return { what: "planned", note: "" };
  const dead = entries.find((e) => e.state === "dead");
  if (dead) return { what: "dead", note: `: ${dead.deadReason ?? dead.lastError ?? "no reason recorded"}` };
  const dropped = entries.find((e) => e.state === "dropped");
  if (dropped) return { what: "dropped", note: `: ${dropped.deadReason ?? "no longer applied"}` };
  const waiting = entries.find((e) => e.state === "pending" || e.state === "sending");
  if (waiting)
    return {
      what: "queued",
      note: waiting.attempts > 0 ? ` (attempt ${waiting.attempts} failed: ${waiting.lastError ?? "?"})` : "",
    };
  let report: "delivered" | "failed" | undefined;
  for (const e of profile.engagement)
    if (e.cartId === cartId && e.stage === sent.stage && e.step === sent.step && e.channel === sent.channel)
      report = DELIVERY[e.engagement] ?? report;
  return { what: report ?? "sent", note: "" };
}

/**
 * The journeys of a profile so far, oldest first. With the shopper's outbox, each message shows its
 * delivery outcome; without it, only that the journey planned it.
 */
export function journeyTimeline(profile: Profile, outbox: readonly OutboxEntry[] = []): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const instance of Object.values(profile.journeys)) {
    const base = { journey: instance.journey, cartId: instance.cartId };
    if (instance.abandonedAt !== null) {
      out.push({
        ...base,
        at: instance.abandonedAt,
        what: "abandoned",
        detail: `segment ${instance.segment ?? "-"}`,
      });
    }
    for (const sent of instance.sent) {
      const { what, note } = deliveryOutcome(profile, instance.journey, instance.cartId, sent, outbox);
      out.push({
        ...base,
        at: sent.at,
        what,
        detail:
          `stage ${sent.stage} ${sent.step} by ${sent.channel ?? "task"}` +
          (sent.due !== undefined && sent.heldBy
            ? ` (due ${new Date(sent.due).toISOString()}, held by ${sent.heldBy.join(", ")})`
            : "") +
          note,
      });
    }
    for (const skipped of instance.skipped ?? []) {
      out.push({
        ...base,
        at: skipped.at,
        what: "skipped",
        detail: `stage ${skipped.stage} ${skipped.step} by ${skipped.channel ?? "task"}: ${skipped.reason}`,
      });
    }
    if (instance.exitedAt !== undefined) {
      out.push({
        ...base,
        at: instance.exitedAt,
        what: instance.status === "completed" ? "completed" : "exited",
        detail: instance.exitReason ?? instance.status,
      });
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

export async function reportProfile(
  store: Store,
  id: string,
  journeys: readonly ResolvedJourney[],
  context: PlanContext,
): Promise<ProfileReport | null> {
  const stored = await store.load(id);
  if (!stored) return null;
  const outbox = await store.listOutbox({ profileId: id, limit: 1000 });
  let next: ProfileReport["next"] = null;
  if (stored.wakeAt !== null) {
    // a dry run of the next wake-up on the current state: nothing is saved
    const planned = planShopper(journeys, stored.profile, stored.wakeAt, context);
    const why = Object.values(stored.profile.journeys)
      .filter((i) => i.status === "waiting" || i.status === "active" || i.status === "paused")
      .map((i) =>
        i.status === "waiting"
          ? `${i.journey} cart ${i.cartId}: waiting to see whether the cart is abandoned`
          : `${i.journey} cart ${i.cartId}: ${i.status} at stage ${i.stage ?? "-"}, ${i.sent.length} sent so far`,
      );
    next = {
      at: stored.wakeAt,
      commands: planned.commands.map((c) => ({ type: c.type, channel: c.channel, step: c.step, key: c.key })),
      why,
      after: planned.wakeAt,
    };
  }
  return {
    id,
    version: stored.version,
    keys: stored.keys,
    profile: stored.profile,
    timeline: journeyTimeline(stored.profile, outbox),
    next,
    outbox,
  };
}

export interface ForgetReport {
  found: boolean;
  profileId: string | null;
  keys: string[];
  /** outbox entries erased (in any state) */
  outboxRemoved: number;
  /** the idempotency key of the queued MailerLite `forget`, when the shopper had an email */
  mailerliteForget: string | null;
}

/** erases a shopper: state, keys, outbox; queues MailerLite's `forget` for their email */
export async function forgetProfile(store: Store, id: string, now: number): Promise<ForgetReport> {
  const stored = await store.load(id);
  if (!stored) return { found: false, profileId: null, keys: [], outboxRemoved: 0, mailerliteForget: null };
  const email = stored.profile.email;
  const command: MailerliteForget | null = email
    ? {
        type: "mailerlite.forget",
        key: `erase:${id}:${now}`,
        kind: "support",
        channel: "email",
        profileId: id,
        cartId: null,
        journey: "erasure",
        stage: null,
        step: null,
        segment: null,
        variant: null,
        discountPercent: null,
        email,
      }
    : null;
  const result = await store.forget(id, { now, commands: command ? [command] : [] });
  return {
    found: result.profile !== null,
    profileId: id,
    keys: result.keys,
    outboxRemoved: result.outbox.length,
    mailerliteForget: command?.key ?? null,
  };
}
