/**
 * Runs a built transformation the way RudderStack's transformer (rudder-transformer v1.145.0) does:
 * for every batch a NEW isolated-vm isolate (128 MB) compiles the file as an ES module and evaluates
 * it, a wrapper appended to it calls `transformEvent` per event or `transformBatch` once, matches
 * outputs to metadata by `messageId` and reports a throw as an error for that event; then the isolate
 * is thrown away, so nothing survives from one batch to the next and module evaluation is paid on
 * every batch. The isolate holds the JavaScript built-ins plus exactly `log`, `console`, `fetch`,
 * `fetchV2`, `getCredential` and `geolocation`; `getCredential` reads the map the executor builds
 * from the FIRST event's `credentials`; `log` can be left out, as the executor's optional isolate
 * cache (`USE_IVM_CACHE=true`) leaves it out from the second batch on. Imports fail; evaluation and
 * each call are limited to 4 s of synchronous work.
 */
import ivm from "isolated-vm";

/** one credential as the router attaches it to each event */
export interface SandboxCredential {
  key: string;
  value: string;
  isSecret?: boolean;
}

export interface SandboxEvent {
  message: Record<string, unknown>;
  metadata: Record<string, unknown>;
  credentials?: SandboxCredential[];
}

export type SandboxOutput =
  | { transformedEvent: Record<string, unknown>; metadata: Record<string, unknown>; error?: undefined }
  | { error: string; metadata: Record<string, unknown>; transformedEvent?: undefined };

/**
 * whether the isolate has `log`: always (the executor's default), never, or only in the first batch
 * (the executor with `USE_IVM_CACHE=true`)
 */
export type LogGlobal = "present" | "absent" | "first-batch";

export interface SandboxOptions {
  /** attached to every event of a batch that carries none, as the router attaches the workspace's credentials */
  credentials?: Record<string, string>;
  /** answers `fetch`/`fetchV2`; default: every request fails like an unreachable host */
  fetch?: (url: string, init: Record<string, unknown>) => Promise<{ status: number; body: unknown }>;
  timeoutMs?: number;
  memoryMb?: number;
  log?: LogGlobal;
}

export interface Sandbox {
  readonly type: "transformEvent" | "transformBatch";
  /** one batch, as the transformer receives it from the router: a fresh isolate compiles and runs it */
  run(events: SandboxEvent[]): Promise<SandboxOutput[]>;
  /** what `log` and `console` printed, newest last, over every batch */
  readonly logs: string[];
  /** batches run so far */
  readonly batches: number;
  dispose(): void;
}

export class SandboxError extends Error {}

// the names RudderStack's wrapper owns
const RESERVED = /\b(?:function|const|let|var|class)\s+(transformWrapper|extractStackTrace)\b/;

const BOOTSTRAP = `
(() => {
  const ivm = globalThis._ivm, hostLog = globalThis._log, hostFetch = globalThis._fetch,
    hostCredential = globalThis._getCredential, withLog = globalThis._withLog;
  for (const name of ["_ivm", "_log", "_fetch", "_getCredential", "_withLog"]) delete globalThis[name];
  const format = (args) => args.map((a) => typeof a === "string" ? a : a === undefined ? "undefined" : JSON.stringify(a)).join(" ");
  const log = (...args) => { hostLog.applyIgnored(undefined, [format(args)]); };
  const request = (kind, url, options) => new Promise((resolve, reject) => {
    hostFetch.applyIgnored(undefined, [kind, String(url), JSON.stringify(options ?? {}),
      new ivm.Reference((json) => resolve(JSON.parse(json))),
      new ivm.Reference((message) => reject(new Error(message)))]);
  });
  if (withLog) Object.defineProperty(globalThis, "log", { value: log, writable: true, configurable: true });
  Object.defineProperties(globalThis, {
    console: { value: { log, info: log, warn: log, error: log, debug: log }, writable: true, configurable: true },
    fetch: { value: (url, options) => request("fetch", url, options), writable: true, configurable: true },
    fetchV2: { value: (url, options) => request("fetchV2", url, options), writable: true, configurable: true },
    getCredential: {
      value: (key) => {
        if (typeof key !== "string") throw new TypeError("Key should be valid and defined");
        return hostCredential.applySync(undefined, [key]);
      },
      writable: true, configurable: true,
    },
    geolocation: { value: async () => { throw new Error("geolocation is not available in this sandbox"); }, writable: true, configurable: true },
  });
})();
`;

