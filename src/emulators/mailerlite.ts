/**
 * An emulator of the MailerLite API (the new one at connect.mailerlite.com, accounts since 2022) for
 * tests and demos: the subset cartback uses — subscribers (upsert, find, forget), groups, fields,
 * batch and the read-only automations list — with Bearer auth, 422 validation bodies and the 120 requests/min limit. Point the official
 * SDK at it with `new MailerLite({ api_key, base_path: emulator.url })`.
 */
import { createHash, createHmac } from "node:crypto";
import { type EmulatorCall, type EmulatorReply, type EmulatorServer, startEmulatorServer } from "./server.js";

export type MailerLiteStatus = "active" | "unsubscribed" | "unconfirmed" | "bounced" | "junk";
export type MailerLiteFieldType = "text" | "number" | "date";

export interface MailerLiteSubscriber {
  id: string;
  email: string;
  status: MailerLiteStatus;
  source: string;
  sent: number;
  opens_count: number;
  clicks_count: number;
  open_rate: number;
  click_rate: number;
  ip_address: string | null;
  subscribed_at: string;
  unsubscribed_at: string | null;
  created_at: string;
  updated_at: string;
  fields: Record<string, string | number | null>;
  groups: MailerLiteGroup[];
  opted_in_at: string | null;
  optin_ip: string | null;
}

export interface MailerLiteGroup {
  id: string;
  name: string;
  active_count: number;
  sent_count: number;
  opens_count: number;
  open_rate: { float: number; string: string };
  clicks_count: number;
  click_rate: { float: number; string: string };
  unsubscribed_count: number;
  unconfirmed_count: number;
  bounced_count: number;
  junk_count: number;
  created_at: string;
}

export interface MailerLiteField {
  id: string;
  name: string;
  key: string;
  type: MailerLiteFieldType;
}

/**
 * An automation as `GET /api/automations` lists it (the subset cartback reads). MailerLite's API
 * cannot create automations; `addAutomation` stands in for building one in the app.
 */
export interface MailerLiteAutomation {
  id: string;
  name: string;
  enabled: boolean;
  triggers: {
    id: string;
    type: "subscriber_joins_group";
    group_ids: string[];
    groups: { id: string; name: string; url: string }[];
    exclude_group_ids: string[];
    excluded_groups: string[];
    broken: boolean;
  }[];
  steps: unknown[];
  complete: boolean;
  broken: boolean;
  warnings: string[];
  created_at: string;
}

export interface MailerLiteWebhook {
  id: string;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  /** signs each delivery: `Signature` is the hex HMAC-SHA256 of the body with it */
  secret: string;
  /** batchable webhooks get `{ events: [...] }` instead of one event per request */
  batchable: boolean;
  created_at: string;
  updated_at: string;
}

/** one webhook request the emulator posted */
export interface MailerLiteWebhookDelivery {
  webhookId: string;
  url: string;
  event: string;
  /** the JSON body exactly as sent (the signature covers these bytes) */
  body: string;
  signature: string;
  /** the receiver's HTTP status, or null when it could not be reached */
  status: number | null;
  error?: string;
}

/** a subscriber joining a group, as `groupJoins()` lists it */
export interface MailerLiteGroupJoin {
  subscriberId: string;
  email: string;
  groupId: string;
  groupName: string;
  /** when it happened, as the API formats dates */
  at: string;
}

/** what a person did in an email, which MailerLite then reports through webhooks */
export interface MailerLiteSimulation {
  action: "unsubscribe" | "bounce" | "spam_report";
  email: string;
}

export interface MailerLiteEmulatorOptions {
  port?: number;
  /** accepted API tokens; any non-empty token when unset */
  apiKeys?: string[];
  /**
   * requests per window before 429, counted for the account (the emulator is one account, so all its
   * tokens share the count, as MailerLite counts per account); MailerLite's is 120 per minute
   */
  rateLimit?: { limit: number; windowMs?: number };
  /** batches made only of subscriber upserts count as imports, limited to 5 per minute per account */
  importLimit?: { limit: number; windowMs?: number };
  /** most requests in one `POST /api/batch`; 50 like the real API */
  maxBatchSize?: number;
  now?: () => number;
}

