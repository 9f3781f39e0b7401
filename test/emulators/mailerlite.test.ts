import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import MailerLiteModule from "@mailerlite/mailerlite-nodejs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type MailerLiteEmulator, startMailerLiteEmulator } from "../../src/emulators/mailerlite.js";

// the package's types describe a CommonJS `exports.default`, while Node hands ESM the class itself
const MailerLite = ((MailerLiteModule as { default?: unknown }).default ??
  MailerLiteModule) as typeof MailerLiteModule.default;
type MailerLite = InstanceType<typeof MailerLite>;

let emulator: MailerLiteEmulator;
let client: MailerLite;

beforeAll(async () => {
  emulator = await startMailerLiteEmulator({ apiKeys: ["ml-token"] });
  client = new MailerLite({ api_key: "ml-token", base_path: emulator.url });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

/** the SDK rejects with axios errors; this returns the response the API gave */
async function failure(
  promise: Promise<unknown>,
): Promise<{ status: number; data: unknown; headers: unknown }> {
  try {
    await promise;
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown; headers: unknown } }).response;
    if (response) return { status: response.status, data: response.data, headers: response.headers };
    throw error;
  }
  throw new Error("expected the request to fail");
}

describe("MailerLite emulator through the official SDK", () => {
  it("creates a subscriber, then updates it without dropping fields or groups", async () => {
    await client.fields.create({ name: "Cart URL", type: "text" });
    await client.fields.create({ name: "Cart value", type: "number" });
    const group = await client.groups.create({ name: "cartback: first reminder" });
    const groupId = group.data.data.id;

    const created = await client.subscribers.createOrUpdate({
      email: "Ada@Example.com",
      fields: { name: "Ada", cart_url: "https://shop.test/cart/1", cart_value: 42.5 },
      groups: [groupId],
    });
    expect(created.status).toBe(201);
    expect(created.data.data).toMatchObject({
      email: "ada@example.com",
      status: "active",
      fields: { name: "Ada", cart_url: "https://shop.test/cart/1", cart_value: 42.5, company: null },
      groups: [{ id: groupId, name: "cartback: first reminder", active_count: 1 }],
    });

    const updated = await client.subscribers.createOrUpdate({
      email: "ada@example.com",
      fields: { cart_value: "19.90" },
    });
    expect(updated.status).toBe(200);
    expect(updated.data.data.id).toBe(created.data.data.id);
    expect(updated.data.data.fields).toMatchObject({
      name: "Ada",
      cart_url: "https://shop.test/cart/1",
      cart_value: 19.9,
    });
    expect(updated.data.data.groups?.map((g) => g.id)).toEqual([groupId]);
    expect(emulator.subscribers()).toHaveLength(1);

    const [upsert] = emulator.requests({ method: "POST", path: "/api/subscribers" });
    expect(upsert?.headers.authorization).toBe("Bearer ml-token");
    expect(upsert?.body).toEqual({
      email: "Ada@Example.com",
      fields: { name: "Ada", cart_url: "https://shop.test/cart/1", cart_value: 42.5 },
      groups: [groupId],
    });
    expect(upsert?.status).toBe(201);
  });

  it("finds a subscriber by id and by email, and answers 404 for unknown ones", async () => {
    const created = await client.subscribers.createOrUpdate({ email: "grace@example.com" });
    const byId = await client.subscribers.find(created.data.data.id);
    const byEmail = await client.subscribers.find("grace@example.com");
    expect(byId.data.data.email).toBe("grace@example.com");
    expect(byEmail.data.data.id).toBe(created.data.data.id);
    const missing = await failure(client.subscribers.find("nobody@example.com"));
    expect(missing.status).toBe(404);
  });

  it("never re-activates an unsubscribed person", async () => {
    await client.subscribers.createOrUpdate({ email: "lin@example.com", status: "unsubscribed" });
    const again = await client.subscribers.createOrUpdate({
      email: "lin@example.com",
      status: "active",
      fields: { name: "Lin" },
    });
    expect(again.data.data.status).toBe("unsubscribed");
    expect(again.data.data.fields.name).toBe("Lin");
    expect(emulator.subscriber("lin@example.com")?.status).toBe("unsubscribed");
  });

  it("answers 422 with field errors like the real API", async () => {
    const invalid = await failure(client.subscribers.createOrUpdate({ email: "not-an-email" }));
    expect(invalid.status).toBe(422);
    expect(invalid.data).toEqual({
      message: "The email must be a valid email address.",
      errors: { email: ["The email must be a valid email address."] },
    });

    const badGroup = await failure(
      client.subscribers.createOrUpdate({ email: "a@example.com", groups: ["999"] }),
    );
    expect(badGroup.data).toMatchObject({ errors: { "groups.0": ["The selected groups.0 is invalid."] } });

    await client.fields.create({ name: "Cart value", type: "number" });
    const badNumber = await failure(
      client.subscribers.createOrUpdate({ email: "a@example.com", fields: { cart_value: "lots" } }),
    );
    expect(badNumber.data).toMatchObject({
      errors: { "fields.cart_value": ["The fields.cart_value must be a number."] },
    });
    expect(emulator.subscribers()).toEqual([]);
  });

  it("refuses a duplicate field name with 422 and an unknown field type", async () => {
    const first = await client.fields.create({ name: "Cart URL", type: "text" });
    expect(first.data.data).toMatchObject({ name: "Cart URL", key: "cart_url", type: "text" });
    const duplicate = await failure(client.fields.create({ name: "cart url", type: "text" }));
    expect(duplicate.status).toBe(422);
    expect(duplicate.data).toMatchObject({ errors: { name: ["The name has already been taken."] } });
    const badType = await failure(client.fields.create({ name: "Other", type: "blob" as "text" }));
    expect(badType.data).toMatchObject({ errors: { type: ["The selected type is invalid."] } });
    const listed = await client.fields.get({ limit: 100 });
    expect(listed.data.data.map((f) => f.key)).toContain("cart_url");
    expect(listed.data.data.filter((f) => f.key === "cart_url")).toHaveLength(1);
  });

  it("assigns and removes groups, and filters groups by name (partial, like the real API)", async () => {
    const reminder = await client.groups.create({ name: "cartback: reminder" });
    await client.groups.create({ name: "cartback: reminder 2" });
    const subscriber = await client.subscribers.createOrUpdate({ email: "kim@example.com" });
    const sid = subscriber.data.data.id;
    const gid = reminder.data.data.id;

    const assigned = await client.groups.assignSubscriber(sid, gid);
    expect(assigned.data.data).toMatchObject({ id: gid, active_count: 1 });
    expect(emulator.subscriber(sid)?.groups.map((g) => g.name)).toEqual(["cartback: reminder"]);

    const found = await client.groups.get({ filter: { name: "cartback: reminder" }, sort: "-name" });
    expect(found.data.data.map((g) => g.name)).toEqual(["cartback: reminder 2", "cartback: reminder"]);
    expect(emulator.requests({ path: "/api/groups", method: "GET" })[0]?.query).toEqual({
      "filter[name]": "cartback: reminder",
      sort: "-name",
    });

    const removed = await client.groups.unAssignSubscriber(sid, gid);
    expect(removed.status).toBe(204);
    expect(emulator.subscriber(sid)?.groups).toEqual([]);
    expect((await failure(client.groups.assignSubscriber(sid, "12345"))).status).toBe(404);
  });

  it("lists automations read-only, filtered by the group that triggers them", async () => {
    const one = await client.groups.create({ name: "stage-1" });
    await client.groups.create({ name: "stage-2" });
    const built = emulator.addAutomation({ name: "Nudge", group: "stage-1" });
    emulator.addAutomation({ name: "Consideration", group: "stage-2", enabled: false });
    const byGroup = await client.automations.get({ filter: { group: one.data.data.id } });
    expect(byGroup.data.data.map((a) => a.name)).toEqual(["Nudge"]);
    expect(byGroup.data.data[0]?.triggers[0]?.group_ids).toEqual([one.data.data.id]);
    const enabled = await client.automations.get({ filter: { enabled: true } });
    expect(enabled.data.data.map((a) => a.name)).toEqual(["Nudge"]);
    expect((await client.automations.find(built.id)).data.data.name).toBe("Nudge");
    expect((await failure(client.automations.find("999"))).status).toBe(404);
    const create = await fetch(`${emulator.url}/api/automations`, {
      method: "POST",
      headers: { authorization: "Bearer ml-token", "content-type": "application/json" },
      body: "{}",
    });
    expect(create.status).toBe(405);
    expect(() => emulator.addAutomation({ name: "x", group: "missing" })).toThrow(/no group named "missing"/);
  });

  it("forgets a subscriber", async () => {
    const subscriber = await client.subscribers.createOrUpdate({ email: "erase@example.com" });
    const forgotten = await client.subscribers.forget(subscriber.data.data.id);
    expect(forgotten.status).toBe(200);
    expect(emulator.subscriber("erase@example.com")).toBeUndefined();
    expect((await failure(client.subscribers.find("erase@example.com"))).status).toBe(404);
  });

  it("runs a batch of up to 50 requests and refuses more", async () => {
    const group = await client.groups.create({ name: "batch" });
    const result = await client.batches.send({
      requests: [
        {
          method: "POST",
          path: "api/subscribers",
          body: { email: "b1@example.com", groups: [group.data.data.id] },
        },
        { method: "POST", path: "api/subscribers", body: { email: "broken" } },
        { method: "GET", path: "api/subscribers/b1@example.com", body: {} },
      ],
    });
    expect(result.data).toMatchObject({ total: 3, successful: 2, failed: 1 });
    const responses = (result.data as unknown as { responses: Array<{ code: number }> }).responses;
    expect(responses.map((r) => r.code)).toEqual([201, 422, 200]);
    expect(emulator.subscriber("b1@example.com")?.groups.map((g) => g.name)).toEqual(["batch"]);

    const tooMany = Array.from({ length: 51 }, (_, i) => ({
      method: "POST" as const,
      path: "api/subscribers",
      body: { email: `p${i}@example.com` },
    }));
    const refused = await failure(client.batches.send({ requests: tooMany }));
    expect(refused.status).toBe(422);
    expect(refused.data).toMatchObject({
      errors: { requests: ["The requests may not have more than 50 items."] },
    });
    expect(emulator.subscribers()).toHaveLength(1);
  });

  it("rejects a missing or unknown token with 401", async () => {
    const stranger = new MailerLite({ api_key: "wrong", base_path: emulator.url });
    const refused = await failure(stranger.subscribers.createOrUpdate({ email: "x@example.com" }));
    expect(refused.status).toBe(401);
    expect(refused.data).toEqual({ message: "Unauthenticated." });
  });
});

