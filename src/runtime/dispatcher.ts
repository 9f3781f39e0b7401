/**
 * The dispatcher pass: lease due outbox entries, deliver each through the destination that handles
 * its command type, and record the outcome — sent, retry later (exponential backoff with jitter, at
 * least the provider's `Retry-After`), or dead-lettered. Outcomes that say something about the
 * shopper (an opted-out number) are fed back as events.
 *
 * Exactly once per idempotency key: the outbox holds each key once; an entry whose earlier attempt
 * ended without an outcome (a crash, a lease that ran out) is checked with the provider first when the
 * destination can look messages up (Twilio); MailerLite calls are idempotent and simply repeat.
 */
import type { Command } from "../core/commands.js";
import type { CartEvent } from "../core/events.js";
import type { Profile } from "../core/profile.js";
import { type Destination, isDeliveryError } from "../destinations/types.js";
import { type BackoffOptions, retryDelayMs } from "./backoff.js";
import type { Clock } from "./clock.js";
import { forEachLimited } from "./limit.js";
import type { Logger } from "./logger.js";
import type { MetricsRecorder } from "./metrics.js";
import type { ClaimedOutboxEntry, Store } from "./store.js";

export interface DispatcherDeps {
  store: Store;
  destinations: ReadonlyMap<string, Destination>;
  clock: Clock;
  logger: Logger;
  metrics: MetricsRecorder;
  worker: string;
  batch: number;
  leaseMs: number;
  concurrency: number;
  maxAttempts: number;
  backoff: BackoffOptions;
  random: () => number;
  feedback: (events: CartEvent[]) => Promise<void>;
}

