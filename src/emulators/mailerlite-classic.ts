/**
 * An emulator of MailerLite's classic API v2 (api.mailerlite.com/api/v2, accounts made before March
 * 2022) for tests and demos: the subscribers, groups, group subscribers and fields calls that
 * `mailerlite-api-v2-node` makes, with the `X-MailerLite-ApiKey` header. Point the SDK at it with
 * `MailerLite(key, { baseURL: `${emulator.url}/api/v2/`, useCaseConverter: false })`.
 */
import { type EmulatorCall, type EmulatorReply, type EmulatorServer, startEmulatorServer } from "./server.js";

export type ClassicSubscriberType = "active" | "unsubscribed" | "unconfirmed" | "bounced" | "junk";
export type ClassicFieldType = "TEXT" | "NUMBER" | "DATE";

export interface ClassicSubscriber {
  id: number;
  name: string;
  email: string;
  sent: number;
  opened: number;
  clicked: number;
  type: ClassicSubscriberType;
  fields: Array<{ key: string; value: string; type: ClassicFieldType }>;
  date_subscribe: string | null;
  date_unsubscribe: string | null;
  date_created: string;
  date_updated: string;
}

export interface ClassicGroup {
  id: number;
  name: string;
  total: number;
  active: number;
  unsubscribed: number;
  bounced: number;
  unconfirmed: number;
  junk: number;
  sent: number;
  opened: number;
  clicked: number;
  date_created: string;
  date_updated: string;
}

export interface ClassicField {
  id: number;
  title: string;
  key: string;
  type: ClassicFieldType;
  date_created: string;
  date_updated: string;
}

export interface MailerLiteClassicEmulatorOptions {
  port?: number;
  /** accepted API keys; any non-empty key when unset */
  apiKeys?: string[];
  now?: () => number;
}

export interface MailerLiteClassicEmulator extends EmulatorServer {
  subscribers(): ClassicSubscriber[];
  subscriber(idOrEmail: string | number): ClassicSubscriber | undefined;
  groups(): ClassicGroup[];
  /** the subscribers of one group */
  groupSubscribers(groupId: number): ClassicSubscriber[];
  fields(): ClassicField[];
}

interface StoredSubscriber extends Omit<ClassicSubscriber, "fields"> {
  values: Record<string, string>;
  groupIds: Set<number>;
}

type StoredGroup = Pick<ClassicGroup, "id" | "name" | "date_created" | "date_updated">;

