/**
 * @module cartback/destinations/mailerlite — executes `mailerlite.*` commands through the official
 * `@mailerlite/mailerlite-nodejs` SDK (the API of every account created since March 2022).
 *
 * @example
 * const mailerlite = mailerliteDestination({ apiKey: process.env.MAILERLITE_API_KEY });
 * await mailerlite.execute(command);
 */
import MailerLiteModule from "@mailerlite/mailerlite-nodejs";
import type { Command, CommandType } from "../core/commands.js";
import { classifyAxiosError, missingOptionError, withTimeout } from "./errors.js";
import { createPacer, MAILERLITE_DEFAULT_PACING, type PacingOptions } from "./pacing.js";
import { DeliveryError, type DeliveryReceipt, type Destination } from "./types.js";

export const NAME = "mailerlite";

type MailerLite = InstanceType<typeof MailerLiteModule.default>;
// the package is CommonJS: Node hands over the class itself where its types promise `.default`
const MailerLite = (MailerLiteModule.default ?? MailerLiteModule) as typeof MailerLiteModule.default;

/** the SDK client, or anything shaped like the parts cartback uses */
export type MailerliteClient = Pick<MailerLite, "subscribers" | "groups" | "fields">;

export interface MailerliteDestinationOptions {
  /** an SDK client you built; otherwise one is built from `apiKey` and `baseUrl` */
  client?: MailerliteClient;
  apiKey?: string;
  /** e.g. `http://127.0.0.1:4010` for the local emulator; default `https://connect.mailerlite.com` */
  baseUrl?: string;
  /** per call; the SDK has no timeout of its own. Default 10 s */
  timeoutMs?: number;
  /** default 120 requests per 61 s (MailerLite allows 120/min per account); `false` turns pacing off */
  pacing?: PacingOptions | false;
  /** group ids by name, to skip the lookup */
  groups?: Record<string, string>;
}

const HANDLES: readonly CommandType[] = [
  "mailerlite.upsertSubscriber",
  "mailerlite.addToGroup",
  "mailerlite.removeFromGroup",
  "mailerlite.forget",
];

/** a MailerLite group id is a numeric string; anything else is a group name */
const GROUP_ID = /^\d+$/;

/** the SDK client from options (`apiKey`, `baseUrl`), or the injected one */
export function mailerliteClient(
  options: Pick<MailerliteDestinationOptions, "client" | "apiKey" | "baseUrl">,
): MailerliteClient {
  if (options.client) return options.client;
  if (!options.apiKey) throw missingOptionError("mailerliteDestination", "apiKey");
  return new MailerLite({
    api_key: options.apiKey,
    ...(options.baseUrl ? { base_path: options.baseUrl.replace(/\/+$/, "") } : {}),
  });
}

/**
 * The MailerLite destination. Upserts never send `status`, so a person who unsubscribed stays
 * unsubscribed; groups named in commands are looked up once and created when missing.
 */
export function mailerliteDestination(options: MailerliteDestinationOptions): Destination {
  const client = mailerliteClient(options);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pace = createPacer(options.pacing ?? MAILERLITE_DEFAULT_PACING);
  const groupIds = new Map<string, Promise<string>>(
    Object.entries(options.groups ?? {}).map(([name, id]) => [name, Promise.resolve(id)]),
  );
  const subscriberIds = new Map<string, string>();

  /** one paced, timed SDK call, its failure classified */
  async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await pace(() => withTimeout(run(), timeoutMs, NAME, action));
    } catch (error) {
      throw classifyAxiosError(error, { destination: NAME, authSetting: "apiKey", action });
    }
  }

  async function lookupGroup(name: string): Promise<string> {
    const found = await call(`find group "${name}"`, () =>
      client.groups.get({ filter: { name }, limit: 100, sort: "name" }),
    );
    // the name filter matches substrings
    const exact = found.data.data.find((group) => group.name === name);
    if (exact) return exact.id;
    const created = await call(`create group "${name}"`, () => client.groups.create({ name }));
    return created.data.data.id;
  }

  function resolveGroup(group: string): Promise<string> {
    if (GROUP_ID.test(group)) return Promise.resolve(group);
    let id = groupIds.get(group);
    if (!id) {
      // concurrent commands for the same group share one lookup
      id = lookupGroup(group);
      groupIds.set(group, id);
      id.catch(() => groupIds.delete(group));
    }
    return id;
  }

  /** the subscriber id for an email, or undefined when MailerLite does not know the person */
  async function findSubscriber(email: string): Promise<string | undefined> {
    const cached = subscriberIds.get(email);
    if (cached) return cached;
    try {
      const found = await call("find subscriber", () => client.subscribers.find(email));
      subscriberIds.set(email, found.data.data.id);
      return found.data.data.id;
    } catch (error) {
      if ((error as DeliveryError).status === 404) return undefined;
      throw error;
    }
  }

  async function execute(command: Command): Promise<DeliveryReceipt> {
    switch (command.type) {
      case "mailerlite.upsertSubscriber": {
        // no `status`: the API keeps an existing subscriber's status, so an unsubscribe stands
        const res = await call("upsert subscriber", () =>
          client.subscribers.createOrUpdate({ email: command.email, fields: command.fields }),
        );
        subscriberIds.set(command.email, res.data.data.id);
        return { providerId: res.data.data.id };
      }
      case "mailerlite.addToGroup": {
        const [subscriberId, groupId] = await Promise.all([
          findSubscriber(command.email),
          resolveGroup(command.group),
        ]);
        if (subscriberId === undefined) {
          throw new DeliveryError(
            `${NAME}: cannot add ${command.email} to group "${command.group}": no such subscriber (upsert the subscriber first)`,
            { kind: "permanent", destination: NAME, status: 404 },
          );
        }
        await call(`add subscriber to group "${command.group}"`, () =>
          client.groups.assignSubscriber(subscriberId, groupId),
        );
        return { providerId: subscriberId };
      }
      case "mailerlite.removeFromGroup": {
        const subscriberId = await findSubscriber(command.email);
        // nobody to remove: the desired state already holds
        if (subscriberId === undefined) return {};
        const groupId = await resolveGroup(command.group);
        try {
          await call(`remove subscriber from group "${command.group}"`, () =>
            client.groups.unAssignSubscriber(subscriberId, groupId),
          );
        } catch (error) {
          if ((error as DeliveryError).status !== 404) throw error;
        }
        return { providerId: subscriberId };
      }
      case "mailerlite.forget": {
        const subscriberId = await findSubscriber(command.email);
        if (subscriberId === undefined) return {};
        await call("forget subscriber", () => client.subscribers.forget(subscriberId));
        subscriberIds.delete(command.email);
        return { providerId: subscriberId };
      }
      default:
        throw new DeliveryError(`${NAME}: cannot execute ${command.type}`, {
          kind: "configuration",
          destination: NAME,
          setting: "destinations",
        });
    }
  }

  // upserts by email and group memberships: repeating one changes nothing more, and a second add
  // to a group the subscriber is in does not start the group's automation again
  return { name: NAME, handles: HANDLES, execute, idempotent: true };
}
