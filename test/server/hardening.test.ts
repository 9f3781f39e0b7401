/**
 * What `cartback serve` must hold when it faces a network: bounded metrics, checked redirect targets,
 * authentication before the body is read, bounded body time, and no route for object built-ins.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckoutToken } from "../../src/core/journey/index.js";
import { createHandler } from "../../src/server/handler.js";
import { createLogger } from "../../src/server/logger.js";
import { basic, LINK_SECRET, startTestServer, WRITE_KEY } from "./start-test-server.js";

type Running = Awaited<ReturnType<typeof startTestServer>>;
let app: Running;
let seq = 0;

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${app.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: basic(WRITE_KEY), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** writes raw bytes on a new connection; resolves with what the server answered before it closed */
function raw(port: number): { socket: Socket; answer: Promise<string> } {
  const socket = connect(port, "127.0.0.1");
  const answer = new Promise<string>((resolve) => {
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      text += chunk;
    });
    socket.on("close", () => resolve(text));
    socket.on("error", () => resolve(text));
  });
  return { socket, answer };
}

/** the first response line and headers, as soon as they arrive (or "" after `ms`) */
function firstResponse(socket: Socket, ms: number): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const done = () => {
      clearTimeout(timer);
      socket.off("data", onData);
      resolve(text);
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes("\r\n\r\n")) done();
    };
    const timer = setTimeout(done, ms);
    socket.on("data", onData);
  });
}

beforeAll(async () => {
  app = await startTestServer({
    server: {
      port: 0,
      host: "127.0.0.1",
      maxBodyBytes: 64 * 1024,
      bodyTimeoutMs: 600,
      webhookHeader: { name: "X-Cartback-Key", value: "hook-secret" },
    },
  });
});
afterAll(async () => {
  await app.stop();
});

describe("/metrics", () => {
  it("labels requests by known route only, so unknown paths cannot grow it", async () => {
    // the web-standard handler itself, on the same engine and store: 20,000 requests in process
    const handler = createHandler({
      engine: app.engine,
      store: app.store,
      config: app.config,
      logger: createLogger({ level: "silent" }),
      now: () => app.clock.now(),
    });
    const metricsText = async () => (await handler(new Request("http://x/metrics"))).text();
    const before = (await metricsText()).length;
    for (let i = 0; i < 20_000; i++) {
      const path = i % 2 ? `/v1/word${i}` : i % 3 ? `/webhooks/word${i}` : `/x${i}/y`;
      const response = await handler(new Request(`http://x${path}`, { method: "POST", body: "{}" }));
      expect(response.status).toBe(404);
    }
    const text = await metricsText();
    expect(text).not.toContain("word1");
    expect(text).toContain('cartback_http_requests_total{route="other",status="404"} 20000');
    // one more label line, not 20,000
    expect(text.length - before).toBeLessThan(2_000);
  });
});

