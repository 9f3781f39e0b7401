import { request as httpRequest } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type NodeServer, serveNode } from "../../src/server/node.js";

/** a handler that says how many body bytes it received */
const echo = async (request: Request) =>
  Response.json({ bytes: request.body ? (await request.arrayBuffer()).byteLength : 0 });

/** POSTs `chunks` with chunked transfer encoding (no Content-Length): the size shows only as it arrives */
function postChunked(url: string, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("the node:http adapter", () => {
  let server: NodeServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const limit of [undefined, 1_000]) {
    const mode = limit === undefined ? "streamed" : "read by the adapter";
    it(`hands the handler the whole body (${mode})`, async () => {
      server = await serveNode(echo, {
        port: 0,
        host: "127.0.0.1",
        ...(limit ? { maxBodyBytes: limit } : {}),
      });
      const response = await fetch(`${server.url}/v1/batch`, { method: "POST", body: "x".repeat(900) });
      expect(await response.json()).toEqual({ bytes: 900 });
      expect(await postChunked(`${server.url}/v1/batch`, ["a".repeat(400), "b".repeat(500)])).toEqual({
        status: 200,
        body: '{"bytes":900}',
      });
    });
  }

  it("answers 413 past maxBodyBytes: a declared length before the handler runs, a longer stream when read", async () => {
    let calls = 0;
    server = await serveNode(
      async (request) => {
        calls++;
        return echo(request);
      },
      { port: 0, host: "127.0.0.1", maxBodyBytes: 1_000 },
    );
    const declared = await fetch(`${server.url}/v1/batch`, { method: "POST", body: "x".repeat(1_001) });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: "the body is larger than the limit of 1000 bytes" });
    expect(calls).toBe(0);
    const chunked = await postChunked(`${server.url}/v1/batch`, ["a".repeat(600), "b".repeat(600)]);
    expect(chunked).toEqual({
      status: 413,
      body: '{"error":"the body is larger than the limit of 1000 bytes"}',
    });
    // the connection stays usable for the next request
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
