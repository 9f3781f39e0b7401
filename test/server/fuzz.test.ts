/**
 * Hostile input over the HTTP API, generated: deep nesting, prototype keys, huge fields, bad
 * encodings, garbled gzip, odd methods and paths, slow bodies. Whatever arrives, the server answers
 * with a 4xx or 2xx (never a 500), keeps answering `/healthz`, pollutes no prototype, and its memory
 * stays bounded.
 */
import { connect } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, startTestServer, WRITE_KEY } from "./start-test-server.js";

type Running = Awaited<ReturnType<typeof startTestServer>>;
let app: Running;
const LIMIT = 64 * 1024;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

beforeAll(async () => {
  app = await startTestServer({
    server: {
      port: 0,
      host: "127.0.0.1",
      maxBodyBytes: LIMIT,
      bodyTimeoutMs: 500,
      webhookHeader: { name: "X-Cartback-Key", value: "hook-secret" },
    },
  });
});
afterAll(async () => {
  await app.stop();
});

const PROTO_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];

const path = fc.oneof(
  fc.constantFrom(
    "/v1/batch",
    "/v1/track",
    "/v1/identify",
    "/v1/alias",
    "/webhooks/rudderstack",
    "/webhooks/twilio",
    "/webhooks/mailerlite",
    "/r/abc.def",
    "/metrics",
    "/report",
    "/",
  ),
  fc.constantFrom(...PROTO_KEYS).map((key) => `/v1/${key}`),
  fc.constantFrom(...PROTO_KEYS).map((key) => `/webhooks/${key}`),
  fc.constantFrom(...PROTO_KEYS).map((key) => `/r/${key}`),
  fc.webPath().map((p) => (p.startsWith("/") ? p : `/${p}`)),
);

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` deep around `inner` */
const nested = (depth: number, object: boolean, inner: string) =>
  object
    ? `${'{"a":'.repeat(depth)}${inner}${"}".repeat(depth)}`
    : `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;

const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom("2099-01-01T00:00:00Z", "+099999-01-01T00:00:00Z", "not a date", "", "\u0000", "\r\n"),
);

/** a RudderStack-shaped message whose fields are anything */
const message = fc.record(
  {
    type: fc.oneof(fc.constantFrom("track", "identify", "alias", "page", "group"), scalar),
    event: fc.oneof(fc.constantFrom("Product Added", "Checkout Started", "Order Completed"), scalar),
    messageId: fc.oneof(fc.uuid(), scalar),
    userId: fc.oneof(fc.string({ maxLength: 12 }), scalar),
    anonymousId: scalar,
    timestamp: scalar,
    properties: fc.oneof(
      fc.record(
        {
          cart_id: scalar,
          checkout_url: fc.oneof(fc.webUrl(), scalar, fc.constant("javascript:alert(1)")),
          products: fc.array(fc.dictionary(fc.string({ maxLength: 8 }), scalar), { maxLength: 4 }),
          price: scalar,
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 4 }),
    ),
    traits: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), scalar), fc.jsonValue({ maxDepth: 3 })),
    context: fc.jsonValue({ maxDepth: 3 }),
  },
  { requiredKeys: [] },
);