export interface MailerLiteEmulator extends EmulatorServer {
  /** subscribers in creation order, with their groups resolved */
  subscribers(): MailerLiteSubscriber[];
  /** finds a subscriber by id or email */
  subscriber(idOrEmail: string): MailerLiteSubscriber | undefined;
  groups(): MailerLiteGroup[];
  fields(): MailerLiteField[];
  webhooks(): MailerLiteWebhook[];
  /** webhook requests posted so far, oldest first */
  webhookDeliveries(): MailerLiteWebhookDelivery[];
  /**
   * every time a subscriber joined a group they were not in, oldest first: what starts a group's
   * "joins group" automation (the email). Adding a member again is no join, so it sends nothing.
   */
  groupJoins(): MailerLiteGroupJoin[];
  /**
   * an automation triggered when a subscriber joins the named group, as a person would build it in
   * MailerLite's app (the API cannot); the group must exist
   */
  addAutomation(input: { name: string; group: string; enabled?: boolean }): MailerLiteAutomation;
  /**
   * acts out a person's unsubscribe, bounce or spam report: their status changes and every enabled
   * webhook listening for the event gets a signed POST; resolves once they have answered
   */
  simulate(input: MailerLiteSimulation): Promise<MailerLiteWebhookDelivery[]>;
}

interface StoredSubscriber extends Omit<MailerLiteSubscriber, "groups"> {
  groupIds: Set<string>;
}

type StoredGroup = Pick<MailerLiteGroup, "id" | "name" | "created_at">;

const DEFAULT_FIELDS: ReadonlyArray<Omit<MailerLiteField, "id">> = [
  { name: "Name", key: "name", type: "text" },
  { name: "Last name", key: "last_name", type: "text" },
  { name: "Company", key: "company", type: "text" },
  { name: "Country", key: "country", type: "text" },
  { name: "City", key: "city", type: "text" },
  { name: "Phone", key: "phone", type: "text" },
  { name: "State", key: "state", type: "text" },
  { name: "Zip", key: "z_i_p", type: "text" },
];

