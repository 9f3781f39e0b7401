/**
 * The common core of every local API emulator: a plain `node:http` server on 127.0.0.1 that logs each
 * request, serves the inspection API under `/_emulator/*` and injects faults (error rate, latency,
 * outage window) before the API handler runs. Test and demo infrastructure, not a real service.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** one parsed request as an API handler sees it */
export interface EmulatorCall {
  method: string;
  /** path without the query string, e.g. `/api/subscribers` */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** JSON or form bodies parsed (repeated form keys become arrays); otherwise the raw text */
  body: unknown;
  rawBody: string;
  /** epoch ms when the request arrived */
  receivedAt: number;
}

/** what an API handler answers; `body` is sent as JSON unless it is a string */
export interface EmulatorReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type EmulatorHandler = (call: EmulatorCall) => EmulatorReply | Promise<EmulatorReply>;

/** one entry of the request log, as `GET /_emulator/requests` returns it */
export interface LoggedRequest {
  id: number;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: unknown;
  status: number;
  response: unknown;
  /** ISO time the request arrived */
  time: string;
  durationMs: number;
  /** set when the reply came from fault injection rather than the API (`reset`: carried out, then cut) */
  fault?: "error" | "outage" | "reset";
}

export interface FaultSettings {
  /** share of API requests (0..1) answered with `errorStatus` instead of the real reply */
  errorRate?: number;
  /** status for injected errors; 500 unless set */
  errorStatus?: number;
  /** delay before the API handles a request: one held past the client's timeout is still carried out */
  latencyMs?: number;
  /** share of API requests (0..1) that get `latencyMs`; all of them unless set */
  latencyRate?: number;
  /**
   * share of API requests (0..1) carried out and then answered by cutting the connection: the client
   * sees a reset and cannot know that the request went through
   */
  resetRate?: number;
  /** faults touch only the requests this matches (method, path or `prefix*`); every request unless set */
  match?: RequestFilter;
  /** every API request inside this window (epoch ms or ISO times) gets 503 */
  outage?: { from: number | string; to: number | string } | null;
  /** seed of the random draws behind `errorRate`, so failures are reproducible; 1 unless set */
  seed?: number;
}

export interface RequestFilter {
  method?: string;
  /** exact path, or a prefix when it ends with `*` */
  path?: string;
}

export interface EmulatorServerOptions {
  name: string;
  handler: EmulatorHandler;
  /** 0 (default) picks a free port */
  port?: number;
  /** the API's own error body for an injected status (e.g. Twilio's `{code, message, …}`) */
  faultBody?: (status: number) => unknown;
  /** clears the API's in-memory state on reset */
  onReset?: () => void;
  /** extra inspection routes under `/_emulator/`, e.g. Twilio's inbound reply simulation */
  inspectionRoutes?: (call: EmulatorCall) => EmulatorReply | undefined | Promise<EmulatorReply | undefined>;
  /** the log keeps this many latest requests; 10,000 unless set */
  maxLogEntries?: number;
  /** clock for the log and outage windows; Date.now unless set */
  now?: () => number;
}

/** a running emulator: its base URL, its log and its fault switches */
export interface EmulatorServer {
  readonly name: string;
  /** e.g. `http://127.0.0.1:41234` (no trailing slash) */
  readonly url: string;
  readonly port: number;
  /** logged API requests, oldest first (inspection routes are not logged) */
  requests(filter?: RequestFilter): LoggedRequest[];
  clearRequests(): void;
  setFaults(faults: FaultSettings): void;
  faults(): FaultSettings;
  /** clears the log, the faults and the API's state */
  reset(): void;
  stop(): Promise<void>;
}

const INSPECTION_PREFIX = "/_emulator/";

