/**
 * @module cartback/destinations/rudderstack — sends journey events (`Cart Recovery Message Sent`,
 * `Cart Recovered`, `Cart Recovery Exited`, …) back to RudderStack with the official
 * `@rudderstack/rudder-sdk-node`, and from there on to the store's warehouse.
 *
 * @example
 * const events = rudderstackDestination({ writeKey, dataPlaneUrl: "https://acme.dataplane.rudderstack.com" });
 */
import Analytics from "@rudderstack/rudder-sdk-node";
import type { Command, CommandType, RudderstackTrack } from "../core/commands.js";
import { classifyAxiosError, missingOptionError } from "./errors.js";
import { DeliveryError, type DeliveryReceipt, type Destination } from "./types.js";

export const NAME = "rudderstack";

export type RudderstackClient = Pick<Analytics, "track" | "flush">;

export interface RudderstackDestinationOptions {
  /** an `Analytics` you built (give it `retryCount: 0` so retries stay with the runtime) */
  client?: RudderstackClient;
  writeKey?: string;
  dataPlaneUrl?: string;
  /** events per batch request; a command resolves once its batch is accepted. Default 20 */
  flushAt?: number;
  /** longest wait before a partial batch is sent, default 1 s */
  flushIntervalMs?: number;
  /** per request, default 10 s */
  timeoutMs?: number;
  /** gzip batch bodies (the data plane accepts both), default true */
  gzip?: boolean;
}

const HANDLES: readonly CommandType[] = ["rudderstack.track"];

function resolveClient(options: RudderstackDestinationOptions): RudderstackClient {
  if (options.client) return options.client;
  if (!options.writeKey) throw missingOptionError("rudderstackDestination", "writeKey");
  if (!options.dataPlaneUrl) throw missingOptionError("rudderstackDestination", "dataPlaneUrl");
  return new Analytics(options.writeKey, {
    dataPlaneUrl: options.dataPlaneUrl,
    flushAt: options.flushAt ?? 20,
    flushInterval: options.flushIntervalMs ?? 1000,
    retryCount: 0,
    gzip: options.gzip ?? true,
    // failures reach each command as a DeliveryError; without a handler the SDK also throws from its timer
    logLevel: "none",
    errorHandler: () => {},
    // the SDK reads `timeout` though its types leave it out
    ...({ timeout: options.timeoutMs ?? 10_000 } as object),
  });
}

/** the journey context every event carries, so the warehouse can join events to journeys */
function journeyProperties(command: RudderstackTrack): Record<string, unknown> {
  return {
    ...command.properties,
    journey: command.journey,
    cart_id: command.cartId,
    stage: command.stage,
    step: command.step,
    channel: command.channel,
    segment: command.segment,
    variant: command.variant,
    discount_percent: command.discountPercent,
  };
}

/** The RudderStack destination: each command is one `track` call, resolved when its batch is accepted. */
export function rudderstackDestination(options: RudderstackDestinationOptions): Destination {
  const client = resolveClient(options);

  async function execute(command: Command): Promise<DeliveryReceipt> {
    if (command.type !== "rudderstack.track") {
      throw new DeliveryError(`${NAME}: cannot execute ${command.type}`, {
        kind: "configuration",
        destination: NAME,
        setting: "destinations",
      });
    }
    const identity = command.userId
      ? { userId: command.userId, ...(command.anonymousId ? { anonymousId: command.anonymousId } : {}) }
      : command.anonymousId
        ? { anonymousId: command.anonymousId }
        : undefined;
    if (!identity) {
      throw new DeliveryError(`${NAME}: track "${command.event}" has neither userId nor anonymousId`, {
        kind: "permanent",
        destination: NAME,
      });
    }
    await new Promise<void>((resolve, reject) => {
      client.track(
        {
          ...identity,
          event: command.event,
          // the idempotency key as messageId lets RudderStack drop a replayed event
          ...({ messageId: command.key } as object),
          properties: journeyProperties(command) as never,
        },
        ((error?: unknown) => {
          if (error)
            reject(
              classifyAxiosError(error, { destination: NAME, authSetting: "writeKey", action: "track" }),
            );
          else resolve();
        }) as () => void,
      );
    });
    return { providerId: command.key };
  }

  async function dispose(): Promise<void> {
    await client.flush().catch(() => {});
  }

  // the command key is the messageId, by which RudderStack drops a repeated event
  return { name: NAME, handles: HANDLES, execute, dispose, idempotent: true };
}