const STATUSES: readonly MailerLiteStatus[] = ["active", "unsubscribed", "unconfirmed", "bounced", "junk"];
// the API never moves these back to active: only the person can, by subscribing again
const STICKY_STATUSES: readonly MailerLiteStatus[] = ["unsubscribed", "bounced", "junk"];
const FIELD_TYPES: readonly MailerLiteFieldType[] = ["text", "number", "date"];
const WEBHOOK_EVENTS = [
  "subscriber.created",
  "subscriber.updated",
  "subscriber.unsubscribed",
  "subscriber.added_to_group",
  "subscriber.removed_from_group",
  "subscriber.bounced",
  "subscriber.automation_triggered",
  "subscriber.automation_completed",
  "subscriber.spam_reported",
  "subscriber.deleted",
  "subscriber.active",
  "campaign.sent",
  "campaign.open",
  "campaign.click",
];
const SIMULATIONS: Record<MailerLiteSimulation["action"], { status: MailerLiteStatus; event: string }> = {
  unsubscribe: { status: "unsubscribed", event: "subscriber.unsubscribed" },
  bounce: { status: "bounced", event: "subscriber.bounced" },
  spam_report: { status: "junk", event: "subscriber.spam_reported" },
};
const ACCOUNT_ID = 1_000_001;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** starts a MailerLite (new API) emulator on 127.0.0.1 */
export async function startMailerLiteEmulator(
  options: MailerLiteEmulatorOptions = {},
): Promise<MailerLiteEmulator> {
  const now = options.now ?? Date.now;
  const limit = options.rateLimit?.limit ?? 120;
  const windowMs = options.rateLimit?.windowMs ?? 60_000;
  const maxBatch = options.maxBatchSize ?? 50;

  let subscribers = new Map<string, StoredSubscriber>();
  let groups = new Map<string, StoredGroup>();
  let fields = new Map<string, MailerLiteField>();
  let webhooks = new Map<string, MailerLiteWebhook>();
  let automations = new Map<string, MailerLiteAutomation>();
  let deliveries: MailerLiteWebhookDelivery[] = [];
  let joins: MailerLiteGroupJoin[] = [];
  // request times of the last window, for the whole account
  let hits: number[] = [];
  let importHits: number[] = [];
  const importLimit = options.importLimit?.limit ?? 5;
  const importWindowMs = options.importLimit?.windowMs ?? 60_000;
  let lastId = 0;

  function nextId(): string {
    lastId += 1;
    // MailerLite ids are long numeric strings
    return String(140_000_000_000_000_000n + BigInt(lastId));
  }

  function resetState(): void {
    subscribers = new Map();
    groups = new Map();
    fields = new Map();
    webhooks = new Map();
    automations = new Map();
    deliveries = [];
    joins = [];
    hits = [];
    importHits = [];
    lastId = 0;
    for (const field of DEFAULT_FIELDS) {
      const id = nextId();
      fields.set(id, { id, ...field });
    }
  }
  resetState();

  function stamp(): string {
    return formatDate(now());
  }

  /** adds the subscriber to a group, recording a join when they were not in it */
  function join(subscriber: StoredSubscriber, groupId: string, at: string): void {
    if (subscriber.groupIds.has(groupId)) return;
    subscriber.groupIds.add(groupId);
    const groupName = groups.get(groupId)?.name ?? groupId;
    joins.push({ subscriberId: subscriber.id, email: subscriber.email, groupId, groupName, at });
  }

  function fieldByKey(key: string): MailerLiteField | undefined {
    for (const field of fields.values()) if (field.key === key) return field;
    return undefined;
  }

  function findSubscriber(idOrEmail: string): StoredSubscriber | undefined {
    const byId = subscribers.get(idOrEmail);
    if (byId) return byId;
    const email = idOrEmail.toLowerCase();
    for (const subscriber of subscribers.values()) if (subscriber.email === email) return subscriber;
    return undefined;
  }

  function renderGroup(group: StoredGroup): MailerLiteGroup {
    const counts: Record<MailerLiteStatus, number> = {
      active: 0,
      unsubscribed: 0,
      unconfirmed: 0,
      bounced: 0,
      junk: 0,
    };
    for (const subscriber of subscribers.values()) {
      if (subscriber.groupIds.has(group.id)) counts[subscriber.status] += 1;
    }
    return {
      id: group.id,
      name: group.name,
      active_count: counts.active,
      sent_count: 0,
      opens_count: 0,
      open_rate: { float: 0, string: "0%" },
      clicks_count: 0,
      click_rate: { float: 0, string: "0%" },
      unsubscribed_count: counts.unsubscribed,
      unconfirmed_count: counts.unconfirmed,
      bounced_count: counts.bounced,
      junk_count: counts.junk,
      created_at: group.created_at,
    };
  }

  function renderSubscriber(subscriber: StoredSubscriber): MailerLiteSubscriber {
    const { groupIds, ...rest } = subscriber;
    const allFields: Record<string, string | number | null> = {};
    for (const field of fields.values()) allFields[field.key] = subscriber.fields[field.key] ?? null;
    return {
      ...rest,
      fields: allFields,
      groups: [...groupIds].flatMap((id) => {
        const group = groups.get(id);
        return group ? [renderGroup(group)] : [];
      }),
    };
  }

  function upsertSubscriber(body: unknown): EmulatorReply {
    const errors: Record<string, string[]> = {};
    const input = isObject(body) ? body : {};
    const email = typeof input.email === "string" ? input.email.trim().toLowerCase() : undefined;
    if (input.email === undefined || input.email === null || input.email === "") {
      errors.email = ["The email field is required."];
    } else if (!email || !EMAIL.test(email)) {
      errors.email = ["The email must be a valid email address."];
    }
    const status = input.status;
    if (status !== undefined && !STATUSES.includes(status as MailerLiteStatus)) {
      errors.status = ["The selected status is invalid."];
    }
    const groupIds: string[] = [];
    if (input.groups !== undefined) {
      if (!Array.isArray(input.groups)) errors.groups = ["The groups must be an array."];
      else
        input.groups.forEach((id, index) => {
          if (typeof id !== "string" && typeof id !== "number") {
            errors[`groups.${index}`] = [`The groups.${index} must be a string.`];
          } else if (!groups.has(String(id))) {
            errors[`groups.${index}`] = [`The selected groups.${index} is invalid.`];
          } else groupIds.push(String(id));
        });
    }
    const values: Record<string, string | number | null> = {};
    if (input.fields !== undefined) {
      if (!isObject(input.fields)) errors.fields = ["The fields must be an object."];
      else
        for (const [key, value] of Object.entries(input.fields)) {
          const field = fieldByKey(key);
          // the real API drops keys that are not fields of the account
          if (!field) continue;
          const checked = checkFieldValue(field, value);
          if (typeof checked === "object" && checked !== null && "error" in checked) {
            errors[`fields.${key}`] = [checked.error];
          } else values[key] = checked as string | number | null;
        }
    }
    if (Object.keys(errors).length > 0) return validationError(errors);

    const at = stamp();
    const existing = findSubscriber(email!);
    if (existing) {
      Object.assign(existing.fields, values);
      for (const id of groupIds) join(existing, id, at);
      if (status !== undefined && status !== existing.status) {
        const locked = STICKY_STATUSES.includes(existing.status) && status === "active";
        if (!locked) setStatus(existing, status as MailerLiteStatus, at);
      }
      existing.updated_at = at;
      return { status: 200, body: { data: renderSubscriber(existing) } };
    }
    const subscriber: StoredSubscriber = {
      id: nextId(),
      email: email!,
      status: "active",
      source: "api",
      sent: 0,
      opens_count: 0,
      clicks_count: 0,
      open_rate: 0,
      click_rate: 0,
      ip_address: typeof input.ip_address === "string" ? input.ip_address : null,
      subscribed_at: at,
      unsubscribed_at: null,
      created_at: at,
      updated_at: at,
      fields: values,
      groupIds: new Set(),
      opted_in_at: typeof input.opted_in_at === "string" ? input.opted_in_at : null,
      optin_ip: typeof input.optin_ip === "string" ? input.optin_ip : null,
    };
    if (status !== undefined) setStatus(subscriber, status as MailerLiteStatus, at);
    subscribers.set(subscriber.id, subscriber);
    for (const id of groupIds) join(subscriber, id, at);
    return { status: 201, body: { data: renderSubscriber(subscriber) } };
  }

  function route(method: string, path: string, query: URLSearchParams, body: unknown): EmulatorReply {
    // MailerLite reads path segments percent-decoded, as any web server does
    let parts: string[];
    try {
      parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    } catch {
      return notFound();
    }
    if (parts[0] !== "api") return notFound();
    const [, resource, id, sub, subId] = parts;

    if (resource === "subscribers") {
      if (id === undefined) {
        if (method === "POST") return upsertSubscriber(body);
        if (method === "GET") return listSubscribers(query);
        return methodNotAllowed();
      }
      const subscriber = findSubscriber(id);
      if (!subscriber) return notFound();
      if (sub === undefined) {
        if (method === "GET") return { status: 200, body: { data: renderSubscriber(subscriber) } };
        if (method === "PUT") {
          const input = isObject(body) ? body : {};
          return upsertSubscriber({ ...input, email: subscriber.email });
        }
        if (method === "DELETE") {
          subscribers.delete(subscriber.id);
          return { status: 204 };
        }
        return methodNotAllowed();
      }
      if (sub === "forget" && subId === undefined && method === "POST") {
        const data = renderSubscriber(subscriber);
        subscribers.delete(subscriber.id);
        return {
          status: 200,
          body: { message: "Subscriber data will be completely deleted and forgotten within 30 days.", data },
        };
      }
      if (sub === "groups" && subId !== undefined) {
        const group = groups.get(subId);
        if (!group) return notFound();
        if (method === "POST") {
          join(subscriber, group.id, stamp());
          return { status: 200, body: { data: renderGroup(group) } };
        }
        if (method === "DELETE") {
          subscriber.groupIds.delete(group.id);
          return { status: 204 };
        }
        return methodNotAllowed();
      }
      return notFound();
    }

    if (resource === "groups") {
      if (id === undefined) {
        if (method === "GET") {
          const name = query.get("filter[name]");
          // like the real API, the name filter matches partially
          const found = sortGroups(
            [...groups.values()]
              .filter((group) => !name || group.name.toLowerCase().includes(name.toLowerCase()))
              .map(renderGroup),
            query.get("sort"),
          );
          return { status: 200, body: paginate(found, query, path) };
        }
        if (method === "POST") {
          const input = isObject(body) ? body : {};
          const name = input.name;
          if (typeof name !== "string" || name.trim() === "") {
            return validationError({ name: ["The name field is required."] });
          }
          if (name.length > 255)
            return validationError({ name: ["The name may not be greater than 255 characters."] });
          const group: StoredGroup = { id: nextId(), name, created_at: stamp() };
          groups.set(group.id, group);
          return { status: 201, body: { data: renderGroup(group) } };
        }
        return methodNotAllowed();
      }
      const group = groups.get(id);
      if (!group) return notFound();
      if (sub === undefined) {
        if (method === "PUT") {
          const input = isObject(body) ? body : {};
          if (typeof input.name !== "string" || input.name.trim() === "") {
            return validationError({ name: ["The name field is required."] });
          }
          group.name = input.name;
          return { status: 200, body: { data: renderGroup(group) } };
        }
        if (method === "DELETE") {
          groups.delete(group.id);
          for (const subscriber of subscribers.values()) subscriber.groupIds.delete(group.id);
          return { status: 204 };
        }
        return methodNotAllowed();
      }
      if (sub === "subscribers" && method === "GET") {
        const members = [...subscribers.values()]
          .filter((s) => s.groupIds.has(group.id))
          .map(renderSubscriber);
        return { status: 200, body: paginate(members, query, path) };
      }
      return notFound();
    }

    if (resource === "automations") {
      if (method !== "GET") return methodNotAllowed();
      if (id === undefined) {
        const group = query.get("filter[group]");
        const enabled = query.get("filter[enabled]");
        const name = query.get("filter[name]");
        const found = [...automations.values()].filter(
          (a) =>
            (!group || a.triggers.some((t) => t.group_ids.includes(group))) &&
            (enabled === null || String(a.enabled) === enabled) &&
            (!name || a.name.toLowerCase().includes(name.toLowerCase())),
        );
        return { status: 200, body: paginate(found, query, path) };
      }
      const automation = automations.get(id);
      if (!automation || sub !== undefined) return notFound();
      return { status: 200, body: { data: automation } };
    }

    if (resource === "webhooks") {
      if (id === undefined) {
        if (method === "GET") return { status: 200, body: paginate([...webhooks.values()], query, path) };
        if (method === "POST") return saveWebhook(undefined, body);
        return methodNotAllowed();
      }
      const webhook = webhooks.get(id);
      if (!webhook) return notFound();
      if (method === "GET") return { status: 200, body: { data: webhook } };
      if (method === "PUT") return saveWebhook(webhook, body);
      if (method === "DELETE") {
        webhooks.delete(webhook.id);
        return { status: 204 };
      }
      return methodNotAllowed();
    }

    if (resource === "fields") {
      if (id === undefined) {
        if (method === "GET") {
          const keyword = query.get("filter[keyword]");
          const type = query.get("filter[type]");
          const found = [...fields.values()].filter(
            (field) =>
              (!keyword || field.name.toLowerCase().includes(keyword.toLowerCase())) &&
              (!type || field.type === type),
          );
          return { status: 200, body: paginate(found, query, path) };
        }
        if (method === "POST") return createField(body);
        return methodNotAllowed();
      }
      const field = fields.get(id);
      if (!field) return notFound();
      if (method === "DELETE") {
        fields.delete(field.id);
        return { status: 204 };
      }
      return methodNotAllowed();
    }

    return notFound();
  }

  function saveWebhook(existing: MailerLiteWebhook | undefined, body: unknown): EmulatorReply {
    const input = isObject(body) ? body : {};
    const errors: Record<string, string[]> = {};
    const url = input.url ?? existing?.url;
    if (typeof url !== "string" || url === "") errors.url = ["The url field is required."];
    else if (!/^https?:\/\/[^/]/.test(url)) errors.url = ["The url must be a valid URL."];
    const events = input.events ?? existing?.events;
    if (!Array.isArray(events) || events.length === 0) errors.events = ["The events field is required."];
    else
      events.forEach((event, index) => {
        if (typeof event !== "string" || !WEBHOOK_EVENTS.includes(event)) {
          errors[`events.${index}`] = [`The selected events.${index} is invalid.`];
        }
      });
    if (Object.keys(errors).length > 0) return validationError(errors);
    const at = stamp();
    const id = existing?.id ?? nextId();
    const webhook: MailerLiteWebhook = {
      id,
      name: typeof input.name === "string" ? input.name : (existing?.name ?? ""),
      url: url as string,
      events: [...(events as string[])],
      enabled: typeof input.enabled === "boolean" ? input.enabled : (existing?.enabled ?? true),
      secret:
        existing?.secret ?? createHash("sha256").update(`webhook:${id}`).digest("base64url").slice(0, 10),
      batchable: typeof input.batchable === "boolean" ? input.batchable : (existing?.batchable ?? false),
      created_at: existing?.created_at ?? at,
      updated_at: at,
    };
    webhooks.set(id, webhook);
    return { status: existing ? 200 : 201, body: { data: webhook } };
  }

  async function simulate(input: MailerLiteSimulation): Promise<MailerLiteWebhookDelivery[]> {
    const effect = SIMULATIONS[input.action];
    if (!effect) {
      throw new TypeError(
        `unknown action "${String(input.action)}"; choose unsubscribe, bounce or spam_report`,
      );
    }
    const subscriber = typeof input.email === "string" ? findSubscriber(input.email) : undefined;
    if (!subscriber) throw new TypeError(`no subscriber with email "${String(input.email)}"`);
    const at = stamp();
    setStatus(subscriber, effect.status, at);
    subscriber.updated_at = at;
    const payload = { ...renderSubscriber(subscriber), event: effect.event, account_id: ACCOUNT_ID };
    const targets = [...webhooks.values()].filter((w) => w.enabled && w.events.includes(effect.event));
    return Promise.all(
      targets.map(async (webhook) => {
        const body = JSON.stringify(webhook.batchable ? { events: [payload] } : payload);
        const signature = createHmac("sha256", webhook.secret).update(body).digest("hex");
        const delivery: MailerLiteWebhookDelivery = {
          webhookId: webhook.id,
          url: webhook.url,
          event: effect.event,
          body,
          signature,
          status: null,
        };
        deliveries.push(delivery);
        try {
          const response = await fetch(webhook.url, {
            method: "POST",
            headers: { "Content-Type": "application/json", Signature: signature },
            body,
            signal: AbortSignal.timeout(3_000),
          });
          delivery.status = response.status;
          await response.body?.cancel();
        } catch (error) {
          delivery.error = error instanceof Error ? error.message : String(error);
        }
        return { ...delivery };
      }),
    );
  }

  async function inspectionRoutes(call: EmulatorCall): Promise<EmulatorReply | undefined> {
    if (call.path === "/_emulator/webhooks" && call.method === "GET") {
      return { status: 200, body: { deliveries } };
    }
    if (call.path === "/_emulator/simulate" && call.method === "POST") {
      try {
        const delivered = await simulate(
          (isObject(call.body) ? call.body : {}) as unknown as MailerLiteSimulation,
        );
        return { status: 200, body: { deliveries: delivered } };
      } catch (error) {
        return { status: 400, body: { message: error instanceof Error ? error.message : String(error) } };
      }
    }
    return undefined;
  }

  function createField(body: unknown): EmulatorReply {
    const input = isObject(body) ? body : {};
    const errors: Record<string, string[]> = {};
    const name = input.name;
    if (typeof name !== "string" || name.trim() === "") errors.name = ["The name field is required."];
    else if (name.length > 255) errors.name = ["The name may not be greater than 255 characters."];
    else {
      const key = fieldKey(name);
      const taken = [...fields.values()].some(
        (f) => f.name.toLowerCase() === name.toLowerCase() || f.key === key,
      );
      if (taken) errors.name = ["The name has already been taken."];
    }
    if (input.type === undefined) errors.type = ["The type field is required."];
    else if (!FIELD_TYPES.includes(input.type as MailerLiteFieldType))
      errors.type = ["The selected type is invalid."];
    if (Object.keys(errors).length > 0) return validationError(errors);
    const field: MailerLiteField = {
      id: nextId(),
      name: name as string,
      key: fieldKey(name as string),
      type: input.type as MailerLiteFieldType,
    };
    fields.set(field.id, field);
    return { status: 201, body: { data: field } };
  }

  function listSubscribers(query: URLSearchParams): EmulatorReply {
    const status = query.get("filter[status]") ?? "active";
    const all = [...subscribers.values()].filter((s) => s.status === status);
    if (query.get("limit") === "0") return { status: 200, body: { total: all.length } };
    const limit = Math.min(Number(query.get("limit") ?? 25) || 25, 1000);
    return {
      status: 200,
      body: {
        data: all.slice(0, limit).map(renderSubscriber),
        links: { first: null, last: null, prev: null, next: null },
        meta: { path: "/api/subscribers", per_page: limit, next_cursor: null, prev_cursor: null },
      },
    };
  }

  function batch(body: unknown): EmulatorReply {
    const input = isObject(body) ? body : {};
    const requests = input.requests;
    if (!Array.isArray(requests) || requests.length === 0) {
      return validationError({ requests: ["The requests field is required."] });
    }
    if (requests.length > maxBatch) {
      return validationError({ requests: [`The requests may not have more than ${maxBatch} items.`] });
    }
    const errors: Record<string, string[]> = {};
    requests.forEach((request, index) => {
      if (!isObject(request)) errors[`requests.${index}`] = [`The requests.${index} must be an object.`];
      else {
        if (
          typeof request.method !== "string" ||
          !["GET", "POST", "PUT", "DELETE"].includes(request.method.toUpperCase())
        ) {
          errors[`requests.${index}.method`] = [`The selected requests.${index}.method is invalid.`];
        }
        if (typeof request.path !== "string" || !request.path.replace(/^\//, "").startsWith("api/")) {
          errors[`requests.${index}.path`] = [`The requests.${index}.path must start with api/.`];
        }
      }
    });
    if (Object.keys(errors).length > 0) return validationError(errors);
    const responses = (requests as Array<{ method: string; path: string; body?: unknown }>).map((request) => {
      const url = new URL(`/${request.path.replace(/^\//, "")}`, "http://127.0.0.1");
      const reply =
        url.pathname === "/api/batch"
          ? validationError({ path: ["A batch cannot contain another batch."] })
          : route(request.method.toUpperCase(), url.pathname, url.searchParams, request.body ?? null);
      return { code: reply.status, body: reply.body ?? null };
    });
    const successful = responses.filter((r) => r.code < 400).length;
    return {
      status: 200,
      body: { total: responses.length, successful, failed: responses.length - successful, responses },
    };
  }

  /** counts a request against the account's window; `recent` is the window's request times */
  function throttle(
    at: number,
    limit: number,
    windowMs: number,
    recent: number[],
  ): EmulatorReply | { remaining: number; recent: number[] } {
    recent = recent.filter((t) => t > at - windowMs);
    if (recent.length >= limit) {
      const retryAfter = Math.max(1, Math.ceil((recent[0]! + windowMs - at) / 1000));
      return {
        status: 429,
        headers: {
          "Retry-After": String(retryAfter),
          "X-RateLimit-Limit": String(limit),
          "X-RateLimit-Remaining": "0",
          "X-RateLimit-Reset": String(Math.ceil((at + retryAfter * 1000) / 1000)),
        },
        body: { message: "Too Many Attempts." },
      };
    }
    recent.push(at);
    return { remaining: limit - recent.length, recent };
  }

  function handle(call: EmulatorCall): EmulatorReply {
    const auth = call.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : "";
    if (!token || (options.apiKeys && !options.apiKeys.includes(token))) {
      return { status: 401, body: { message: "Unauthenticated." } };
    }
    const throttled = throttle(call.receivedAt, limit, windowMs, hits);
    if ("status" in throttled) return throttled;
    hits = throttled.recent;
    if (call.path === "/api/batch" && call.method === "POST" && isImport(call.body)) {
      const imports = throttle(call.receivedAt, importLimit, importWindowMs, importHits);
      if ("status" in imports) return imports;
      importHits = imports.recent;
    }
    const reply =
      call.path === "/api/batch"
        ? call.method === "POST"
          ? batch(call.body)
          : methodNotAllowed()
        : route(call.method, call.path, call.query, call.body);
    return {
      ...reply,
      headers: {
        ...reply.headers,
        "X-RateLimit-Limit": String(limit),
        "X-RateLimit-Remaining": String(throttled.remaining),
      },
    };
  }

  const server = await startEmulatorServer({
    name: "mailerlite",
    handler: handle,
    port: options.port ?? 0,
    now,
    onReset: resetState,
    inspectionRoutes,
    faultBody: (status) => ({ message: status === 429 ? "Too Many Attempts." : "Server Error" }),
  });

  return {
    ...server,
    subscribers: () => [...subscribers.values()].map(renderSubscriber),
    subscriber: (idOrEmail) => {
      const found = findSubscriber(idOrEmail);
      return found ? renderSubscriber(found) : undefined;
    },
    groups: () => [...groups.values()].map(renderGroup),
    fields: () => [...fields.values()].map((field) => ({ ...field })),
    webhooks: () => [...webhooks.values()].map((webhook) => ({ ...webhook, events: [...webhook.events] })),
    webhookDeliveries: () => deliveries.map((delivery) => ({ ...delivery })),
    groupJoins: () => joins.map((entry) => ({ ...entry })),
    addAutomation({ name, group, enabled = true }) {
      const found = [...groups.values()].find((g) => g.name === group);
      if (!found) throw new Error(`no group named "${group}": create it first`);
      const automation: MailerLiteAutomation = {
        id: nextId(),
        name,
        enabled,
        triggers: [
          {
            id: nextId(),
            type: "subscriber_joins_group",
            group_ids: [found.id],
            groups: [{ id: found.id, name: found.name, url: `/subscribers/groups/${found.id}` }],
            exclude_group_ids: [],
            excluded_groups: [],
            broken: false,
          },
        ],
        steps: [],
        complete: true,
        broken: false,
        warnings: [],
        created_at: stamp(),
      };
      automations.set(automation.id, automation);
      return structuredClone(automation);
    },
    simulate,
  };
}

/** a batch of nothing but subscriber upserts, which MailerLite treats as an import */
function isImport(body: unknown): boolean {
  const requests = isObject(body) ? body.requests : undefined;
  return (
    Array.isArray(requests) &&
    requests.length > 0 &&
    requests.every(
      (r) =>
        isObject(r) &&
        String(r.method).toUpperCase() === "POST" &&
        String(r.path).replace(/^\//, "").replace(/\/$/, "") === "api/subscribers",
    )
  );
}

function setStatus(subscriber: StoredSubscriber, status: MailerLiteStatus, at: string): void {
  subscriber.status = status;
  if (status === "unsubscribed") subscriber.unsubscribed_at = at;
}

function checkFieldValue(field: MailerLiteField, value: unknown): string | number | null | { error: string } {
  if (value === null || value === "") return null;
  const name = `fields.${field.key}`;
  if (field.type === "number") {
    const number = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
    return Number.isFinite(number) ? number : { error: `The ${name} must be a number.` };
  }
  if (field.type === "date") {
    if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) {
      return { error: `The ${name} is not a valid date.` };
    }
    return value.slice(0, 10);
  }
  if (typeof value === "string") {
    return value.length > 1024 ? { error: `The ${name} may not be greater than 1024 characters.` } : value;
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return { error: `The ${name} must be a string.` };
}

function paginate<T>(items: T[], query: URLSearchParams, path: string): unknown {
  const perPage = Math.max(1, Math.min(Number(query.get("limit") ?? 50) || 50, 1000));
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return {
    data: slice,
    links: { first: `${path}?page=1`, last: `${path}?page=${lastPage}`, prev: null, next: null },
    meta: {
      current_page: page,
      from: slice.length ? (page - 1) * perPage + 1 : null,
      last_page: lastPage,
      path,
      per_page: perPage,
      to: slice.length ? (page - 1) * perPage + slice.length : null,
      total: items.length,
    },
  };
}

function sortGroups(list: MailerLiteGroup[], sort: string | null): MailerLiteGroup[] {
  if (!sort) return list;
  const descending = sort.startsWith("-");
  const key = descending ? sort.slice(1) : sort;
  const value = (group: MailerLiteGroup): string | number =>
    key === "name"
      ? group.name
      : key === "total"
        ? group.active_count
        : key === "open_rate"
          ? group.open_rate.float
          : key === "click_rate"
            ? group.click_rate.float
            : group.created_at;
  const sorted = [...list].sort((a, b) => (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0));
  return descending ? sorted.reverse() : sorted;
}

function fieldKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

function validationError(errors: Record<string, string[]>): EmulatorReply {
  const messages = Object.values(errors).flat();
  const extra =
    messages.length > 1 ? ` (and ${messages.length - 1} more error${messages.length > 2 ? "s" : ""})` : "";
  return { status: 422, body: { message: `${messages[0]}${extra}`, errors } };
}

function notFound(): EmulatorReply {
  return { status: 404, body: { message: "Resource not found." } };
}

function methodNotAllowed(): EmulatorReply {
  return { status: 405, body: { message: "The method is not supported for this route." } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** MailerLite's `YYYY-MM-DD HH:mm:ss` in UTC */
function formatDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace("T", " ");
}
