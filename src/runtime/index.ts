/**
 * @module cartback/runtime — the durable engine: `createEngine`, its clocks, backoff and reports.
 * Stores live in `cartback/stores/*`, destinations in `cartback/destinations/*`.
 */
export * from "./backoff.js";
export * from "./clock.js";
export { stopReason } from "./dispatcher.js";
export * from "./engine.js";
export type { Logger } from "./logger.js";
export { silentLogger } from "./logger.js";
export * from "./metrics.js";
export type { ForgetReport, ProfileReport, TimelineEntry } from "./report.js";
export { findProfileId, journeyTimeline } from "./report.js";
export type * from "./store.js";
