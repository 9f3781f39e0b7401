/**
 * @module cartback/destinations — the `Destination` interface, `DeliveryError` and the shared error
 * classification. Loads no SDK: each adapter is its own subpath (`cartback/destinations/twilio`, …)
 * and its SDK an optional peer dependency installed only when used.
 */
export * from "./errors.js";
export * from "./load.js";
export * from "./mailerlite-setup.js";
export * from "./pacing.js";
export * from "./types.js";