const WRAPPER = `
export async function transformWrapper(payloadJson) {
  const payload = JSON.parse(payloadJson);
  const events = payload.events;
  const byId = {};
  for (const ev of events) byId[ev.message.messageId] = ev.metadata;
  const metadata = (event) => (event && byId[event.messageId]) || {};
  const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
  const describe = (error) => (error && error.stack) ? String(error.stack) : String(error);
  const out = [];
  if (payload.type === "transformBatch") {
    let result;
    try {
      result = await transformBatch(events.map((ev) => ev.message), metadata);
    } catch (error) {
      return JSON.stringify([{ error: describe(error), metadata: {} }]);
    }
    if (!Array.isArray(result)) {
      return JSON.stringify([{ error: "returned events from transformBatch(event) is not an array", metadata: {} }]);
    }
    for (const ev of result) {
      if (!isObject(ev)) out.push({ error: "returned event in events array from transformBatch(events) is not an object", metadata: {} });
      else out.push({ transformedEvent: ev, metadata: metadata(ev) });
    }
    return JSON.stringify(out);
  }
  await Promise.all(events.map(async (ev) => {
    const meta = byId[ev.message.messageId] || {};
    try {
      const result = await transformEvent(ev.message, metadata);
      if (result === null || result === undefined) return;
      if (Array.isArray(result)) {
        const produced = [];
        for (const item of result) {
          if (!isObject(item)) {
            out.push({ error: "returned event in events array from transformEvent(event) is not an object", metadata: meta });
            return;
          }
          produced.push({ transformedEvent: item, metadata: meta });
        }
        out.push(...produced);
        return;
      }
      if (!isObject(result)) {
        out.push({ error: "returned event from transformEvent(event) is not an object", metadata: meta });
        return;
      }
      out.push({ transformedEvent: result, metadata: meta });
    } catch (error) {
      out.push({ error: describe(error), metadata: meta });
    }
  }));
  return JSON.stringify(out);
}
`;

const PRIVATE_HOST = /^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|\[::1\]|0\.0\.0\.0)/;

interface Loaded {
  isolate: ivm.Isolate;
  module: ivm.Module;
  type: "transformEvent" | "transformBatch";
}

/** a new isolate with the executor's globals, the module compiled and evaluated in it */
async function load(
  code: string,
  options: SandboxOptions,
  withLog: boolean,
  credentials: Record<string, string>,
  logs: string[],
): Promise<Loaded> {
  const timeout = options.timeoutMs ?? 4000;
  const isolate = new ivm.Isolate({ memoryLimit: options.memoryMb ?? 128 });
  try {
    const context = await isolate.createContext();
    const jail = context.global;
    await jail.set("_ivm", ivm);
    await jail.set("_withLog", withLog);
    await jail.set("_log", new ivm.Reference((line: string) => logs.push(line)));
    await jail.set(
      "_getCredential",
      new ivm.Reference((key: string) => (Object.hasOwn(credentials, key) ? credentials[key] : undefined)),
    );
    await jail.set(
      "_fetch",
      new ivm.Reference(
        (kind: string, url: string, init: string, resolve: ivm.Reference, reject: ivm.Reference) => {
          void answerFetch(kind, url, JSON.parse(init), options).then(
            (value) => resolve.applyIgnored(undefined, [JSON.stringify(value)]),
            (error: Error) => reject.applyIgnored(undefined, [error.message]),
          );
        },
      ),
    );
    await context.eval(BOOTSTRAP, { timeout });
    const module = await isolate.compileModule(`${code}\n${WRAPPER}`, { filename: "transformation.js" });
    await module.instantiate(context, (specifier) => {
      throw new SandboxError(
        `import of "${specifier}" is not allowed: a transformation is one file with no imports`,
      );
    });
    await module.evaluate({ timeout });
    const exported = await Promise.all(
      ["transformEvent", "transformBatch"].map(
        async (name) => (await module.namespace.get(name)) !== undefined,
      ),
    );
    if (exported[0] === exported[1]) throw new SandboxError("Expected one of transformEvent,transformBatch");
    return { isolate, module, type: exported[0] ? "transformEvent" : "transformBatch" };
  } catch (error) {
    if (!isolate.isDisposed) isolate.dispose();
    throw error;
  }
}

