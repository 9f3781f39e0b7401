/**
 * Runs a `fetch` handler on `node:http`. Each request becomes a web `Request` whose body is a stream
 * over the socket that starts reading only when the handler asks for it, so a handler that checks
 * credentials from the headers first answers an unauthenticated request without taking its body. The
 * adapter bounds what a body may cost: its size (`maxBodyBytes`, 413) and the time it may take to
 * arrive (`bodyTimeoutMs`, 408). A connection whose body was not read is closed after the answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tooLargeMessage } from "./body.js";
import { HttpError } from "./http-error.js";

export interface ServeNodeOptions {
  /** default 3000; 0 picks a free port */
  port?: number;
  /** default `127.0.0.1` (this machine only); `0.0.0.0` or `::` listens on every interface */
  host?: string;
  /** told about a request the adapter itself could not handle */
  onError?: (error: unknown) => void;
  /**
   * the largest body the adapter passes on, in bytes: a declared longer one is answered 413 before the
   * handler is called, and one that turns out longer on the wire fails the handler's read with 413
   */
  maxBodyBytes?: number;
  /** how long a request body may take to arrive once its headers are in, default 10 s; then 408 */
  bodyTimeoutMs?: number;
}

export interface NodeServer {
  /** where to reach it from this machine, e.g. `http://127.0.0.1:3000` */
  url: string;
  /** the address it listens on, as `server.address()` gives it, e.g. `0.0.0.0:3000` or `[::1]:3000` */
  address: string;
  port: number;
  server: Server;
  /** stops accepting connections and resolves once open requests have finished */
  close(): Promise<void>;
}

export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** GET and HEAD requests carry no body */
function carriesBody(req: IncomingMessage): boolean {
  return req.method !== undefined && req.method !== "GET" && req.method !== "HEAD";
}

/** the state of one request's body, shared by its stream and the adapter */
interface BodyState {
  /** the handler asked for the body */
  started: boolean;
  /** why the body failed: too large, too slow, or the client went away */
  failure: HttpError | null;
  fail(error: HttpError): void;
}

/**
 * a byte stream over `req` that reads nothing until the first pull, pauses the socket while the
 * handler is busy, and fails with 413 past `limit` bytes
 */
function bodyStream(
  req: IncomingMessage,
  state: BodyState,
  limit: number | undefined,
  report: ((error: unknown) => void) | undefined,
): ReadableStream<Uint8Array> {
  let size = 0;
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let open = true;
  const onData = (chunk: Buffer) => {
    if (!open || !controller) return;
    size += chunk.byteLength;
    if (limit !== undefined && size > limit) {
      state.fail(new HttpError(413, tooLargeMessage(limit)));
      return;
    }
    controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if ((controller.desiredSize ?? 0) <= 0) req.pause();
  };
  const onEnd = () => {
    if (!open) return;
    open = false;
    controller?.close();
  };
  // a client that went away mid-body is told to the server's log (at info: routine on the internet)
  const onError = (error: Error) => {
    report?.(error);
    state.fail(new HttpError(400, "the request body could not be read"));
  };
  const stop = () => {
    open = false;
    req.off("data", onData);
    req.off("end", onEnd);
    req.off("error", onError);
  };
  state.fail = (error) => {
    if (state.failure) return;
    state.failure = error;
    if (open) {
      stop();
      controller?.error(error);
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      pull(c) {
        if (!state.started) {
          state.started = true;
          controller = c;
          if (state.failure) {
            c.error(state.failure);
            return;
          }
          req.on("data", onData);
          req.once("end", onEnd);
          req.once("error", onError);
        }
        req.resume();
      },
      cancel() {
        stop();
      },
    },
    { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength },
  );
}

function toRequest(req: IncomingMessage, origin: string, body: ReadableStream<Uint8Array> | null): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const init: RequestInit & { duplex?: "half" } = { method: req.method ?? "GET", headers };
  if (body) {
    init.body = body;
    init.duplex = "half";
  }
  return new Request(new URL(req.url ?? "/", origin), init);
}

function answer(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return;
  res
    .writeHead(status, { "content-type": "application/json", connection: "close" })
    .end(JSON.stringify({ error: message }));
}

async function writeResponse(response: Response, res: ServerResponse, closeAfter: boolean): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  if (closeAfter) headers.connection = "close";
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!res.write(value)) await new Promise((resolve) => res.once("drain", resolve));
  }
  res.end();
}

/** `host:port` of a listening server, IPv6 in brackets */
function addressOf(info: AddressInfo): string {
  return info.family === "IPv6" || info.address.includes(":")
    ? `[${info.address}]:${info.port}`
    : `${info.address}:${info.port}`;
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
  const host = options.host ?? "127.0.0.1";
  const limit = options.maxBodyBytes;
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  const server = createServer((req, res) => {
    const origin = `http://${req.headers.host ?? `${host}:${(server.address() as AddressInfo).port}`}`;
    const bodied = carriesBody(req);
    // a declared length past the limit is refused before anything is read, as the handler would
    if (bodied && limit !== undefined && Number(req.headers["content-length"] ?? 0) > limit) {
      answer(res, 413, tooLargeMessage(limit));
      return;
    }
    const state: BodyState = { started: false, failure: null, fail: () => {} };
    let body: ReadableStream<Uint8Array> | null = null;
    let timer: NodeJS.Timeout | undefined;
    if (bodied) {
      body = bodyStream(req, state, limit, options.onError);
      if (!req.complete) {
        timer = setTimeout(() => {
          // the body is late: answer 408 if nothing was answered yet, and let the connection go
          state.fail(new HttpError(408, `the body did not arrive within ${bodyTimeoutMs} ms`));
          if (!res.headersSent) answer(res, 408, `the body did not arrive within ${bodyTimeoutMs} ms`);
          else if (res.writableFinished) req.socket.destroy();
        }, bodyTimeoutMs);
        timer.unref();
        const clear = () => clearTimeout(timer);
        req.once("end", clear);
        res.once("close", () => {
          if (req.complete) clear();
        });
      }
    }
    let request: Request;
    try {
      request = toRequest(req, origin, body);
    } catch (error) {
      clearTimeout(timer);
      options.onError?.(error);
      answer(res, 400, "malformed request");
      return;
    }
    handler(request)
      .then((response) => {
        if (res.headersSent) return;
        // a body that was not (entirely) read is not read after the answer: the connection closes
        return writeResponse(response, res, bodied && !req.complete);
      })
      .catch((error: unknown) => {
        if (state.failure) return answer(res, state.failure.status, state.failure.message);
        options.onError?.(error);
        if (!res.headersSent) answer(res, 500, "internal error");
        else res.destroy();
      });
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
  const info = server.address() as AddressInfo;
  const everywhere = info.address === "0.0.0.0" || info.address === "::";
  const reachable = everywhere
    ? "127.0.0.1"
    : info.address.includes(":")
      ? `[${info.address}]`
      : info.address;
  return {
    url: `http://${reachable}:${info.port}`,
    address: addressOf(info),
    port: info.port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