describe("MailerLite emulator webhooks", () => {
  it("posts a signed subscriber.unsubscribed when a person unsubscribes, and keeps them unsubscribed", async () => {
    const received: Array<{ body: string; signature: string }> = [];
    const receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        received.push({ body, signature: String(req.headers.signature ?? "") });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/mailerlite`;
    try {
      const created = await client.webhooks.create({
        name: "cartback consent",
        events: ["subscriber.unsubscribed", "subscriber.spam_reported"],
        url,
      });
      const webhook = created.data.data as unknown as { id: string; secret: string };
      const batched = await client.webhooks.create({
        name: "batched",
        events: ["subscriber.unsubscribed"],
        url: `${url}?batch=1`,
        // the API takes `batchable`; the SDK's types do not list it
        batchable: true,
      } as Parameters<typeof client.webhooks.create>[0]);
      const batchedSecret = (batched.data.data as unknown as { secret: string }).secret;
      await client.subscribers.createOrUpdate({ email: "ada@example.com", fields: { name: "Ada" } });

      const response = await fetch(`${emulator.url}/_emulator/simulate`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ action: "unsubscribe", email: "ada@example.com" }),
      });
      expect(response.status).toBe(200);
      expect(received).toHaveLength(2);
      const single = received.find((r) => !r.body.startsWith('{"events"'))!;
      const batch = received.find((r) => r.body.startsWith('{"events"'))!;
      const hmac = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex");
      expect(single.signature).toBe(hmac(webhook.secret, single.body));
      expect(batch.signature).toBe(hmac(batchedSecret, batch.body));
      expect(single.signature).not.toBe(hmac("another secret", single.body));
      expect(JSON.parse(single.body)).toMatchObject({
        event: "subscriber.unsubscribed",
        email: "ada@example.com",
        status: "unsubscribed",
        fields: { name: "Ada" },
      });
      expect(JSON.parse(batch.body).events).toEqual([JSON.parse(single.body)]);

      const again = await client.subscribers.createOrUpdate({ email: "ada@example.com", status: "active" });
      expect(again.data.data.status).toBe("unsubscribed");
      expect(emulator.webhookDeliveries().map((d) => d.status)).toEqual([200, 200]);

      const unknown = await fetch(`${emulator.url}/_emulator/simulate`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ action: "unsubscribe", email: "nobody@example.com" }),
      });
      expect(unknown.status).toBe(400);
      expect(await unknown.json()).toEqual({ message: 'no subscriber with email "nobody@example.com"' });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it("refuses a webhook for an event MailerLite does not send", async () => {
    const refused = await failure(
      client.webhooks.create({
        name: "x",
        events: ["subscriber.teleported"],
        url: "https://example.com/hook",
      }),
    );
    expect(refused.status).toBe(422);
    expect(refused.data).toMatchObject({ errors: { "events.0": ["The selected events.0 is invalid."] } });
  });
});

describe("MailerLite emulator rate limit", () => {
  it("answers 429 with Retry-After once the account passes the limit, whichever token asks", async () => {
    let clock = Date.parse("2026-11-23T10:00:00Z");
    const limited = await startMailerLiteEmulator({ rateLimit: { limit: 3 }, now: () => clock });
    try {
      const sdk = new MailerLite({ api_key: "a", base_path: limited.url });
      for (let i = 0; i < 3; i++) await sdk.groups.get({ sort: "name" });
      clock += 20_000;
      const throttled = await failure(sdk.groups.get({ sort: "name" }));
      expect(throttled.status).toBe(429);
      expect(throttled.data).toEqual({ message: "Too Many Attempts." });
      expect((throttled.headers as Record<string, string>)["retry-after"]).toBe("40");

      // MailerLite counts per account: a second token of the same account gets no fresh allowance
      const other = new MailerLite({ api_key: "b", base_path: limited.url });
      expect((await failure(other.groups.get({ sort: "name" }))).status).toBe(429);

      clock += 40_000;
      expect((await sdk.groups.get({ sort: "name" })).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });

  it("limits batches of only subscriber upserts to 5 imports per minute", async () => {
    const clock = Date.parse("2026-11-23T10:00:00Z");
    const limited = await startMailerLiteEmulator({ now: () => clock });
    try {
      const sdk = new MailerLite({ api_key: "a", base_path: limited.url });
      const upserts = (n: number) => ({
        requests: [
          { method: "POST" as const, path: "api/subscribers", body: { email: `i${n}@example.com` } },
        ],
      });
      for (let i = 0; i < 5; i++) await sdk.batches.send(upserts(i));
      const refused = await failure(sdk.batches.send(upserts(5)));
      expect(refused.status).toBe(429);
      expect((refused.headers as Record<string, string>)["retry-after"]).toBe("60");
      // a mixed batch is not an import
      const group = await sdk.groups.create({ name: "g" });
      const mixed = await sdk.batches.send({
        requests: [
          { method: "POST", path: "api/subscribers", body: { email: "m@example.com" } },
          { method: "POST", path: `api/subscribers/i1@example.com/groups/${group.data.data.id}`, body: {} },
        ],
      });
      expect(mixed.data).toMatchObject({ successful: 2 });
    } finally {
      await limited.stop();
    }
  });

  it("allows 120 requests per minute by default", async () => {
    const clock = Date.parse("2026-11-23T10:00:00Z");
    const defaults = await startMailerLiteEmulator({ now: () => clock });
    try {
      const sdk = new MailerLite({ api_key: "a", base_path: defaults.url });
      for (let i = 0; i < 120; i++) await sdk.fields.get({});
      expect((await failure(sdk.fields.get({}))).status).toBe(429);
    } finally {
      await defaults.stop();
    }
  });
});
