/**
 * @module cartback — the pure core: normalise events, reduce them into one profile per shopper,
 * and plan the recovery journey. No I/O, no clock, no SDKs: it runs the same in Node, in a browser
 * and inside a RudderStack transformation.
 */
export * from "./core/commands.js";
export * from "./core/events.js";
export * from "./core/identity.js";
export * from "./core/journey/index.js";
export * from "./core/money.js";
export * from "./core/normalize/index.js";
export * from "./core/profile.js";
export * from "./core/reduce.js";
export * from "./core/result.js";
