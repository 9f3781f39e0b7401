/**
 * An engine in its own process, for the crash and multi-worker tests: reads batches of RudderStack
 * messages as JSON lines on stdin (`{"id": n, "messages": [...]}`), ingests each and prints
 * `ack <id>` once it is durable; runs the scheduler and dispatcher against the emulators whose URLs
 * it is given; stops cleanly on SIGTERM.
 */
import { createInterface } from "node:readline";
import { playbookJourney } from "../../src/core/journey/index.js";
import { mailerliteDestination } from "../../src/destinations/mailerlite.js";
import { twilioDestination } from "../../src/destinations/twilio.js";
import { createEngine } from "../../src/runtime/engine.js";
import type { Store } from "../../src/runtime/store.js";
import { ML_TOKEN, SERVICE, SID, TEMPLATES, TOKEN } from "./processes.js";

async function openStore(): Promise<Store> {
  if (process.env.ENGINE_DB) {
    const { sqliteStore } = await import("../../src/stores/sqlite.js");
    return sqliteStore({ path: process.env.ENGINE_DB });
  }
  const { postgresStore } = await import("../../src/stores/postgres.js");
  return postgresStore({
    connectionString: process.env.DATABASE_URL as string,
    schema: process.env.ENGINE_SCHEMA as string,
  });
}

async function main() {
  const store = await openStore();
  const engine = createEngine({
    store,
    // the nudge's WhatsApp goes right after its email: the tests that drive this process run on the
    // real clock and wait for both, not ten minutes for the text
    journeys: [{ ...playbookJourney({ whatsappTemplates: TEMPLATES }), pacing: { textDelay: "0m" } }],
    // the carts of these tests have no checkout URL: the texts link to the shop's cart page
    plan: { shopUrl: "https://shop.example.com/cart" },
    destinations: [
      mailerliteDestination({ apiKey: ML_TOKEN, baseUrl: process.env.ML_URL as string, pacing: false }),
      twilioDestination({
        accountSid: SID,
        authToken: TOKEN,
        baseUrl: process.env.TWILIO_URL as string,
        messagingServiceSid: SERVICE,
      }),
    ],
    worker: process.env.ENGINE_WORKER ?? `test:${process.pid}`,
    logger: {
      debug() {},
      info() {},
      warn: (obj, msg) => process.stderr.write(`warn ${msg} ${JSON.stringify(obj)}\n`),
      error: (obj, msg) =>
        process.stderr.write(
          `error ${msg} ${JSON.stringify(obj)} ${String((obj as { err?: unknown }).err)}\n`,
        ),
    },
    scheduler: { intervalMs: 50, leaseMs: 3_000 },
    dispatcher: { intervalMs: 50, leaseMs: 3_000, baseDelayMs: 200, maxDelayMs: 1_000, maxAttempts: 20 },
  });
  engine.start();
  const lines = createInterface({ input: process.stdin });
  let pending = Promise.resolve();
  lines.on("line", (line) => {
    const { id, messages } = JSON.parse(line) as { id: number; messages: unknown[] };
    // acknowledged in arrival order, like an HTTP server answering each request
    const ingest = engine.ingest(messages);
    pending = pending.then(async () => {
      const result = await ingest;
      process.stdout.write(`ack ${id} ${result.accepted}\n`);
    });
  });
  process.on("SIGTERM", () => {
    void (async () => {
      await pending;
      await engine.stop();
      await store.close();
      process.exit(0);
    })();
  });
  process.stdout.write("ready\n");
}

await main();
