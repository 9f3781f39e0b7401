import MailerLiteModule from "mailerlite-api-v2-node";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type MailerLiteClassicEmulator,
  startMailerLiteClassicEmulator,
} from "../../src/emulators/mailerlite-classic.js";

// a CommonJS module: Node's ESM import puts the factory on `.default`
const MailerLite = ((MailerLiteModule as { default?: unknown }).default ??
  MailerLiteModule) as typeof MailerLiteModule.default;

let emulator: MailerLiteClassicEmulator;
let client: ReturnType<typeof MailerLite>;

beforeAll(async () => {
  emulator = await startMailerLiteClassicEmulator({ apiKeys: ["classic-key"] });
  client = MailerLite("classic-key", { baseURL: `${emulator.url}/api/v2/`, useCaseConverter: false });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

async function failure(promise: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    await promise;
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown } }).response;
    if (response) return { status: response.status, data: response.data };
    throw error;
  }
  throw new Error("expected the request to fail");
}

describe("MailerLite classic emulator through mailerlite-api-v2-node", () => {
  it("creates fields and keeps subscriber field keys exactly as sent", async () => {
    const field = (await client.createField({ title: "Cart URL", type: "TEXT" })) as unknown as {
      key: string;
    };
    expect(field.key).toBe("cart_url");
    const subscriber = (await client.addSubscriber({
      email: "ada@example.com",
      name: "Ada",
      fields: { cart_url: "https://shop.test/c/1", notAField: "dropped" },
    })) as unknown as { id: number; type: string; fields: Array<{ key: string; value: string }> };
    expect(subscriber.type).toBe("active");
    expect(subscriber.fields).toContainEqual({
      key: "cart_url",
      value: "https://shop.test/c/1",
      type: "TEXT",
    });
    expect(subscriber.fields.map((f) => f.key)).not.toContain("notAField");

    const [request] = emulator.requests({ method: "POST", path: "/api/v2/subscribers" });
    expect(request?.headers["x-mailerlite-apikey"]).toBe("classic-key");
    expect(request?.body).toEqual({
      email: "ada@example.com",
      name: "Ada",
      fields: { cart_url: "https://shop.test/c/1", notAField: "dropped" },
    });
    const again = (await client.getSubscriber("ada@example.com")) as unknown as { id: number };
    expect(again.id).toBe(subscriber.id);
  });

  it("adds to and removes from a group", async () => {
    const group = (await client.createGroup({ name: "cartback: reminder" })) as unknown as { id: number };
    const added = (await client.addSubscriberToGroup(group.id, { email: "kim@example.com" })) as unknown as {
      id: number;
    };
    expect(emulator.groupSubscribers(group.id).map((s) => s.email)).toEqual(["kim@example.com"]);
    const found = await client.searchGroups("reminder");
    expect(found.map((g) => g.name)).toEqual(["cartback: reminder"]);
    expect(found[0]).toMatchObject({ total: 1, active: 1 });
    await client.removeGroupSubscriber(group.id, added.id);
    expect(emulator.groupSubscribers(group.id)).toEqual([]);
    expect(emulator.requests({ method: "DELETE" })[0]?.path).toBe(
      `/api/v2/groups/${group.id}/subscribers/${added.id}`,
    );
  });

  it("keeps an unsubscribed person unsubscribed unless resubscribe is set", async () => {
    await client.addSubscriber({ email: "lin@example.com", type: "unsubscribed" });
    await client.addSubscriber({ email: "lin@example.com", type: "active" });
    expect(emulator.subscriber("lin@example.com")?.type).toBe("unsubscribed");
    await client.addSubscriber({ email: "lin@example.com", resubscribe: true });
    expect(emulator.subscriber("lin@example.com")?.type).toBe("active");
  });

  it("refuses a bad key, a bad address and a duplicate field", async () => {
    const stranger = MailerLite("nope", { baseURL: `${emulator.url}/api/v2/`, useCaseConverter: false });
    expect(await failure(stranger.getGroups())).toEqual({
      status: 401,
      data: { error: { code: 1, message: "Unauthorized" } },
    });
    expect((await failure(client.addSubscriber({ email: "broken" }))).status).toBe(400);
    await client.createField({ title: "Cart URL", type: "TEXT" });
    expect((await failure(client.createField({ title: "Cart URL", type: "TEXT" }))).status).toBe(400);
    expect((await failure(client.getSubscriber("nobody@example.com"))).status).toBe(404);
  });
});
