/**
 * The dispatcher pass: lease due outbox entries, deliver each through the destination that handles
 * its command type, and record the outcome — sent, retry later (exponential backoff with jitter, at
 * least the provider's `Retry-After`), or dead-lettered. Outcomes that say something about the
 * shopper (an opted-out number) are fed back as events.
 *
 * Exactly once per idempotency key: the outbox holds each key once, and an attempt that ended
 * without an answer (a timeout, a connection lost after the request went out, a worker that died) is
 * resolved before anything is sent again: looked up where the provider can be asked (Twilio), simply
 * repeated where the provider takes it once however often it comes (MailerLite), dead-lettered for a
 * person to check anywhere else (SendGrid).
 */
import type { Command } from "../core/commands.js";
import type { CartEvent } from "../core/events.js";
import type { Profile } from "../core/profile.js";
import { type DeliveryReceipt, type Destination, isDeliveryError } from "../destinations/types.js";
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
  /** the least wait before asking a provider about an attempt that got no answer */
  lookupDelayMs: number;
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
  const log = logFields(entry);
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
        outcomeUnknown: entry.outcomeUnknown,
      });
      return "other";
    }
  }
  if (entry.outcomeUnknown) {
    const resolved = await resolveUnknownOutcome(deps, entry, destination);
    if (resolved !== "send") return resolved;
  }
  try {
    const receipt = await destination.execute(command);
    await store.markSent(key, { at: clock.now(), providerId: receipt.providerId ?? null });
    metrics.count(entry.destination, "sent");
    if (receipt.events && receipt.events.length > 0) await deps.feedback(receipt.events);
    return "sent";
  } catch (error) {
    const delivery = isDeliveryError(error) ? error : null;
    const kind = delivery?.kind ?? "retryable";
    const unknown = kind === "retryable" && delivery?.outcomeUnknown === true;
    if (unknown && !destination.lookup && !destination.idempotent) {
      await deadLetterUnknown(deps, entry, destination, describe(error));
    } else if (kind === "retryable") {
      await retryOrGiveUp(deps, entry, describe(error), {
        outcomeUnknown: unknown,
        retryAfterMs: delivery?.retryAfterMs,
      });
    } else {
      const reason = `${kind}: ${describe(error)}`;
      await store.deadLetter(key, { reason, at: clock.now() });
      metrics.count(entry.destination, "dead");
      logger.error({ ...logFields(entry), reason }, "dispatcher: dead-lettered");
    }
    if (delivery?.events && delivery.events.length > 0) await deps.feedback(delivery.events);
    return "other";
  }
}

function logFields(entry: ClaimedOutboxEntry) {
  return { key: entry.key, type: entry.command.type, profileId: entry.profileId, attempt: entry.attempts };
}

/**
 * Another attempt later, or the dead-letter queue once `maxAttempts` are used up. An attempt whose
 * outcome is unknown stays unknown, and is not tried again before `lookupDelayMs`: a request the
 * provider held past the client's timeout has then had time to land, so the lookup sees it.
 */
async function retryOrGiveUp(
  deps: DispatcherDeps,
  entry: ClaimedOutboxEntry,
  error: string,
  options: { outcomeUnknown: boolean; retryAfterMs?: number | undefined },
): Promise<void> {
  const { store, clock, metrics, logger } = deps;
  const now = clock.now();
  if (entry.attempts >= deps.maxAttempts) {
    const unknown = options.outcomeUnknown
      ? " (the last attempt's outcome is unknown: it may have been delivered)"
      : "";
    const reason = `gave up after ${entry.attempts} attempts: ${error}${unknown}`;
    await store.deadLetter(entry.key, { reason, at: now });
    metrics.count(entry.destination, "dead");
    logger.error({ ...logFields(entry), reason }, "dispatcher: dead-lettered");
    return;
  }
  let delay = retryDelayMs(entry.attempts, deps.backoff, deps.random, options.retryAfterMs);
  if (options.outcomeUnknown) delay = Math.max(delay, deps.lookupDelayMs);
  await store.markRetry(entry.key, {
    error,
    nextAttemptAt: now + delay,
    outcomeUnknown: options.outcomeUnknown,
  });
  metrics.count(entry.destination, "failed");
  logger.warn(
    { ...logFields(entry), err: error, retryInMs: delay, outcomeUnknown: options.outcomeUnknown },
    "dispatcher: delivery failed; will retry",
  );
}

/**
 * An earlier attempt of `entry` got no answer and may have been delivered. Find out before sending
 * again: ask the provider where it can be asked (Twilio); send again where the provider takes a
 * command once however often it comes (MailerLite, RudderStack, webhooks with `Idempotency-Key`);
 * anywhere else, dead-letter it for a person to check, since sending again could deliver it twice.
 */
async function resolveUnknownOutcome(
  deps: DispatcherDeps,
  entry: ClaimedOutboxEntry,
  destination: Destination,
): Promise<"send" | "sent" | "other"> {
  const { store, clock, metrics, logger } = deps;
  if (!destination.lookup) {
    if (destination.idempotent) return "send";
    const since = new Date(entry.sendingSince ?? entry.createdAt).toISOString();
    const last = entry.lastError ? `; last error: ${entry.lastError}` : "";
    await deadLetterUnknown(deps, entry, destination, `an attempt started ${since} ended without one${last}`);
    return "other";
  }
  let found: DeliveryReceipt | null;
  try {
    found = await destination.lookup(entry.command, entry.sendingSince ?? entry.createdAt);
  } catch (error) {
    // without an answer, sending again could duplicate: ask again later
    await retryOrGiveUp(deps, entry, `lookup before resending failed: ${describe(error)}`, {
      outcomeUnknown: true,
    });
    return "other";
  }
  if (found === null) return "send";
  await store.markSent(entry.key, { at: clock.now(), providerId: found.providerId ?? null });
  metrics.count(entry.destination, "sent");
  logger.info(
    { ...logFields(entry), providerId: found.providerId },
    "dispatcher: an earlier attempt had been delivered",
  );
  return "sent";
}

async function deadLetterUnknown(
  deps: DispatcherDeps,
  entry: ClaimedOutboxEntry,
  destination: Destination,
  error: string,
): Promise<void> {
  const reason =
    `outcome unknown: no answer (${error}), so it may have been delivered; ${destination.name} ` +
    `cannot be asked and a second send could deliver it twice. Check with the provider (key ${entry.key}), ` +
    "then `cartback dlq retry` or `cartback dlq drop`";
  await deps.store.deadLetter(entry.key, { reason, at: deps.clock.now() });
  deps.metrics.count(entry.destination, "dead");
  deps.logger.error({ ...logFields(entry), reason }, "dispatcher: dead-lettered");
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