/** starts an emulator server on 127.0.0.1 and resolves once it listens */
export async function startEmulatorServer(options: EmulatorServerOptions): Promise<EmulatorServer> {
  const now = options.now ?? Date.now;
  const log: LoggedRequest[] = [];
  const maxLog = options.maxLogEntries ?? 10_000;
  let nextId = 1;
  let faults: FaultSettings = {};
  let random = createRandom(1);

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) send(res, { status: 500, body: { message: `emulator error: ${message}` } });
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = now();
    const call = await readCall(req, receivedAt);
    if (call.path.startsWith(INSPECTION_PREFIX)) {
      send(res, await inspect(call));
      return;
    }
    let reply: EmulatorReply;
    let fault: LoggedRequest["fault"];
    const faulty = matchesFilter(call, faults.match);
    const draw = (rate: number | undefined) => faulty && rate !== undefined && rate > 0 && random() < rate;
    if (faulty && faults.latencyMs && (faults.latencyRate === undefined || draw(faults.latencyRate)))
      await sleep(faults.latencyMs);
    if (faulty && insideOutage(faults, receivedAt)) {
      fault = "outage";
      reply = faultReply(503);
    } else if (draw(faults.errorRate)) {
      fault = "error";
      reply = faultReply(faults.errorStatus ?? 500);
    } else {
      reply = await options.handler(call);
      if (draw(faults.resetRate)) fault = "reset";
    }
    const entry: LoggedRequest = {
      id: nextId++,
      method: call.method,
      path: call.path,
      query: searchParamsToObject(call.query),
      headers: flattenHeaders(call.headers),
      body: call.body,
      status: reply.status,
      response: reply.body ?? null,
      time: new Date(receivedAt).toISOString(),
      durationMs: now() - receivedAt,
    };
    if (fault) entry.fault = fault;
    log.push(entry);
    // a long demo or load run must not grow without bound
    if (log.length > maxLog) log.splice(0, log.length - maxLog);
    if (fault === "reset") res.socket?.destroy();
    else send(res, reply);
  }

  function faultReply(status: number): EmulatorReply {
    const body = options.faultBody ? options.faultBody(status) : { message: `injected fault ${status}` };
    // a throttling fault carries the hint clients are meant to honour
    return status === 429 ? { status, body, headers: { "Retry-After": "1" } } : { status, body };
  }

  async function inspect(call: EmulatorCall): Promise<EmulatorReply> {
    const route = call.path.slice(INSPECTION_PREFIX.length);
    if (route === "requests" && call.method === "GET") {
      const filter: RequestFilter = {};
      const method = call.query.get("method");
      const path = call.query.get("path");
      if (method) filter.method = method;
      if (path) filter.path = path;
      return { status: 200, body: { requests: api.requests(filter) } };
    }
    if (route === "requests" && call.method === "DELETE") {
      api.clearRequests();
      return { status: 204 };
    }
    if (route === "faults" && call.method === "GET") return { status: 200, body: faults };
    if (route === "faults" && call.method === "POST") {
      const problem = checkFaults(call.body);
      if (problem) return { status: 400, body: { message: problem } };
      api.setFaults(call.body as FaultSettings);
      return { status: 200, body: faults };
    }
    if (route === "faults" && call.method === "DELETE") {
      api.setFaults({});
      return { status: 204 };
    }
    if (route === "reset" && call.method === "POST") {
      api.reset();
      return { status: 204 };
    }
    const extra = await options.inspectionRoutes?.(call);
    if (extra) return extra;
    return {
      status: 404,
      body: {
        message: `no inspection route ${call.method} ${call.path}; try GET|DELETE /_emulator/requests, GET|POST|DELETE /_emulator/faults, POST /_emulator/reset`,
      },
    };
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `${options.name} emulator: port ${options.port} on 127.0.0.1 is already in use; choose another port, or 0 for a free one`,
              { cause: error },
            )
          : error,
      );
    });
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const api: EmulatorServer = {
    name: options.name,
    url: `http://127.0.0.1:${port}`,
    port,
    requests(filter) {
      return log.filter((entry) => matchesFilter(entry, filter));
    },
    clearRequests() {
      log.length = 0;
    },
    setFaults(next) {
      const problem = checkFaults(next);
      if (problem) throw new TypeError(problem);
      faults = { ...next };
      random = createRandom(next.seed ?? 1);
    },
    faults() {
      return { ...faults };
    },
    reset() {
      log.length = 0;
      faults = {};
      random = createRandom(1);
      options.onReset?.();
    },
    stop() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return api;
}

