/**
 * @module cartback/destinations/mailerlite-classic — executes `mailerlite.*` commands for MailerLite
 * accounts created before March 2022, which only the classic API v2 serves, through
 * `mailerlite-api-v2-node`. The SDK is imported on first use, so it loads only when chosen.
 *
 * @example
 * const mailerlite = mailerliteClassicDestination({ apiKey: process.env.MAILERLITE_CLASSIC_API_KEY });
 */
import type { Command, CommandType } from "../core/commands.js";
import { classifyAxiosError, missingOptionError } from "./errors.js";
import { createPacer, MAILERLITE_DEFAULT_PACING, type PacingOptions } from "./pacing.js";
import { DeliveryError, type DeliveryReceipt, type Destination } from "./types.js";

export const NAME = "mailerlite";

type ClassicFactory = typeof import("mailerlite-api-v2-node").default;
export type MailerliteClassicClient = Pick<
  ReturnType<ClassicFactory>,
  | "addSubscriber"
  | "searchGroups"
  | "createGroup"
  | "addSubscriberToGroup"
  | "removeGroupSubscriber"
  | "removeSubscriber"
>;

export interface MailerliteClassicDestinationOptions {
  /** a client you built (with `useCaseConverter: false`); otherwise one is built from `apiKey` */
  client?: MailerliteClassicClient;
  apiKey?: string;
  /** default `https://api.mailerlite.com/api/v2/`; the emulator's is `<url>/api/v2/` */
  baseUrl?: string;
  /** per request, default 10 s */
  timeoutMs?: number;
  /** default 120 requests per 61 s; `false` turns pacing off */
  pacing?: PacingOptions | false;
  /** group ids by name, to skip the lookup */
  groups?: Record<string, number>;
}

const HANDLES: readonly CommandType[] = [
  "mailerlite.upsertSubscriber",
  "mailerlite.addToGroup",
  "mailerlite.removeFromGroup",
  "mailerlite.forget",
];

async function loadClient(options: MailerliteClassicDestinationOptions): Promise<MailerliteClassicClient> {
  if (options.client) return options.client;
  const module = await import("mailerlite-api-v2-node");
  // CommonJS from ESM: the factory sits on `.default` once more
  const factory = ((module.default as unknown as { default?: ClassicFactory }).default ??
    module.default) as ClassicFactory;
  return factory(options.apiKey as string, {
    // field keys are sent as written: the SDK would snake_case them otherwise
    useCaseConverter: false,
    ...(options.baseUrl
      ? { baseURL: options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/` }
      : {}),
    axiosOptions: { timeout: options.timeoutMs ?? 10_000 },
  });
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * The classic MailerLite destination. Upserts and group adds pass `resubscribe: false`, so a person
 * who unsubscribed stays unsubscribed; `forget` deletes the subscriber (the classic API has no erasure call).
 */
export function mailerliteClassicDestination(options: MailerliteClassicDestinationOptions): Destination {
  if (!options.client && !options.apiKey) throw missingOptionError("mailerliteClassicDestination", "apiKey");
  let client: Promise<MailerliteClassicClient> | undefined;
  const pace = createPacer(options.pacing ?? MAILERLITE_DEFAULT_PACING);
  const groupIds = new Map<string, Promise<number>>(
    Object.entries(options.groups ?? {}).map(([name, id]) => [name, Promise.resolve(id)]),
  );

  async function call<T>(action: string, run: (sdk: MailerliteClassicClient) => Promise<T>): Promise<T> {
    client ??= loadClient(options);
    const sdk = await client;
    try {
      return await pace(() => run(sdk));
    } catch (error) {
      throw classifyAxiosError(error, { destination: NAME, authSetting: "apiKey", action });
    }
  }

  async function lookupGroup(name: string): Promise<number> {
    const found = await call(`find group "${name}"`, (sdk) => sdk.searchGroups(name));
    const exact = found.find((group) => group.name === name);
    if (exact) return exact.id;
    const created = await call(`create group "${name}"`, (sdk) => sdk.createGroup({ name }));
    return created.id;
  }

  function resolveGroup(group: string): Promise<number> {
    if (/^\d+$/.test(group)) return Promise.resolve(Number(group));
    let id = groupIds.get(group);
    if (!id) {
      id = lookupGroup(group);
      groupIds.set(group, id);
      id.catch(() => groupIds.delete(group));
    }
    return id;
  }

  async function execute(command: Command): Promise<DeliveryReceipt> {
    switch (command.type) {
      case "mailerlite.upsertSubscriber": {
        const fields = Object.fromEntries(
          Object.entries(command.fields).map(([key, value]) => [key, value ?? ""]),
        ) as Record<string, string | number>;
        const subscriber = (await call("upsert subscriber", (sdk) =>
          sdk.addSubscriber({ email: command.email, fields, resubscribe: false }),
        )) as unknown as { id?: number };
        return subscriber.id !== undefined ? { providerId: String(subscriber.id) } : {};
      }
      case "mailerlite.addToGroup": {
        const groupId = await resolveGroup(command.group);
        await call(`add subscriber to group "${command.group}"`, (sdk) =>
          sdk.addSubscriberToGroup(groupId, { email: command.email, resubscribe: false }),
        );
        return {};
      }
      case "mailerlite.removeFromGroup": {
        const groupId = await resolveGroup(command.group);
        try {
          await call(`remove subscriber from group "${command.group}"`, (sdk) =>
            sdk.removeGroupSubscriber(groupId, command.email),
          );
        } catch (error) {
          // not in the group (or unknown): the desired state already holds
          if (statusOf(error) !== 404) throw error;
        }
        return {};
      }
      case "mailerlite.forget": {
        try {
          await call("delete subscriber", (sdk) => sdk.removeSubscriber(command.email));
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
        }
        return {};
      }
      default:
        throw new DeliveryError(`${NAME}: cannot execute ${command.type}`, {
          kind: "configuration",
          destination: NAME,
          setting: "destinations",
        });
    }
  }

  // upserts and group changes: repeating one changes nothing more
  return { name: NAME, handles: HANDLES, execute, idempotent: true };
}
