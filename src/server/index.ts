/**
 * @module cartback/server — the cartback HTTP API as a web-standard `fetch` handler (RudderStack HTTP
 * API and Webhook destination, Twilio and MailerLite webhooks, signed checkout links, `/healthz`,
 * `/readyz`, `/metrics`) and `serveNode`, its `node:http` adapter. `createLogger` gives pino logs with
 * emails and phone numbers redacted.
 *
 * @example
 * import { createHandler, createLogger, serveNode } from "cartback/server";
 * const handler = createHandler({ engine, store, config, logger: createLogger() });
 * await serveNode(handler, { port: 3000 });
 */
export type { HandlerConfig, HandlerOptions, ServerEngine } from "./context.js";
export { createHandler } from "./handler.js";
export { HttpError, isHttpError } from "./http-error.js";
export {
  type CreateLoggerOptions,
  createLogger,
  type Logger,
  REDACTED,
  redactText,
  redactValue,
} from "./logger.js";
export { engineMetrics, type Metric, type MetricSample, renderMetrics } from "./metrics.js";
export { type NodeServer, type ServeNodeOptions, serveNode } from "./node.js";
export {
  EMULATED_TWILIO,
  openStore,
  type RunningCartback,
  type StartCartbackOptions,
  startCartback,
} from "./start.js";
