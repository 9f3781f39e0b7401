import MailerLiteModule from "@mailerlite/mailerlite-nodejs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Command } from "../../src/core/commands.js";
import { mailerliteDestination } from "../../src/destinations/mailerlite.js";
import { DeliveryError } from "../../src/destinations/types.js";
import { type MailerLiteEmulator, startMailerLiteEmulator } from "../../src/emulators/mailerlite.js";
import { meta, testDestination } from "./conformance.js";

const MailerLite = ((MailerLiteModule as { default?: unknown }).default ??
  MailerLiteModule) as typeof MailerLiteModule.default;

const TOKEN = "ml-token";
let emulator: MailerLiteEmulator;

beforeAll(async () => {
  emulator = await startMailerLiteEmulator({ apiKeys: [TOKEN] });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

function destination(options: Partial<Parameters<typeof mailerliteDestination>[0]> = {}) {
  return mailerliteDestination({ apiKey: TOKEN, baseUrl: emulator.url, pacing: false, ...options });
}

function upsert(email = "ada@example.com", fields: Record<string, string | number | null> = {}): Command {
  return { ...meta({ kind: "support" }), type: "mailerlite.upsertSubscriber", email, fields };
}

function addToGroup(group: string, email = "ada@example.com"): Command {
  return { ...meta(), type: "mailerlite.addToGroup", email, group };
}

async function rejection(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

testDestination("mailerlite", {
  destination: () => destination(),
  command: () => upsert(),
  unreachable: (baseUrl) => mailerliteDestination({ apiKey: TOKEN, baseUrl, pacing: false }),
  providerIds: () => emulator.subscribers().map((s) => s.id),
});

describe("mailerliteDestination against the MailerLite emulator", () => {
  it("explains a missing api key", () => {
    expect(() => mailerliteDestination({})).toThrow(
      "Missing required option `apiKey` for mailerliteDestination",
    );
  });

  it("upserts a subscriber with its custom fields and never sends a status", async () => {
    const receipt = await destination().execute(
      upsert("ada@example.com", { cart_url: "https://shop.test/r/abc", cart_total: 129.5 }),
    );
    const [request] = emulator.requests({ method: "POST", path: "/api/subscribers" });
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers["content-type"]).toMatch(/application\/json/);
    expect(request?.body).toEqual({
      email: "ada@example.com",
      fields: { cart_url: "https://shop.test/r/abc", cart_total: 129.5 },
    });
    expect(receipt.providerId).toBe(emulator.subscriber("ada@example.com")?.id);
  });

  it("leaves an unsubscribed person unsubscribed", async () => {
    const sdk = new MailerLite({ api_key: TOKEN, base_path: emulator.url });
    await sdk.subscribers.createOrUpdate({ email: "gone@example.com", status: "unsubscribed" });
    await destination().execute(upsert("gone@example.com", { cart_url: "https://shop.test/r/x" }));
    await destination().execute(addToGroup("cartback stage 1", "gone@example.com"));
    expect(emulator.subscriber("gone@example.com")?.status).toBe("unsubscribed");
  });

  it("resolves a group name once, creating it when missing, then only assigns", async () => {
    const ml = destination();
    await ml.execute(upsert("ada@example.com"));
    await ml.execute(upsert("bob@example.com"));
    emulator.clearRequests();
    await Promise.all([
      ml.execute(addToGroup("cartback stage 1", "ada@example.com")),
      ml.execute(addToGroup("cartback stage 1", "bob@example.com")),
    ]);
    const group = emulator.groups().find((g) => g.name === "cartback stage 1");
    expect(group).toBeDefined();
    const calls = emulator.requests().map((r) => `${r.method} ${r.path}`);
    expect(calls.filter((c) => c === "GET /api/groups")).toHaveLength(1);
    expect(calls.filter((c) => c === "POST /api/groups")).toHaveLength(1);
    const ada = emulator.subscriber("ada@example.com")!;
    const bob = emulator.subscriber("bob@example.com")!;
    expect(calls).toContain(`POST /api/subscribers/${ada.id}/groups/${group!.id}`);
    expect(calls).toContain(`POST /api/subscribers/${bob.id}/groups/${group!.id}`);
    expect(ada.groups.map((g) => g.name)).toEqual(["cartback stage 1"]);
  });

  it("uses an existing group found by exact name, not a partial match", async () => {
    const sdk = new MailerLite({ api_key: TOKEN, base_path: emulator.url });
    await sdk.groups.create({ name: "cartback stage 10" });
    const existing = await sdk.groups.create({ name: "cartback stage 1" });
    const ml = destination();
    await ml.execute(upsert());
    await ml.execute(addToGroup("cartback stage 1"));
    expect(emulator.groups()).toHaveLength(2);
    expect(emulator.subscriber("ada@example.com")?.groups.map((g) => g.id)).toEqual([existing.data.data.id]);
  });

  it("adds by group id and removes again; removing what is not there succeeds", async () => {
    const sdk = new MailerLite({ api_key: TOKEN, base_path: emulator.url });
    const group = (await sdk.groups.create({ name: "VIP" })).data.data;
    const ml = destination();
    await ml.execute(upsert());
    await ml.execute(addToGroup(group.id));
    expect(emulator.subscriber("ada@example.com")?.groups.map((g) => g.name)).toEqual(["VIP"]);
    await ml.execute({
      ...meta(),
      type: "mailerlite.removeFromGroup",
      email: "ada@example.com",
      group: "VIP",
    });
    expect(emulator.subscriber("ada@example.com")?.groups).toEqual([]);
    const sub = emulator.subscriber("ada@example.com")!;
    expect(emulator.requests({ method: "DELETE" }).map((r) => r.path)).toEqual([
      `/api/subscribers/${sub.id}/groups/${group.id}`,
    ]);
    await ml.execute({
      ...meta(),
      type: "mailerlite.removeFromGroup",
      email: "nobody@example.com",
      group: "VIP",
    });
  });

  it("refuses to add someone MailerLite does not know, permanently", async () => {
    const error = await rejection(destination().execute(addToGroup("VIP", "stranger@example.com")));
    expect(error.kind).toBe("permanent");
    expect(error.message).toMatch(/upsert the subscriber first/);
  });

  it("forgets a subscriber by looking up the id for the email", async () => {
    await destination().execute(upsert());
    const id = emulator.subscriber("ada@example.com")!.id;
    const ml = destination();
    await ml.execute({ ...meta({ kind: "task" }), type: "mailerlite.forget", email: "ada@example.com" });
    expect(emulator.requests({ method: "POST", path: `/api/subscribers/${id}/forget` })).toHaveLength(1);
    expect(emulator.requests({ method: "GET", path: "/api/subscribers/ada@example.com" })).toHaveLength(1);
  });

  it("classifies 422 as permanent with the field errors", async () => {
    const error = await rejection(destination().execute(upsert("not-an-email")));
    expect(error).toMatchObject({ kind: "permanent", status: 422 });
    expect(Object.keys(error.fieldErrors ?? {})).toContain("email");
  });

  it("classifies 401 as configuration naming the apiKey setting", async () => {
    const error = await rejection(
      mailerliteDestination({ apiKey: "wrong", baseUrl: emulator.url, pacing: false }).execute(upsert()),
    );
    expect(error).toMatchObject({ kind: "configuration", status: 401, setting: "apiKey" });
    expect(error.message).toMatch(/apiKey/);
  });

  it("classifies 429 as retryable with Retry-After, and 5xx as retryable", async () => {
    const limited = await startMailerLiteEmulator({ apiKeys: [TOKEN], rateLimit: { limit: 2 } });
    try {
      const ml = mailerliteDestination({ apiKey: TOKEN, baseUrl: limited.url, pacing: false });
      await ml.execute(upsert("a@example.com"));
      await ml.execute(upsert("b@example.com"));
      const error = await rejection(ml.execute(upsert("c@example.com")));
      expect(error).toMatchObject({ kind: "retryable", status: 429 });
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    } finally {
      await limited.stop();
    }
    emulator.setFaults({ errorRate: 1, errorStatus: 503 });
    const error = await rejection(destination().execute(upsert()));
    expect(error).toMatchObject({ kind: "retryable", status: 503 });
  });

  it("gives up on a slow answer after timeoutMs, as retryable with an unknown outcome", async () => {
    // the answer, 10 s late, would be a 503: a TIMEOUT can only come from the client giving up first
    emulator.setFaults({ latencyMs: 10_000, errorRate: 1, errorStatus: 503 });
    const error = await rejection(destination({ timeoutMs: 100 }).execute(upsert()));
    expect(error).toMatchObject({ kind: "retryable", code: "TIMEOUT", outcomeUnknown: true });
    expect(error.message).toContain("timed out after 100 ms");
  });

  it("paces requests so a burst stays under the account limit instead of collecting 429s", async () => {
    const limited = await startMailerLiteEmulator({
      apiKeys: [TOKEN],
      rateLimit: { limit: 4, windowMs: 500 },
    });
    try {
      const ml = mailerliteDestination({
        apiKey: TOKEN,
        baseUrl: limited.url,
        // a little slack over the window, as the default has, for requests that arrive late
        pacing: { limit: 4, intervalMs: 800 },
      });
      const emails = Array.from({ length: 10 }, (_, i) => `p${i}@example.com`);
      await Promise.all(emails.map((email) => ml.execute(upsert(email))));
      const log = limited.requests();
      expect(log.every((r) => r.status < 300)).toBe(true);
      expect(limited.subscribers()).toHaveLength(10);
      // no 500 ms window holds more than 4 requests
      const times = log.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
      for (let i = 4; i < times.length; i++) expect(times[i]! - times[i - 4]!).toBeGreaterThanOrEqual(500);
    } finally {
      await limited.stop();
    }
  });
});