/** the executor's credential map: built from the first event of the batch only */
function credentialMap(events: readonly SandboxEvent[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const credential of events[0]?.credentials ?? []) map[credential.key] = credential.value;
  return map;
}

/**
 * Checks `code` loads as RudderStack would load it (one entry function, no imports, no reserved
 * names) and returns a sandbox whose every batch runs in a new isolate.
 */
export async function createSandbox(code: string, options: SandboxOptions = {}): Promise<Sandbox> {
  const reserved = RESERVED.exec(code);
  if (reserved)
    throw new SandboxError(`${reserved[1]} is reserved by the transformer and must not be declared`);
  const logs: string[] = [];
  const probe = await load(code, options, true, {}, []);
  probe.isolate.dispose();
  const type = probe.type;
  const attached: SandboxCredential[] | undefined = options.credentials
    ? Object.entries(options.credentials).map(([key, value]) => ({ key, value, isSecret: true }))
    : undefined;
  const logMode = options.log ?? "present";
  let batches = 0;
  let disposed = false;
  return {
    type,
    logs,
    get batches() {
      return batches;
    },
    async run(events) {
      if (disposed) throw new SandboxError("the sandbox was disposed");
      const withCredentials = attached
        ? events.map((e) => (e.credentials ? e : { ...e, credentials: attached }))
        : events;
      const withLog = logMode === "present" || (logMode === "first-batch" && batches === 0);
      batches++;
      const { isolate, module } = await load(code, options, withLog, credentialMap(withCredentials), logs);
      try {
        const wrapper = (await module.namespace.get("transformWrapper", {
          reference: true,
        })) as ivm.Reference;
        const payload = events.map(({ message, metadata }) => ({ message, metadata }));
        const json = (await wrapper.apply(undefined, [JSON.stringify({ type, events: payload })], {
          timeout: options.timeoutMs ?? 4000,
          result: { promise: true, copy: true },
        })) as string;
        return JSON.parse(json) as SandboxOutput[];
      } finally {
        if (!isolate.isDisposed) isolate.dispose();
      }
    },
    dispose() {
      disposed = true;
    },
  };
}

async function answerFetch(
  kind: string,
  url: string,
  init: Record<string, unknown>,
  options: SandboxOptions,
): Promise<unknown> {
  let host = "";
  try {
    host = new URL(url).host;
  } catch {
    if (kind === "fetchV2") throw new Error(`invalid url: ${url}`);
    return "ERROR";
  }
  if (PRIVATE_HOST.test(host) || !options.fetch) {
    if (kind === "fetchV2") throw new Error(`request to ${host} is not allowed`);
    return "ERROR";
  }
  const response = await options.fetch(url, init);
  return kind === "fetch"
    ? response.body
    : { url, status: response.status, headers: {}, body: response.body };
}

/** RudderStack's event metadata for a message, as the router fills it */
export function metadataFor(
  message: Record<string, unknown>,
  destinationType = "WEBHOOK",
): Record<string, unknown> {
  return {
    sourceId: "src-1",
    sourceType: "HTTP",
    destinationId: "dest-1",
    destinationType,
    workspaceId: "ws-1",
    transformationId: "tr-1",
    messageId: message.messageId,
    eventName: message.event,
    eventType: message.type,
  };
}

/** wraps messages as the transformer receives them */
export function asEvents(messages: Record<string, unknown>[], destinationType?: string): SandboxEvent[] {
  return messages.map((message) => ({ message, metadata: metadataFor(message, destinationType) }));
}
