import { resolveConfig } from "../../src/config/resolve.js";
import { createManualClock, type ManualClock } from "../../src/runtime/clock.js";
import { createLogger } from "../../src/server/logger.js";
import { startCartback } from "../../src/server/start.js";

export const WRITE_KEY = "test-write-key";
export const LINK_SECRET = "a-link-secret-of-32-characters!!";
export const MAILERLITE_SECRET = "ml-webhook-secret";

/** a cartback on an in-memory store, emulated destinations, a manual clock and no background loops */
export async function startTestServer(
  overrides: Record<string, unknown> = {},
  clock: ManualClock = createManualClock("2026-03-02T10:00:00Z"),
) {
  const config = resolveConfig(
    {
      writeKey: WRITE_KEY,
      emulators: true,
      store: { kind: "memory" },
      server: {
        port: 0,
        host: "127.0.0.1",
        maxBodyBytes: 64 * 1024,
        webhookHeader: { name: "X-Cartback-Key", value: "hook-secret" },
      },
      links: { secret: LINK_SECRET, fallbackUrl: "https://shop.example.com/cart" },
      webhooks: { mailerliteSecret: MAILERLITE_SECRET },
      logLevel: "silent",
      ...overrides,
    },
    {},
  );
  const running = await startCartback({
    config,
    clock,
    loops: false,
    logger: createLogger({ level: "silent" }),
  });
  // the config in effect (in emulator mode it holds the Twilio token made up at start)
  return { ...running, clock };
}

export function basic(user: string): string {
  return `Basic ${Buffer.from(`${user}:`).toString("base64")}`;
}
