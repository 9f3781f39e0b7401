/**
 * Runs a `fetch` handler on `node:http`: each request becomes a web `Request` (its body streamed, so
 * size limits apply before it is buffered) and the `Response` is written back.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { heldResponseText, holdRequestBody, tooLargeMessage } from "./body.js";

export interface ServeNodeOptions {
  /** default 3000; 0 picks a free port */
  port?: number;
  /** default `0.0.0.0` */
  host?: string;
  /** told about a request the adapter itself could not handle */
  onError?: (error: unknown) => void;
  /**
   * when set, the adapter reads each request body itself, up to this many bytes, and hands the
   * handler a request with the body in memory, which costs far less than a stream adapted from
   * `node:http`; a longer body is answered 413 here and never held. Without it the body is streamed.
   */
  maxBodyBytes?: number;
}

export interface NodeServer {
  /** e.g. `http://127.0.0.1:3000` */
  url: string;
  port: number;
  server: Server;
  /** stops accepting connections and resolves once open requests have finished */
  close(): Promise<void>;
}

/** GET and HEAD requests carry no body */
function carriesBody(req: IncomingMessage): boolean {
  return req.method !== undefined && req.method !== "GET" && req.method !== "HEAD";
}

function toRequest(req: IncomingMessage, origin: string, body?: Buffer): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const init: RequestInit & { duplex?: "half" } = { method: req.method ?? "GET", headers };
  const bodied = carriesBody(req);
  if (bodied && body !== undefined) init.body = body;
  else if (bodied) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = "half";
  }
  const request = new Request(new URL(req.url ?? "/", origin), init);
  // the handler reads a buffered body as it is (see body.ts), not through the request's stream
  return bodied && body !== undefined ? holdRequestBody(request, body) : request;
}

/**
 * the whole body, or null past `limit` bytes: then the rest is read and dropped, so the client gets
 * the answer rather than a connection reset, and nothing past the limit is kept
 */
function readNodeBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.once("end", () => resolve(size > limit ? null : Buffer.concat(chunks, size)));
    req.once("error", reject);
  });
}

function tooLarge(res: ServerResponse, limit: number): void {
  res
    .writeHead(413, { "content-type": "application/json" })
    .end(JSON.stringify({ error: tooLargeMessage(limit) }));
}

async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const text = heldResponseText(response);
  if (text !== undefined) {
    res.end(text);
    return;
  }
  const body = Buffer.from(await response.arrayBuffer());
  res.end(body);
}

/**
 * Serves `handler` and resolves once it listens.
 *
 * @example
 * const { url, close } = await serveNode(createHandler({ engine, store, config, logger }), { port: 3000 });
 */
export async function serveNode(
  handler: (request: Request) => Promise<Response>,
  options: ServeNodeOptions = {},
): Promise<NodeServer> {
  const host = options.host ?? "0.0.0.0";
  const limit = options.maxBodyBytes;
  const server = createServer((req, res) => {
    const origin = `http://${req.headers.host ?? `${host}:${(server.address() as AddressInfo).port}`}`;
    const dispatch = (body?: Buffer) => {
      let request: Request;
      try {
        request = toRequest(req, origin, body);
      } catch (error) {
        options.onError?.(error);
        res.writeHead(400, { "content-type": "application/json" }).end('{"error":"malformed request"}');
        return;
      }
      handler(request)
        .then((response) => writeResponse(response, res))
        .catch((error: unknown) => {
          options.onError?.(error);
          if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
          res.end('{"error":"internal error"}');
        });
    };
    if (limit === undefined || !carriesBody(req)) {
      dispatch();
      return;
    }
    // a declared length past the limit is refused before anything is read, as the handler would
    if (Number(req.headers["content-length"] ?? 0) > limit) {
      tooLarge(res, limit);
      req.resume();
      return;
    }
    readNodeBody(req, limit).then(
      (body) => (body === null ? tooLarge(res, limit) : dispatch(body)),
      (error: unknown) => {
        options.onError?.(error);
        if (!res.headersSent) res.writeHead(400, { "content-type": "application/json" });
        res.end('{"error":"the request body could not be read"}');
      },
    );
  });
  // a client that goes away mid-request must not take the process down
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