describe("checkout links: the redirect target", () => {
  async function linkFor(userId: string, checkoutUrl: string | undefined) {
    const cart = `cart-${userId}`;
    const response = await post("/v1/batch", {
      batch: [
        {
          type: "track",
          messageId: `m-${++seq}`,
          userId,
          timestamp: "2026-03-02T09:59:00Z",
          event: "Checkout Started",
          properties: {
            cart_id: cart,
            products: [{ product_id: "p1", price: 10, quantity: 1 }],
            ...(checkoutUrl === undefined ? {} : { checkout_url: checkoutUrl }),
          },
        },
      ],
    });
    expect(response.status).toBe(200);
    const report = await app.engine.showProfile(userId);
    const profileId = report?.profile.id as string;
    const cartId = report?.profile.carts[0]?.id as string;
    return createCheckoutToken(
      {
        journey: "playbook",
        profileId,
        cartId,
        step: "1:reminder:email",
        expiresAt: app.clock.now() + 60_000,
      },
      LINK_SECRET,
    );
  }

  it("redirects to a checkout URL on the shop's domain or a subdomain of it", async () => {
    for (const [i, url] of [
      "https://shop.example.com/checkout/1",
      "http://shop.example.com/checkout/2?x=1",
      "https://pay.shop.example.com/c/3",
    ].entries()) {
      const response = await fetch(`${app.url}/r/${await linkFor(`u-ok-${i}`, url)}`, { redirect: "manual" });
      expect(response.status, url).toBe(302);
      expect(response.headers.get("location")).toBe(url);
    }
  });

  it("sends a link whose cart points elsewhere to the shop, never off the shop's domains", async () => {
    const foreign = [
      "https://evil.example/steal",
      "javascript:alert(1)",
      "//evil.example/x",
      "data:text/html,<script>alert(1)</script>",
      "https://shop.example.com.evil.example/x",
      "https://evil.example/?https://shop.example.com/",
      "https://shop.example.com@evil.example/",
      "ftp://shop.example.com/x",
      "/relative/path",
    ];
    for (const [i, url] of foreign.entries()) {
      const userId = `u-foreign-${i}`;
      const response = await fetch(`${app.url}/r/${await linkFor(userId, url)}`, { redirect: "manual" });
      expect(response.status, url).toBe(302);
      expect(response.headers.get("location"), url).toBe("https://shop.example.com/cart");
      // the click still counts
      const engagement = (await app.engine.showProfile(userId))?.profile.engagement ?? [];
      expect(engagement, url).toContainEqual(expect.objectContaining({ engagement: "clicked" }));
    }
  });

  it("answers a checkout URL with a line break with the shop, not an error", async () => {
    for (const [i, url] of [
      "https://shop.example.com/x\r\nSet-Cookie: a=b",
      "https://shop.example.com/x\nLocation: https://evil.example",
    ].entries()) {
      const response = await fetch(`${app.url}/r/${await linkFor(`u-crlf-${i}`, url)}`, {
        redirect: "manual",
      });
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get("set-cookie")).toBeNull();
      expect(response.headers.get("location")).toBe("https://shop.example.com/cart");
    }
  });
});

describe("the body is read after authentication, within a time limit", () => {
  it("answers 401 from the headers, without waiting for the body", async () => {
    const { socket } = raw(app.server.port);
    const head = firstResponse(socket, 5_000);
    socket.write(
      "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n",
    );
    socket.write("{");
    const answer = await head;
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
  });

  it("closes the connection of an unauthenticated body instead of holding it", async () => {
    const { socket, answer } = raw(app.server.port);
    socket.write(
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic("wrong")}\r\nContent-Length: 60000\r\n\r\n`,
    );
    socket.write("x".repeat(1_000));
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 401 /);
  });

  it("answers 408 to an authenticated body that does not arrive in time, and stays healthy", async () => {
    const { socket, answer } = raw(app.server.port);
    socket.write(
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(WRITE_KEY)}\r\nContent-Length: 1000\r\n\r\n`,
    );
    socket.write('{"batch":[');
    // the rest never comes: the server gives up after server.bodyTimeoutMs (600 ms here)
    const text = await answer;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it("still takes a body that arrives in pieces within the limit", async () => {
    const { socket, answer } = raw(app.server.port);
    const body = JSON.stringify({ batch: [] });
    socket.write(
      `POST /v1/batch HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(WRITE_KEY)}\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.slice(0, 4));
    await new Promise((r) => setTimeout(r, 100));
    socket.write(body.slice(4));
    expect(await answer).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe("paths named like object built-ins", () => {
  it("answer 404", async () => {
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "prototype"]) {
      for (const path of [`/v1/${name}`, `/webhooks/${name}`, `/${name}`]) {
        const response = await post(path, { userId: "u-proto", event: "Product Added" });
        expect(response.status, path).toBe(404);
      }
    }
    expect(await app.engine.showProfile("u-proto")).toBeNull();
  });
});