/** why a message must not go out any more, or null; read from the shopper's state at dispatch time */
export function stopReason(command: Command, profile: Profile | null): string | null {
  if (command.kind !== "message") return null;
  if (profile === null) return "the shopper's profile no longer exists";
  if (command.cartId !== null) {
    const cart = profile.carts.find((c) => c.id === command.cartId);
    if (cart?.status === "ordered") return `cart ${command.cartId} was ordered before the message went out`;
    const instance = profile.journeys[`${command.journey}:${command.cartId}`];
    if (instance?.exitReason === "ordered") {
      return `cart ${command.cartId} was ordered before the message went out`;
    }
  }
  if (command.channel !== null && profile.consent[command.channel]?.status === "denied") {
    return `${command.channel} consent was withdrawn before the message went out`;
  }
  return null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function deliver(deps: DispatcherDeps, entry: ClaimedOutboxEntry): Promise<"sent" | "other"> {
  const { store, clock, metrics, logger } = deps;
  const { command, key } = entry;
  const destination = deps.destinations.get(command.type);
  const log = { key, type: command.type, profileId: entry.profileId, attempt: entry.attempts };
  if (!destination && command.kind === "analytics") {
    // journey analytics are optional: without a RudderStack destination they are not worth an alarm
    await store.deadLetter(key, {
      reason: `dropped: no destination handles ${command.type}`,
      at: clock.now(),
      dropped: true,
    });
    metrics.count(entry.destination, "dropped");
    return "other";
  }
  if (!destination) {
    await store.deadLetter(key, {
      reason: `configuration: no destination handles ${command.type}; configure "${entry.destination}"`,
      at: clock.now(),
    });
    metrics.count(entry.destination, "dead");
    logger.warn(log, "dispatcher: no destination for this command; dead-lettered");
    return "other";
  }
  const stored = command.kind === "message" ? await store.load(entry.profileId) : null;
  const stop = command.kind === "message" ? stopReason(command, stored?.profile ?? null) : null;
  if (stop !== null) {
    await store.deadLetter(key, { reason: `dropped: ${stop}`, at: clock.now(), dropped: true });
    metrics.count(entry.destination, "dropped");
    logger.info({ ...log, reason: stop }, "dispatcher: message dropped");
    return "other";
  }
  // a command planned to follow another (the group add that sends an email follows its field
  // upsert) waits while that one is still to be delivered, perhaps by another worker
  if (command.after !== undefined) {
    const prerequisite = await store.getOutbox(command.after);
    if (prerequisite && (prerequisite.state === "pending" || prerequisite.state === "sending")) {
      const now = clock.now();
      const nextAttemptAt =
        prerequisite.state === "pending" && prerequisite.dueAt > now ? prerequisite.dueAt + 1 : now + 1_000;
      await store.markRetry(key, {
        error: `waiting for ${prerequisite.key} to be delivered first`,
        nextAttemptAt,
      });
      return "other";
    }
  }
  if (entry.outcomeUnknown && destination.lookup && entry.sendingSince !== null) {
    try {
      const found = await destination.lookup(command, entry.sendingSince);
      if (found) {
        await store.markSent(key, { at: clock.now(), providerId: found.providerId ?? null });
        metrics.count(entry.destination, "sent");
        logger.info(
          { ...log, providerId: found.providerId },
          "dispatcher: an earlier attempt had been delivered",
        );
        return "sent";
      }
    } catch (error) {
      // without an answer, sending again could duplicate: try later
      await store.markRetry(key, {
        error: `lookup before resending failed: ${describe(error)}`,
        nextAttemptAt: clock.now() + retryDelayMs(entry.attempts, deps.backoff, deps.random),
      });
      metrics.count(entry.destination, "failed");
      return "other";
    }
  }
  try {
    const receipt = await destination.execute(command);
    await store.markSent(key, { at: clock.now(), providerId: receipt.providerId ?? null });
    metrics.count(entry.destination, "sent");
    if (receipt.events && receipt.events.length > 0) await deps.feedback(receipt.events);
    return "sent";
  } catch (error) {
    const now = clock.now();
    const delivery = isDeliveryError(error) ? error : null;
    const kind = delivery?.kind ?? "retryable";
    if (kind === "retryable" && entry.attempts < deps.maxAttempts) {
      const delay = retryDelayMs(entry.attempts, deps.backoff, deps.random, delivery?.retryAfterMs);
      await store.markRetry(key, { error: describe(error), nextAttemptAt: now + delay });
      metrics.count(entry.destination, "failed");
      logger.warn(
        { ...log, err: describe(error), retryInMs: delay },
        "dispatcher: delivery failed; will retry",
      );
    } else {
      const reason =
        kind === "retryable"
          ? `gave up after ${entry.attempts} attempts: ${describe(error)}`
          : `${kind}: ${describe(error)}`;
      await store.deadLetter(key, { reason, at: now });
      metrics.count(entry.destination, "dead");
      logger.error({ ...log, reason }, "dispatcher: dead-lettered");
    }
    if (delivery?.events && delivery.events.length > 0) await deps.feedback(delivery.events);
    return "other";
  }
}

/** one pass; resolves to the number of entries delivered */
export async function runDispatcherPass(deps: DispatcherDeps): Promise<number> {
  const entries = await deps.store.claimOutbox(deps.clock.now(), deps.batch, {
    worker: deps.worker,
    leaseMs: deps.leaseMs,
  });
  // one shopper's commands go in claim (due) order; shoppers in parallel
  const byProfile = new Map<string, ClaimedOutboxEntry[]>();
  for (const entry of entries) {
    const list = byProfile.get(entry.profileId);
    if (list) list.push(entry);
    else byProfile.set(entry.profileId, [entry]);
  }
  let sent = 0;
  await forEachLimited([...byProfile.values()], deps.concurrency, async (list) => {
    for (const entry of list) {
      try {
        if ((await deliver(deps, entry)) === "sent") sent++;
      } catch (error) {
        // the store failed mid-way: the lease runs out and the entry comes back as outcome-unknown
        deps.logger.error({ err: error, key: entry.key }, "dispatcher: recording an outcome failed");
      }
    }
  });
  return sent;
}