async function readCall(req: IncomingMessage, receivedAt: number): Promise<EmulatorCall> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks).toString("utf8");
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  return {
    method: (req.method ?? "GET").toUpperCase(),
    path: decodeURIComponent(url.pathname),
    query: url.searchParams,
    headers: req.headers,
    body: parseBody(rawBody, req.headers["content-type"]),
    rawBody,
    receivedAt,
  };
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (raw === "") return null;
  const type = (contentType ?? "").toLowerCase();
  if (type.includes("application/x-www-form-urlencoded"))
    return searchParamsToObject(new URLSearchParams(raw));
  if (type.includes("json") || /^\s*[[{]/.test(raw)) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

/** form and query parameters as an object; a repeated key becomes an array */
export function searchParamsToObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of params) {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else out[key] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function send(res: ServerResponse, reply: EmulatorReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = "";
  if (reply.body !== undefined && reply.body !== null) {
    if (typeof reply.body === "string") {
      payload = reply.body;
      headers["Content-Type"] ??= "text/plain; charset=utf-8";
    } else {
      payload = JSON.stringify(reply.body);
      headers["Content-Type"] ??= "application/json";
    }
  }
  headers["Content-Length"] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

function matchesFilter(entry: { method: string; path: string }, filter: RequestFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.method && entry.method !== filter.method.toUpperCase()) return false;
  if (filter.path) {
    if (filter.path.endsWith("*")) return entry.path.startsWith(filter.path.slice(0, -1));
    return entry.path === filter.path;
  }
  return true;
}

function insideOutage(faults: FaultSettings, at: number): boolean {
  if (!faults.outage) return false;
  return at >= toEpoch(faults.outage.from) && at < toEpoch(faults.outage.to);
}

function toEpoch(value: number | string): number {
  return typeof value === "number" ? value : Date.parse(value);
}

/** says what is wrong with a fault setting, or undefined when it is fine */
function checkFaults(input: unknown): string | undefined {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return "faults must be a JSON object like { errorRate, errorStatus, latencyMs, latencyRate, resetRate, match: { method, path }, outage: { from, to }, seed }";
  }
  const f = input as Record<string, unknown>;
  const known = [
    "errorRate",
    "errorStatus",
    "latencyMs",
    "latencyRate",
    "resetRate",
    "match",
    "outage",
    "seed",
  ];
  const unknown = Object.keys(f).filter((key) => !known.includes(key));
  if (unknown.length > 0) return `unknown fault setting ${unknown.join(", ")}; known: ${known.join(", ")}`;
  for (const rate of ["errorRate", "latencyRate", "resetRate"]) {
    const value = f[rate];
    if (value !== undefined && !(typeof value === "number" && value >= 0 && value <= 1)) {
      return `${rate} must be a number from 0 to 1`;
    }
  }
  if (f.match !== undefined) {
    const match = f.match as Record<string, unknown> | null;
    if (
      typeof match !== "object" ||
      match === null ||
      Object.entries(match).some(
        ([key, value]) => !["method", "path"].includes(key) || typeof value !== "string",
      )
    ) {
      return 'match must be an object like { "method": "POST", "path": "/api/subscribers/*" }';
    }
  }
  if (
    f.errorStatus !== undefined &&
    !(Number.isInteger(f.errorStatus) && (f.errorStatus as number) >= 400 && (f.errorStatus as number) <= 599)
  ) {
    return "errorStatus must be an HTTP error status from 400 to 599";
  }
  if (f.latencyMs !== undefined && !(typeof f.latencyMs === "number" && f.latencyMs >= 0)) {
    return "latencyMs must be a number of milliseconds, 0 or more";
  }
  if (f.seed !== undefined && !Number.isInteger(f.seed)) return "seed must be an integer";
  if (f.outage !== undefined && f.outage !== null) {
    const outage = f.outage as Record<string, unknown>;
    for (const edge of ["from", "to"] as const) {
      const value = outage[edge];
      const epoch = typeof value === "number" || typeof value === "string" ? toEpoch(value) : Number.NaN;
      if (Number.isNaN(epoch)) return `outage.${edge} must be epoch milliseconds or an ISO time`;
    }
  }
  return undefined;
}

/** mulberry32: small, fast and reproducible from its seed */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
