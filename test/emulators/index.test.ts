import MailerLiteModule from "@mailerlite/mailerlite-nodejs";
import twilio from "twilio";
import { afterEach, describe, expect, it } from "vitest";
import { emulatorHttpClient, type RunningEmulators, startEmulators } from "../../src/emulators/index.js";

const MailerLite = ((MailerLiteModule as { default?: unknown }).default ??
  MailerLiteModule) as typeof MailerLiteModule.default;

let running: RunningEmulators | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    const failure = error as { response?: { status: number }; status?: number };
    if (failure.response) return failure.response.status;
    if (typeof failure.status === "number") return failure.status;
    throw error;
  }
}

describe("startEmulators", () => {
  it("starts every emulator when none is named, each on its own 127.0.0.1 port", async () => {
    running = await startEmulators();
    expect(Object.keys(running.urls)).toEqual(["mailerlite", "mailerliteClassic", "twilio", "sendgrid"]);
    for (const url of Object.values(running.urls)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new Set(Object.values(running.urls)).size).toBe(4);
  });

  it("starts only the named ones, from a base port", async () => {
    // a base port whose neighbours are free right now; another process may take one in between
    let base = 0;
    for (let attempt = 0; ; attempt++) {
      base = 20_000 + Math.floor(Math.random() * 40_000);
      try {
        running = await startEmulators({ twilio: true, sendgrid: {}, port: base });
        break;
      } catch (error) {
        if (attempt >= 10 || !String(error).includes("in use")) throw error;
      }
    }
    expect(running.urls).toEqual({
      twilio: `http://127.0.0.1:${base + 2}`,
      sendgrid: `http://127.0.0.1:${base + 3}`,
    });
    expect(running.mailerlite).toBeUndefined();
  });

  it("refuses a port that is out of range", async () => {
    await expect(startEmulators({ port: 70_000 })).rejects.toThrow(/port must be an integer from 0 to 65532/);
  });
});

describe("inspection API over HTTP", () => {
  it("lists what was received, filters it and resets it", async () => {
    running = await startEmulators({ mailerlite: true });
    const url = running.urls.mailerlite!;
    const sdk = new MailerLite({ api_key: "k", base_path: url });
    await sdk.subscribers.createOrUpdate({ email: "ada@example.com" });
    await sdk.groups.create({ name: "g" });

    const all = (await (await fetch(`${url}/_emulator/requests`)).json()) as {
      requests: Array<{ method: string; path: string; status: number; body: unknown; time: string }>;
    };
    expect(all.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /api/subscribers 201",
      "POST /api/groups 201",
    ]);
    expect(all.requests[0]?.body).toEqual({ email: "ada@example.com" });
    expect(Date.parse(all.requests[0]!.time)).not.toBeNaN();

    const filtered = (await (await fetch(`${url}/_emulator/requests?path=/api/groups`)).json()) as {
      requests: unknown[];
    };
    expect(filtered.requests).toHaveLength(1);

    expect((await fetch(`${url}/_emulator/requests`, { method: "DELETE" })).status).toBe(204);
    expect(running.mailerlite!.requests()).toEqual([]);
    // clearing the log keeps the state; a reset clears both
    expect(running.mailerlite!.subscribers()).toHaveLength(1);
    expect((await fetch(`${url}/_emulator/reset`, { method: "POST" })).status).toBe(204);
    expect(running.mailerlite!.subscribers()).toEqual([]);
  });
});

describe("fault injection", () => {
  it("fails the configured share of requests, reproducibly for a seed, in the API's own error shape", async () => {
    running = await startEmulators({ twilio: true });
    const client = twilio(`AC${"1".repeat(32)}`, "token", {
      httpClient: emulatorHttpClient(running.urls.twilio!),
    });
    const send = () =>
      status(client.messages.create({ to: "+14155550100", from: "+15005550006", body: "x" }));

    const response = await fetch(`${running.urls.twilio}/_emulator/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ errorRate: 0.3, errorStatus: 503, seed: 7 }),
    });
    expect(response.status).toBe(200);
    const first: number[] = [];
    for (let i = 0; i < 40; i++) first.push(await send());
    const failed = first.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(4);
    expect(failed).toBeLessThan(24);
    expect(first.every((s) => s === 200 || s === 503)).toBe(true);
    const injected = running.twilio!.requests().filter((r) => r.fault === "error");
    expect(injected).toHaveLength(failed);
    expect(injected[0]?.response).toMatchObject({ code: 20503, status: 503 });

    running.twilio!.setFaults({ errorRate: 0.3, errorStatus: 503, seed: 7 });
    const second: number[] = [];
    for (let i = 0; i < 40; i++) second.push(await send());
    expect(second).toEqual(first);
  });

  it("adds latency and answers 503 inside an outage window", async () => {
    let clock = Date.parse("2026-11-23T12:00:00Z");
    running = await startEmulators({ mailerlite: { now: () => clock } });
    const emulator = running.mailerlite!;
    const sdk = new MailerLite({ api_key: "k", base_path: running.urls.mailerlite });

    emulator.setFaults({ outage: { from: "2026-11-23T12:00:00Z", to: "2026-11-23T12:05:00Z" } });
    expect(await status(sdk.groups.get({ sort: "name" }))).toBe(503);
    clock += 5 * 60_000;
    expect(await status(sdk.groups.get({ sort: "name" }))).toBe(200);
    expect(emulator.requests().map((r) => r.fault)).toEqual(["outage", undefined]);

    emulator.setFaults({ latencyMs: 150 });
    const started = performance.now();
    await sdk.groups.get({ sort: "name" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("answers an injected 429 with Retry-After, and refuses settings it does not know", async () => {
    running = await startEmulators({ sendgrid: true });
    const url = running.urls.sendgrid!;
    running.sendgrid!.setFaults({ errorRate: 1, errorStatus: 429 });
    const throttled = await fetch(`${url}/v3/mail/send`, {
      method: "POST",
      headers: { Authorization: "Bearer k" },
    });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");

    const bad = await fetch(`${url}/_emulator/faults`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ errorRate: 2 }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: "errorRate must be a number from 0 to 1" });
    expect(() => running!.sendgrid!.setFaults({ latency: 5 } as never)).toThrow(
      /unknown fault setting latency/,
    );
  });
});
