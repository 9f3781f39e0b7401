import { afterEach, describe, expect, it } from "vitest";
import { type EmulatorServer, startEmulatorServer } from "../../src/emulators/server.js";

let server: EmulatorServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("emulator server", () => {
  it("parses JSON and form bodies and logs query, headers and the reply", async () => {
    server = await startEmulatorServer({
      name: "echo",
      handler: (call) => ({ status: 200, body: { got: call.body }, headers: { "X-Echo": "1" } }),
    });
    const json = await fetch(`${server.url}/things?tag=a&tag=b`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Custom": "yes" },
      body: JSON.stringify({ a: 1 }),
    });
    expect(json.headers.get("x-echo")).toBe("1");
    expect(await json.json()).toEqual({ got: { a: 1 } });
    await fetch(`${server.url}/form`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "To=%2B1415&MediaUrl=a&MediaUrl=b",
    });
    const [first, second] = server.requests();
    expect(first).toMatchObject({
      id: 1,
      method: "POST",
      path: "/things",
      query: { tag: ["a", "b"] },
      body: { a: 1 },
      status: 200,
      response: { got: { a: 1 } },
    });
    expect(first?.headers["x-custom"]).toBe("yes");
    expect(second?.body).toEqual({ To: "+1415", MediaUrl: ["a", "b"] });
    expect(server.requests({ path: "/th*" })).toHaveLength(1);
    expect(server.requests({ method: "get" })).toHaveLength(0);
  });

  it("answers 500 with the reason when a handler throws, and names the inspection routes on a typo", async () => {
    server = await startEmulatorServer({
      name: "broken",
      handler: () => {
        throw new Error("state is inconsistent");
      },
    });
    const failed = await fetch(`${server.url}/anything`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: "emulator error: state is inconsistent" });
    const typo = await fetch(`${server.url}/_emulator/request`);
    expect(typo.status).toBe(404);
    expect(((await typo.json()) as { message: string }).message).toContain("GET|DELETE /_emulator/requests");
  });

  it("keeps only the latest requests once the log is full", async () => {
    server = await startEmulatorServer({ name: "small", maxLogEntries: 3, handler: () => ({ status: 204 }) });
    for (let i = 1; i <= 5; i++) await fetch(`${server.url}/r${i}`);
    expect(server.requests().map((r) => r.path)).toEqual(["/r3", "/r4", "/r5"]);
    expect(server.requests().map((r) => r.id)).toEqual([3, 4, 5]);
  });

  it("refuses a port that is taken", async () => {
    server = await startEmulatorServer({ name: "first", handler: () => ({ status: 204 }) });
    await expect(
      startEmulatorServer({ name: "second", port: server.port, handler: () => ({ status: 204 }) }),
    ).rejects.toThrow(
      /second emulator: port \d+ on 127\.0\.0\.1 is already in use; choose another port, or 0 for a free one/,
    );
  });
});