/** text bodies: JSON of every shape and JSON that is not */
const textBody = fc.oneof(
  message.map((m) => JSON.stringify({ batch: [m] })),
  fc.array(message, { maxLength: 5 }).map((batch) => JSON.stringify({ batch })),
  message.map((m) => JSON.stringify(m)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  // prototype keys at the top, in a message and in its properties
  fc
    .constantFrom(...PROTO_KEYS)
    .map(
      (key) =>
        `{"${key}":{"polluted":1},"batch":[{"type":"track","event":"Product Added","userId":"u-${key}","${key}":{"polluted":1},"properties":{"${key}":{"polluted":1},"cart_id":"c"}}]}`,
    ),
  // deep nesting, alone and inside a message
  fc
    .tuple(fc.integer({ min: 100, max: 30_000 }), fc.boolean())
    .map(([depth, object]) => nested(depth, object, "1")),
  fc
    .tuple(fc.integer({ min: 100, max: 10_000 }), fc.boolean())
    .map(
      ([depth, object]) =>
        `{"batch":[{"type":"track","event":"Product Added","userId":"deep","properties":{"cart_id":"c","x":${nested(depth, object, '"y"')}}}]}`,
    ),
  // huge fields, just under and over the limit
  fc
    .tuple(
      fc.constantFrom("userId", "event", "anonymousId", "messageId"),
      fc.integer({ min: 1_000, max: LIMIT + 1_000 }),
    )
    .map(
      ([field, size]) =>
        `{"batch":[{"type":"track","event":"Product Added","${field}":"${"x".repeat(size)}"}]}`,
    ),
  fc.string({ maxLength: 200 }),
  fc.constantFrom("", "null", "[]", "{}", '{"batch":null}', '{"batch":{}}', '{"batch":[1,2,3]}', "\ufeff{}"),
);

interface Body {
  bytes: Uint8Array;
  headers: Record<string, string>;
}

const encoder = new TextEncoder();
const body: fc.Arbitrary<Body> = fc.oneof(
  textBody.map((text) => ({ bytes: encoder.encode(text), headers: { "content-type": "application/json" } })),
  textBody.map((text) => ({ bytes: gzipSync(text), headers: { "content-encoding": "gzip" } })),
  // gzip cut short, gzip of garbage, a bomb, encodings nobody supports
  textBody.map((text) => ({
    bytes: gzipSync(text).subarray(0, 12),
    headers: { "content-encoding": "gzip" },
  })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ bytes, headers: { "content-encoding": "gzip" } })),
  fc.constant({ bytes: gzipSync(" ".repeat(4 * 1024 * 1024)), headers: { "content-encoding": "gzip" } }),
  fc
    .tuple(textBody, fc.constantFrom("br", "deflate", "gzip, gzip", "x-unknown", " "))
    .map(([text, encoding]) => ({ bytes: encoder.encode(text), headers: { "content-encoding": encoding } })),
  // bytes that are not UTF-8, and UTF-16
  fc.uint8Array({ maxLength: 500 }).map((bytes) => ({ bytes, headers: {} })),
  textBody.map((text) => ({
    bytes: new Uint8Array(Buffer.from(text, "utf16le")),
    headers: { "content-type": "application/json; charset=utf-16" },
  })),
  fc.constant({ bytes: new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]), headers: {} }),
);

const auth = fc.oneof(
  fc.constant(basic(WRITE_KEY)),
  fc.constant(basic("wrong")),
  fc.constant("Basic !!!not-base64"),
  fc.constant(`Basic ${Buffer.from([0xff, 0xfe, 0x3a]).toString("base64")}`),
  fc.constant("Bearer x"),
  fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
  fc.constant(""),
);

const request = fc.record({
  method: fc.constantFrom("POST", "POST", "POST", "GET", "PUT", "DELETE", "OPTIONS", "PATCH"),
  path,
  body,
  auth,
  extra: fc.dictionary(
    fc.constantFrom("x-cartback-key", "signature", "x-twilio-signature", "origin", "anonymousid"),
    fc.string({ maxLength: 30 }).map((s) => s.replace(/[^\x20-\x7e]/g, "")),
    { maxKeys: 2 },
  ),
});

describe("the HTTP API under generated hostile input", () => {
  it("answers every request without a 500, stays healthy and bounded", async () => {
    const statuses = new Map<number, number>();
    // warm up, then measure the heap around the run
    await fetch(`${app.url}/healthz`);
    const heapBefore = heapAfterGc();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const hasBody = r.method !== "GET";
        const response = await fetch(`${app.url}${r.path}`, {
          method: r.method,
          headers: { ...r.extra, ...r.body.headers, ...(r.auth ? { authorization: r.auth } : {}) },
          ...(hasBody ? { body: r.body.bytes as Uint8Array<ArrayBuffer> } : {}),
          redirect: "manual",
        });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, `${r.method} ${r.path}`).toBeLessThan(500);
      }),
      { numRuns: 400, seed: 20261205 },
    );
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    // each status seen: the run exercised acceptance and every kind of refusal
    for (const status of [200, 400, 401, 404, 413])
      expect(statuses.get(status), String(status)).toBeGreaterThan(0);
    const grown = heapAfterGc() - heapBefore;
    // what 400 requests may leave behind: the profiles they created, not their bodies
    expect(grown).toBeLessThan(40 * 1024 * 1024);
  }, 300_000);

  it("answers slow bodies 408 and unauthenticated ones at once, while others are served", async () => {
    const slow = Array.from({ length: 20 }, (_, i) => {
      const socket = connect(app.server.port, "127.0.0.1");
      const authed = i % 2 === 0;
      const answer = new Promise<string>((resolve) => {
        let text = "";
        socket.on("data", (chunk) => {
          text += chunk.toString();
        });
        socket.on("close", () => resolve(text));
        socket.on("error", () => resolve(text));
      });
      socket.write(
        `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(authed ? WRITE_KEY : "nope")}\r\nContent-Length: ${LIMIT}\r\n\r\n`,
      );
      socket.write("{".repeat(1_000));
      return { authed, answer };
    });
    // while they stall, the server still answers
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    for (const { authed, answer } of slow) {
      const text = await answer;
      expect(text.slice(0, 12)).toBe(authed ? "HTTP/1.1 408" : "HTTP/1.1 401");
    }
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });
});
