import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Command } from "../../src/core/commands.js";
import { mailerliteClassicDestination } from "../../src/destinations/mailerlite-classic.js";
import { DeliveryError } from "../../src/destinations/types.js";
import {
  type MailerLiteClassicEmulator,
  startMailerLiteClassicEmulator,
} from "../../src/emulators/mailerlite-classic.js";
import { meta, testDestination } from "./conformance.js";

const KEY = "classic-key";
let emulator: MailerLiteClassicEmulator;

beforeAll(async () => {
  emulator = await startMailerLiteClassicEmulator({ apiKeys: [KEY] });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

function destination(options: Partial<Parameters<typeof mailerliteClassicDestination>[0]> = {}) {
  return mailerliteClassicDestination({
    apiKey: KEY,
    baseUrl: `${emulator.url}/api/v2/`,
    pacing: false,
    ...options,
  });
}

function upsert(email = "ada@example.com", fields: Record<string, string | number | null> = {}): Command {
  return { ...meta({ kind: "support" }), type: "mailerlite.upsertSubscriber", email, fields };
}

testDestination("mailerlite", {
  destination: () => destination(),
  command: () => upsert(),
  unreachable: (baseUrl) =>
    mailerliteClassicDestination({ apiKey: KEY, baseUrl: `${baseUrl}/api/v2/`, pacing: false }),
  providerIds: () => emulator.subscribers().map((s) => String(s.id)),
});

describe("mailerliteClassicDestination against the classic API emulator", () => {
  it("explains a missing api key", () => {
    expect(() => mailerliteClassicDestination({})).toThrow(
      "Missing required option `apiKey` for mailerliteClassicDestination",
    );
  });

  it("upserts with the field keys exactly as written and never resubscribes", async () => {
    await destination().execute(
      upsert("ada@example.com", { cartUrl: "https://shop.test/r/abc", cart_total: 129.5 }),
    );
    const [request] = emulator.requests({ method: "POST" });
    expect(request?.path).toBe("/api/v2/subscribers");
    expect(request?.headers["x-mailerlite-apikey"]).toBe(KEY);
    expect(request?.body).toEqual({
      email: "ada@example.com",
      fields: { cartUrl: "https://shop.test/r/abc", cart_total: 129.5 },
      resubscribe: false,
    });
  });

  it("adds to a group found or created by name once, removes, and forgets", async () => {
    const ml = destination();
    await ml.execute(upsert());
    await ml.execute({
      ...meta(),
      type: "mailerlite.addToGroup",
      email: "ada@example.com",
      group: "cartback stage 1",
    });
    await ml.execute({
      ...meta(),
      type: "mailerlite.addToGroup",
      email: "ada@example.com",
      group: "cartback stage 1",
    });
    const [group] = emulator.groups();
    expect(group?.name).toBe("cartback stage 1");
    expect(emulator.groupSubscribers(group!.id).map((s) => s.email)).toEqual(["ada@example.com"]);
    expect(emulator.requests({ method: "POST", path: "/api/v2/groups" })).toHaveLength(1);
    const adds = emulator.requests({ method: "POST", path: `/api/v2/groups/${group!.id}/subscribers` });
    expect(adds.map((r) => r.body)).toEqual([
      { email: "ada@example.com", resubscribe: false },
      { email: "ada@example.com", resubscribe: false },
    ]);

    await ml.execute({
      ...meta(),
      type: "mailerlite.removeFromGroup",
      email: "ada@example.com",
      group: "cartback stage 1",
    });
    expect(emulator.groupSubscribers(group!.id)).toEqual([]);
    await ml.execute({
      ...meta(),
      type: "mailerlite.removeFromGroup",
      email: "ada@example.com",
      group: "cartback stage 1",
    });

    await ml.execute({ ...meta(), type: "mailerlite.forget", email: "ada@example.com" });
    expect(emulator.subscriber("ada@example.com")).toBeUndefined();
    await ml.execute({ ...meta(), type: "mailerlite.forget", email: "ada@example.com" });
  });

  it("classifies a wrong key as configuration and outages as retryable", async () => {
    const denied = await destination({ apiKey: "wrong" })
      .execute(upsert())
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(DeliveryError);
    expect(denied).toMatchObject({ kind: "configuration", setting: "apiKey", status: 401 });
    emulator.setFaults({ errorRate: 1, errorStatus: 502 });
    await expect(destination().execute(upsert())).rejects.toMatchObject({ kind: "retryable", status: 502 });
  });

  it("times out through the SDK's axios timeout", async () => {
    emulator.setFaults({ latencyMs: 500 });
    await expect(destination({ timeoutMs: 100 }).execute(upsert())).rejects.toMatchObject({
      kind: "retryable",
    });
  });
});
