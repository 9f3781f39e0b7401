/**
 * Runs a built transformation the way RudderStack's transformer does: the file is compiled as an ES
 * module inside an isolated-vm isolate (128 MB), with a wrapper appended that calls `transformEvent`
 * per event or `transformBatch` once, matches outputs to metadata by `messageId`, and reports a
 * throw as an error for that event. The isolate holds the JavaScript built-ins plus exactly `log`,
 * `console`, `fetch`, `fetchV2`, `getCredential` and `geolocation`; imports fail; evaluation and
 * each call are limited to 4 s of synchronous work.
 */
import ivm from "isolated-vm";

export interface SandboxEvent {
  message: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export type SandboxOutput =
  | { transformedEvent: Record<string, unknown>; metadata: Record<string, unknown>; error?: undefined }
  | { error: string; metadata: Record<string, unknown>; transformedEvent?: undefined };

export interface SandboxOptions {
  credentials?: Record<string, string>;
  /** answers `fetch`/`fetchV2`; default: every request fails like an unreachable host */
  fetch?: (url: string, init: Record<string, unknown>) => Promise<{ status: number; body: unknown }>;
  timeoutMs?: number;
  memoryMb?: number;
}

export interface Sandbox {
  readonly type: "transformEvent" | "transformBatch";
  /** one batch, as the transformer receives it from the router */
  run(events: SandboxEvent[]): Promise<SandboxOutput[]>;
  /** what `log` and `console` printed, newest last */
  readonly logs: string[];
  dispose(): void;
}

export class SandboxError extends Error {}

// the names RudderStack's wrapper owns
const RESERVED = /\b(?:function|const|let|var|class)\s+(transformWrapper|extractStackTrace)\b/;

const BOOTSTRAP = `
(() => {
  const ivm = globalThis._ivm, hostLog = globalThis._log, hostFetch = globalThis._fetch,
    hostCredential = globalThis._getCredential;
  for (const name of ["_ivm", "_log", "_fetch", "_getCredential"]) delete globalThis[name];
  const format = (args) => args.map((a) => typeof a === "string" ? a : a === undefined ? "undefined" : JSON.stringify(a)).join(" ");
  const log = (...args) => { hostLog.applyIgnored(undefined, [format(args)]); };
  const request = (kind, url, options) => new Promise((resolve, reject) => {
    hostFetch.applyIgnored(undefined, [kind, String(url), JSON.stringify(options ?? {}),
      new ivm.Reference((json) => resolve(JSON.parse(json))),
      new ivm.Reference((message) => reject(new Error(message)))]);
  });
  Object.defineProperties(globalThis, {
    log: { value: log, writable: true, configurable: true },
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

/** compiles `code` as RudderStack would and returns a sandbox ready for batches */
export async function createSandbox(code: string, options: SandboxOptions = {}): Promise<Sandbox> {
  const reserved = RESERVED.exec(code);
  if (reserved)
    throw new SandboxError(`${reserved[1]} is reserved by the transformer and must not be declared`);
  const timeout = options.timeoutMs ?? 4000;
  const isolate = new ivm.Isolate({ memoryLimit: options.memoryMb ?? 128 });
  const logs: string[] = [];
  try {
    const context = await isolate.createContext();
    const jail = context.global;
    await jail.set("_ivm", ivm);
    await jail.set("_log", new ivm.Reference((line: string) => logs.push(line)));
    await jail.set("_getCredential", new ivm.Reference((key: string) => options.credentials?.[key]));
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
    const type = exported[0] ? "transformEvent" : "transformBatch";
    const wrapper = (await module.namespace.get("transformWrapper", { reference: true })) as ivm.Reference;
    return {
      type,
      logs,
      async run(events) {
        const json = (await wrapper.apply(undefined, [JSON.stringify({ type, events })], {
          timeout,
          result: { promise: true, copy: true },
        })) as string;
        return JSON.parse(json) as SandboxOutput[];
      },
      dispose() {
        if (!isolate.isDisposed) isolate.dispose();
      },
    };
  } catch (error) {
    if (!isolate.isDisposed) isolate.dispose();
    throw error;
  }
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
