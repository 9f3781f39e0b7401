import { afterEach, describe, expect, it } from "vitest";
import { asEvents, createSandbox, type Sandbox, type SandboxEvent } from "./sandbox.js";

const open: Sandbox[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.dispose();
});

async function sandbox(code: string, options = {}) {
  const s = await createSandbox(code, options);
  open.push(s);
  return s;
}

const message = (id: string, extra: Record<string, unknown> = {}) => ({
  type: "track",
  messageId: id,
  ...extra,
});

describe("the transformation sandbox (RudderStack's isolate, reproduced)", () => {
  it("offers the JavaScript built-ins and RudderStack's globals, and none of Node's", async () => {
    const s = await sandbox(`export function transformEvent(event) {
      const names = ["log", "console", "fetch", "fetchV2", "getCredential", "geolocation", "require", "process",
        "Buffer", "setTimeout", "URL", "TextEncoder", "btoa", "crypto", "structuredClone", "Intl", "JSON"];
      return Object.fromEntries(names.map((n) => [n, typeof globalThis[n]]));
    }`);
    const [out] = await s.run(asEvents([message("m1")]));
    expect(out?.transformedEvent).toEqual({
      log: "function",
      console: "object",
      fetch: "function",
      fetchV2: "function",
      getCredential: "function",
      geolocation: "function",
      require: "undefined",
      process: "undefined",
      Buffer: "undefined",
      setTimeout: "undefined",
      URL: "undefined",
      TextEncoder: "undefined",
      btoa: "undefined",
      crypto: "undefined",
      structuredClone: "undefined",
      Intl: "object",
      JSON: "object",
    });
  });

  it("refuses imports, both or neither entry function, and the names the transformer reserves", async () => {
    await expect(
      sandbox(`import x from "lodash"; export function transformEvent(e) { return e; }`),
    ).rejects.toThrow('import of "lodash" is not allowed');
    await expect(
      sandbox(
        "export function transformEvent(e) { return e; }\nexport function transformBatch(e) { return e; }",
      ),
    ).rejects.toThrow("Expected one of transformEvent,transformBatch");
    await expect(sandbox("export const x = 1;")).rejects.toThrow(
      "Expected one of transformEvent,transformBatch",
    );
    await expect(
      sandbox("function transformWrapper() {}\nexport function transformEvent(e) { return e; }"),
    ).rejects.toThrow("transformWrapper is reserved");
  });

  it("calls the entry by its name, so a minifier's renamed export fails as it would in RudderStack", async () => {
    const s = await sandbox("function a(e) { return e; }\nexport { a as transformEvent };");
    const [out] = await s.run(asEvents([message("m1")]));
    expect(out?.error).toMatch(/ReferenceError: transformEvent is not defined/);
  });

  it("passes, drops, fans out and reports each event's own error with that event's metadata", async () => {
    const s = await sandbox(`export function transformEvent(event, metadata) {
      if (event.messageId === "drop") return null;
      if (event.messageId === "fan") return [{ n: 1 }, { n: 2 }];
      if (event.messageId === "bad") throw new Error("properties.price must be a number");
      if (event.messageId === "odd") return 42;
      return { seen: metadata(event).destinationType };
    }`);
    const out = await s.run(
      asEvents(
        ["pass", "drop", "fan", "bad", "odd"].map((id) => message(id)),
        "HTTP",
      ),
    );
    const byId = (id: string) => out.filter((o) => o.metadata.messageId === id);
    expect(byId("pass").map((o) => o.transformedEvent)).toEqual([{ seen: "HTTP" }]);
    expect(byId("drop")).toEqual([]);
    expect(byId("fan").map((o) => o.transformedEvent)).toEqual([{ n: 1 }, { n: 2 }]);
    expect(byId("bad")[0]?.error).toMatch(/^Error: properties.price must be a number\n\s+at transformEvent/);
    expect(byId("odd")[0]?.error).toBe("returned event from transformEvent(event) is not an object");
  });

  it("matches transformBatch outputs to metadata by messageId, and fails the batch when it throws", async () => {
    const s = await sandbox(`export function transformBatch(events, metadata) {
      if (events.length === 3) throw new Error("boom");
      return events.map((e) => ({ messageId: e.messageId, type: metadata(e).eventType }));
    }`);
    const out = await s.run(asEvents([message("a"), message("b")]));
    expect(out.map((o) => [o.metadata.messageId, o.transformedEvent?.type])).toEqual([
      ["a", "track"],
      ["b", "track"],
    ]);
    const failed = await s.run(asEvents([message("a"), message("b"), message("c")]));
    expect(failed).toHaveLength(1);
    expect(failed[0]?.error).toMatch(/Error: boom/);
  });

  it("stops code that runs past the time limit", async () => {
    const s = await sandbox("export function transformEvent(e) { for (;;) {} }", { timeoutMs: 200 });
    await expect(s.run(asEvents([message("m1")]))).rejects.toThrow(/timed out/i);
  });

  it("stops code that allocates past the memory limit", async () => {
    const s = await sandbox(
      "export function transformEvent(e) { const a = []; for (;;) a.push(new Array(1e5).fill(Math.random())); }",
      { memoryMb: 16 },
    );
    await expect(s.run(asEvents([message("m1")]))).rejects.toThrow(/memory|disposed/i);
  });

  it("reads credentials, prints logs and keeps fetch away from private addresses", async () => {
    const s = await sandbox(
      `export async function transformEvent(e) {
        log("token", getCredential("TOKEN"), getCredential("MISSING"));
        const local = await fetch("http://127.0.0.1:9/x");
        let v2 = "ok";
        try { await fetchV2("http://10.0.0.1/x"); } catch (error) { v2 = error.message; }
        return { local, v2 };
      }`,
      { credentials: { TOKEN: "s3cret" } },
    );
    const [out] = await s.run(asEvents([message("m1")]));
    expect(out?.transformedEvent).toEqual({ local: "ERROR", v2: "request to 10.0.0.1 is not allowed" });
    expect(s.logs).toEqual(["token s3cret undefined"]);
  });

  it("runs every batch in a new isolate: no state survives from one batch to the next", async () => {
    const s = await sandbox("let n = 0; export function transformEvent(e) { n++; return { n }; }");
    const first = await s.run(asEvents([message("a"), message("b")]));
    expect(first.map((o) => o.transformedEvent)).toEqual([{ n: 1 }, { n: 2 }]);
    const [second] = await s.run(asEvents([message("c")]));
    expect(second?.transformedEvent).toEqual({ n: 1 });
  });

  it("compiles and evaluates the module again for every batch", async () => {
    const s = await sandbox(`log("evaluated"); export function transformEvent(e) { return e; }`);
    for (let i = 0; i < 3; i++) await s.run(asEvents([message(`m${i}`)]));
    expect(s.logs).toEqual(["evaluated", "evaluated", "evaluated"]);
    expect(s.batches).toBe(3);
  });

  it("builds getCredential's map from the first event's credentials only", async () => {
    const s = await sandbox(
      `export function transformEvent(e) { return { token: getCredential("TOKEN") ?? null }; }`,
    );
    const [a, b] = asEvents([message("a"), message("b")]);
    const credentials = [{ key: "TOKEN", value: "t-1", isSecret: true }];
    const firstCarries = await s.run([{ ...(a as SandboxEvent), credentials }, b as SandboxEvent]);
    expect(firstCarries.map((o) => o.transformedEvent)).toEqual([{ token: "t-1" }, { token: "t-1" }]);
    const onlySecondCarries = await s.run([a as SandboxEvent, { ...(b as SandboxEvent), credentials }]);
    expect(onlySecondCarries.map((o) => o.transformedEvent)).toEqual([{ token: null }, { token: null }]);
    await expect(
      (await sandbox("export function transformEvent(e) { return { v: getCredential(null) }; }")).run(
        asEvents([message("n")]),
      ),
    ).resolves.toEqual([expect.objectContaining({ error: expect.stringMatching(/Key should be valid/) })]);
  });

  it("has log by default, can leave it out, and with the isolate cache loses it from the second batch on", async () => {
    const code = "export function transformEvent(e) { return { log: typeof log }; }";
    const seen = async (s: Sandbox) => {
      const out = [];
      for (let i = 0; i < 2; i++) out.push((await s.run(asEvents([message(`m${i}`)])))[0]?.transformedEvent);
      return out;
    };
    expect(await seen(await sandbox(code))).toEqual([{ log: "function" }, { log: "function" }]);
    expect(await seen(await sandbox(code, { log: "absent" }))).toEqual([
      { log: "undefined" },
      { log: "undefined" },
    ]);
    expect(await seen(await sandbox(code, { log: "first-batch" }))).toEqual([
      { log: "function" },
      { log: "undefined" },
    ]);
  });
});