const DEFAULT_FIELDS: ReadonlyArray<[title: string, key: string]> = [
  ["Email", "email"],
  ["Name", "name"],
  ["Last name", "last_name"],
  ["Company", "company"],
  ["Country", "country"],
  ["City", "city"],
  ["Phone", "phone"],
  ["State", "state"],
  ["ZIP", "zip"],
];
const TYPES: readonly ClassicSubscriberType[] = ["active", "unsubscribed", "unconfirmed", "bounced", "junk"];
const FIELD_TYPES: readonly ClassicFieldType[] = ["TEXT", "NUMBER", "DATE"];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** starts a MailerLite classic (v2) emulator on 127.0.0.1; its API lives under `/api/v2/` */
export async function startMailerLiteClassicEmulator(
  options: MailerLiteClassicEmulatorOptions = {},
): Promise<MailerLiteClassicEmulator> {
  const now = options.now ?? Date.now;
  let subscribers = new Map<number, StoredSubscriber>();
  let groups = new Map<number, StoredGroup>();
  let fields = new Map<number, ClassicField>();
  let lastId = 0;

  const nextId = (): number => {
    lastId += 1;
    return 1_000_000 + lastId;
  };
  const stamp = (): string => new Date(now()).toISOString().slice(0, 19).replace("T", " ");

  function resetState(): void {
    subscribers = new Map();
    groups = new Map();
    fields = new Map();
    lastId = 0;
    const at = stamp();
    for (const [title, key] of DEFAULT_FIELDS) {
      const id = nextId();
      fields.set(id, { id, title, key, type: "TEXT", date_created: at, date_updated: at });
    }
  }
  resetState();

  function find(idOrEmail: string | number): StoredSubscriber | undefined {
    const byId = subscribers.get(Number(idOrEmail));
    if (byId) return byId;
    const email = String(idOrEmail).toLowerCase();
    for (const subscriber of subscribers.values()) if (subscriber.email === email) return subscriber;
    return undefined;
  }

  function render(subscriber: StoredSubscriber): ClassicSubscriber {
    const { values, groupIds: _groups, ...rest } = subscriber;
    return {
      ...rest,
      fields: [...fields.values()].map((field) => ({
        key: field.key,
        value:
          field.key === "email"
            ? subscriber.email
            : field.key === "name"
              ? subscriber.name
              : (values[field.key] ?? ""),
        type: field.type,
      })),
    };
  }

  function renderGroup(group: StoredGroup): ClassicGroup {
    const members = [...subscribers.values()].filter((s) => s.groupIds.has(group.id));
    const count = (type: ClassicSubscriberType): number => members.filter((s) => s.type === type).length;
    return {
      ...group,
      total: members.length,
      active: count("active"),
      unsubscribed: count("unsubscribed"),
      bounced: count("bounced"),
      unconfirmed: count("unconfirmed"),
      junk: count("junk"),
      sent: 0,
      opened: 0,
      clicked: 0,
    };
  }

  /** creates or updates by email; `resubscribe: true` is the only way back to active */
  function upsert(body: unknown, knownEmail?: string): StoredSubscriber | EmulatorReply {
    const input = isObject(body) ? body : {};
    const email = knownEmail ?? (typeof input.email === "string" ? input.email.trim().toLowerCase() : "");
    if (!email) return classicError(400, 1, "Email is required");
    if (!EMAIL.test(email)) return classicError(400, 1, "Invalid email address");
    if (input.type !== undefined && !TYPES.includes(input.type as ClassicSubscriberType)) {
      return classicError(400, 1, `Invalid subscriber type ${String(input.type)}`);
    }
    if (input.fields !== undefined && !isObject(input.fields))
      return classicError(400, 1, "Fields must be an object");
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(isObject(input.fields) ? input.fields : {})) {
      const field = [...fields.values()].find((f) => f.key === key);
      // keys that are not fields of the account are dropped, as the real API does
      if (!field || key === "email" || value === null || value === undefined) continue;
      if (field.type === "NUMBER" && !Number.isFinite(Number(value))) {
        return classicError(400, 1, `Field ${key} must be a number`);
      }
      values[key] = String(value);
    }
    const at = stamp();
    const name = typeof input.name === "string" ? input.name : undefined;
    const type = input.type as ClassicSubscriberType | undefined;
    const existing = find(email);
    if (existing) {
      if (name !== undefined) existing.name = name;
      if (typeof values.name === "string") existing.name = values.name;
      Object.assign(existing.values, values);
      const reactivating = existing.type !== "active" && (type === undefined || type === "active");
      if (reactivating && input.resubscribe === true) setType(existing, "active", at);
      else if (type !== undefined && type !== "active") setType(existing, type, at);
      existing.date_updated = at;
      return existing;
    }
    const subscriber: StoredSubscriber = {
      id: nextId(),
      name: name ?? values.name ?? "",
      email,
      sent: 0,
      opened: 0,
      clicked: 0,
      type: "active",
      values,
      groupIds: new Set(),
      date_subscribe: at,
      date_unsubscribe: null,
      date_created: at,
      date_updated: at,
    };
    if (type !== undefined) setType(subscriber, type, at);
    subscribers.set(subscriber.id, subscriber);
    return subscriber;
  }

  function handle(call: EmulatorCall): EmulatorReply {
    const key = call.headers["x-mailerlite-apikey"];
    if (typeof key !== "string" || !key || (options.apiKeys && !options.apiKeys.includes(key))) {
      return classicError(401, 1, "Unauthorized");
    }
    const parts = call.path.split("/").filter(Boolean);
    if (parts[0] !== "api" || parts[1] !== "v2") return classicError(404, 404, "Not found");
    const [resource, id, sub, subId] = parts.slice(2);
    const { method } = call;
    const body = call.body;

    if (resource === "subscribers") {
      if (id === undefined) {
        if (method === "GET") {
          const type = call.query.get("type");
          const list = [...subscribers.values()].filter((s) => !type || s.type === type);
          return ok(page(list, call.query).map(render));
        }
        if (method === "POST") return result(upsert(body), render);
        return methodNotAllowed();
      }
      if (id === "search" && method === "GET") {
        const query = (call.query.get("query") ?? "").toLowerCase();
        return ok([...subscribers.values()].filter((s) => s.email.includes(query)).map(render));
      }
      const subscriber = find(id);
      if (!subscriber) return classicError(404, 123, "Subscriber not found");
      if (sub === undefined) {
        if (method === "GET") return ok(render(subscriber));
        if (method === "PUT") return result(upsert(body, subscriber.email), render);
        if (method === "DELETE") {
          subscribers.delete(subscriber.id);
          return { status: 204 };
        }
        return methodNotAllowed();
      }
      if (sub === "groups" && method === "GET") {
        return ok(
          [...subscriber.groupIds].flatMap((gid) => (groups.get(gid) ? [renderGroup(groups.get(gid)!)] : [])),
        );
      }
      return classicError(404, 404, "Not found");
    }

    if (resource === "groups") {
      if (id === undefined) {
        if (method === "GET") return ok(page([...groups.values()], call.query).map(renderGroup));
        if (method === "POST") {
          const name = isObject(body) ? body.name : undefined;
          if (typeof name !== "string" || !name.trim()) return classicError(400, 1, "Group name is required");
          const at = stamp();
          const group: StoredGroup = { id: nextId(), name, date_created: at, date_updated: at };
          groups.set(group.id, group);
          return ok(renderGroup(group));
        }
        return methodNotAllowed();
      }
      if (id === "search" && method === "POST") {
        const name =
          isObject(body) && typeof body.group_name === "string" ? body.group_name.toLowerCase() : "";
        return ok([...groups.values()].filter((g) => g.name.toLowerCase().includes(name)).map(renderGroup));
      }
      const group = groups.get(Number(id));
      if (!group) return classicError(404, 124, "Group not found");
      if (sub === undefined) {
        if (method === "GET") return ok(renderGroup(group));
        if (method === "PUT") {
          const name = isObject(body) ? body.name : undefined;
          if (typeof name !== "string" || !name.trim()) return classicError(400, 1, "Group name is required");
          group.name = name;
          group.date_updated = stamp();
          return ok(renderGroup(group));
        }
        if (method === "DELETE") {
          groups.delete(group.id);
          for (const subscriber of subscribers.values()) subscriber.groupIds.delete(group.id);
          return ok({ success: true });
        }
        return methodNotAllowed();
      }
      if (sub === "subscribers") {
        if (subId === undefined) {
          if (method === "POST") {
            const added = upsert(body);
            if ("status" in added) return added;
            added.groupIds.add(group.id);
            return ok(render(added));
          }
          if (method === "GET") {
            const type = call.query.get("type");
            const members = [...subscribers.values()].filter(
              (s) => s.groupIds.has(group.id) && (!type || s.type === type),
            );
            return ok(page(members, call.query).map(render));
          }
          return methodNotAllowed();
        }
        const member = find(subId);
        if (!member?.groupIds.has(group.id)) return classicError(404, 123, "Subscriber not found");
        if (method === "GET") return ok(render(member));
        if (method === "DELETE") {
          member.groupIds.delete(group.id);
          return { status: 204 };
        }
        return methodNotAllowed();
      }
      return classicError(404, 404, "Not found");
    }

    if (resource === "fields") {
      if (id === undefined) {
        if (method === "GET") return ok([...fields.values()]);
        if (method === "POST") {
          const input = isObject(body) ? body : {};
          const title = input.title;
          const type = input.type ?? "TEXT";
          if (typeof title !== "string" || !title.trim())
            return classicError(400, 1, "Field title is required");
          if (!FIELD_TYPES.includes(type as ClassicFieldType)) {
            return classicError(400, 1, "Field type must be TEXT, NUMBER or DATE");
          }
          const key = fieldKey(title);
          if (
            [...fields.values()].some((f) => f.key === key || f.title.toLowerCase() === title.toLowerCase())
          ) {
            return classicError(400, 1, "Field with this title already exists");
          }
          const at = stamp();
          const field: ClassicField = {
            id: nextId(),
            title,
            key,
            type: type as ClassicFieldType,
            date_created: at,
            date_updated: at,
          };
          fields.set(field.id, field);
          return ok(field);
        }
        return methodNotAllowed();
      }
      const field = fields.get(Number(id));
      if (!field) return classicError(404, 404, "Field not found");
      if (method === "PUT") {
        const title = isObject(body) ? body.title : undefined;
        if (typeof title !== "string" || !title.trim())
          return classicError(400, 1, "Field title is required");
        field.title = title;
        field.date_updated = stamp();
        return ok(field);
      }
      if (method === "DELETE") {
        fields.delete(field.id);
        return { status: 204 };
      }
      return methodNotAllowed();
    }
    return classicError(404, 404, "Not found");
  }

  const server = await startEmulatorServer({
    name: "mailerliteClassic",
    handler: handle,
    port: options.port ?? 0,
    now,
    onReset: resetState,
    faultBody: (status) => ({
      error: { code: status, message: status === 429 ? "Too many requests" : "Server error" },
    }),
  });

  return {
    ...server,
    subscribers: () => [...subscribers.values()].map(render),
    subscriber: (idOrEmail) => {
      const found = find(idOrEmail);
      return found ? render(found) : undefined;
    },
    groups: () => [...groups.values()].map(renderGroup),
    groupSubscribers: (groupId) =>
      [...subscribers.values()].filter((s) => s.groupIds.has(groupId)).map(render),
    fields: () => [...fields.values()].map((field) => ({ ...field })),
  };
}

function setType(subscriber: StoredSubscriber, type: ClassicSubscriberType, at: string): void {
  subscriber.type = type;
  if (type === "unsubscribed") subscriber.date_unsubscribe = at;
  if (type === "active") subscriber.date_unsubscribe = null;
}

function page<T>(items: T[], query: URLSearchParams): T[] {
  const limit = Math.max(Number(query.get("limit") ?? 100) || 100, 1);
  const offset = Math.max(Number(query.get("offset") ?? 0) || 0, 0);
  return items.slice(offset, offset + limit);
}

function result<T>(value: T | EmulatorReply, render: (value: T) => unknown): EmulatorReply {
  // a stored subscriber has no `status` (its state is `type`), so this tells the two apart
  if (isObject(value) && "status" in value) return value as unknown as EmulatorReply;
  return ok(render(value as T));
}

function ok(body: unknown): EmulatorReply {
  return { status: 200, body };
}

function classicError(status: number, code: number, message: string): EmulatorReply {
  return { status, body: { error: { code, message } } };
}

function methodNotAllowed(): EmulatorReply {
  return classicError(405, 405, "Method not allowed");
}

function fieldKey(title: string): string {
  return title
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
