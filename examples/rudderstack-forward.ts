/**
 * The official RudderStack Node SDK (`@rudderstack/rudder-sdk-node`) sending one shopper's session —
 * browse, add to cart, start checkout, leave — to a data plane. By default the data plane is cartback's
 * own ingest (the RudderStack HTTP API, served here on 127.0.0.1), and the example then shows what
 * cartback made of the session: one profile, one cart, and the journey waiting to see whether the cart
 * is abandoned. With RUDDERSTACK_DATA_PLANE_URL set, the same events go to that data plane instead.
 *
 *   npx tsx examples/rudderstack-forward.ts        (or: npm run example:rudderstack-forward)
 *
 * Settings (environment or `.env`):
 *   RUDDERSTACK_DATA_PLANE_URL  a RudderStack data plane (e.g. https://yourcompanyxyz.dataplane.rudderstack.com);
 *                               unset: cartback's own ingest, started by this example
 *   RUDDERSTACK_WRITE_KEY       the source's write key; required with a data plane URL
 */
import Analytics from "@rudderstack/rudder-sdk-node";
import { playbookJourney } from "cartback";
import { createEngine, silentLogger } from "cartback/runtime";
import { createHandler, type NodeServer, serveNode } from "cartback/server";
import { memoryStore } from "cartback/stores/memory";
import { loadEnvFile, row, setting } from "./support/services.js";

loadEnvFile();
const dataPlaneUrl = setting("RUDDERSTACK_DATA_PLANE_URL");
const writeKey = setting("RUDDERSTACK_WRITE_KEY") ?? (dataPlaneUrl ? undefined : "example-write-key");
if (!writeKey) {
  console.error(
    "RUDDERSTACK_DATA_PLANE_URL is set but RUDDERSTACK_WRITE_KEY is not: set the source's write key.",
  );
  process.exit(2);
}

// cartback's ingest, the way `cartback serve` runs it, but in memory and without sending anything
const journeys = [playbookJourney()];
const store = memoryStore();
const engine = createEngine({ store, journeys, destinations: [] });
let server: NodeServer | undefined;
if (!dataPlaneUrl) {
  const handler = createHandler({
    engine,
    store,
    config: {
      writeKey,
      server: { publicUrl: null, maxBodyBytes: 4 * 1024 * 1024, webhookHeader: null },
      links: { secret: null, fallbackUrl: null },
      webhooks: { mailerliteSecret: null, twilioAuthToken: null },
    },
    // the server logs JSON lines; the example keeps its output to the story
    logger: silentLogger,
  });
  server = await serveNode(handler, { port: 0, host: "127.0.0.1" });
}
const target = dataPlaneUrl ?? server!.url;
console.log(
  dataPlaneUrl
    ? `Mode: real RudderStack data plane at ${dataPlaneUrl} (RUDDERSTACK_DATA_PLANE_URL and RUDDERSTACK_WRITE_KEY are set)`
    : `Mode: cartback's own ingest at ${target} (RUDDERSTACK_DATA_PLANE_URL is not set)`,
);

const failures: string[] = [];
const analytics = new Analytics(writeKey, {
  dataPlaneUrl: target,
  // one batch at the end, as a short-lived script should; a web server would keep the defaults
  flushAt: 100,
  flushInterval: 60_000,
  retryCount: 0,
  logLevel: "none",
  errorHandler: (error: unknown) => failures.push(String((error as Error)?.message ?? error)),
});

const anonymousId = "anon-7f3a9c";
const userId = "customer-4821";
const context = { traits: { email: "priya@example.com", phone: "+14155550123", sms_opt_in: true } };
const cart = { cart_id: "cart-4821", currency: "USD" };
const shirt = { product_id: "sku-linen-shirt", name: "Linen shirt", price: 68, quantity: 1 };
const tote = { product_id: "sku-canvas-tote", name: "Canvas tote", price: 24, quantity: 2 };

const session: [string, () => void][] = [
  ["page: /collections/summer", () => analytics.page({ anonymousId, name: "Summer collection" })],
  [
    "track: Product Viewed",
    () => analytics.track({ anonymousId, event: "Product Viewed", properties: { ...shirt } }),
  ],
  [
    "track: Product Added (shirt)",
    () => analytics.track({ anonymousId, event: "Product Added", properties: { ...cart, ...shirt } }),
  ],
  [
    "track: Product Added (2 totes)",
    () => analytics.track({ anonymousId, event: "Product Added", properties: { ...cart, ...tote } }),
  ],
  [
    "identify: signs in at checkout",
    () =>
      analytics.identify({ userId, anonymousId, traits: { ...context.traits, firstName: "Priya" }, context }),
  ],
  [
    "track: Checkout Started",
    () =>
      analytics.track({
        userId,
        anonymousId,
        event: "Checkout Started",
        context,
        properties: { ...cart, order_id: "chk-4821", value: 116, products: [shirt, tote] },
      }),
  ],
];

console.log(`\nThe shopper's session, sent with @rudderstack/rudder-sdk-node (write key ${mask(writeKey)})`);
for (const [label, send] of session) {
  send();
  console.log(row("queued", label));
}
console.log(row("then", "the shopper closes the tab: nothing more arrives"));
await analytics.flush();
console.log(row("flushed", `${session.length} messages in one POST ${target}/v1/batch`));

function mask(key: string): string {
  return key.length <= 6 ? "***" : `${key.slice(0, 3)}…${key.slice(-3)}`;
}

let failed = failures.length > 0;
console.log("\nSummary");
if (failed) {
  console.log(row("delivery", `failed: ${failures.join("; ")}`));
  console.log("Check RUDDERSTACK_DATA_PLANE_URL and RUDDERSTACK_WRITE_KEY.");
} else if (dataPlaneUrl) {
  console.log(row("delivery", `${session.length} messages accepted by the data plane`));
  console.log("Where to look:");
  console.log(
    "  RudderStack dashboard → Sources → your Node.js source → Live Events (events show within seconds);",
  );
  console.log(
    "  a Webhook destination pointed at `cartback serve` (/webhooks/rudderstack) forwards them to cartback.",
  );
} else {
  const report = await engine.showProfile("priya@example.com");
  if (!report) {
    failed = true;
    console.log(row("profile", "none: cartback did not receive the session"));
  } else {
    const profile = report.profile;
    const active = profile.carts[0];
    const items = active?.items.map((i) => `${i.name ?? i.productId} x${i.quantity}`).join(", ");
    const metrics = engine.metrics();
    console.log(
      row("received", `${metrics.messages.accepted} messages → ${metrics.events.accepted} cart events`),
    );
    console.log(row("profile", `${report.id} (${report.keys.join(", ")})`));
    console.log(
      row("cart", `${active?.id}: ${items}; ${active?.currency} ${active?.value} (${active?.status})`),
    );
    console.log(row("sms consent", profile.consent.sms.status));
    if (report.next) {
      const minutes = Math.round((report.next.at - Date.now()) / 60_000);
      console.log(row("abandoned if quiet", `in ${minutes} min (${new Date(report.next.at).toISOString()})`));
      const planned = report.next.commands.map((c) => `${c.type}${c.step ? ` (${c.step})` : ""}`);
      console.log(row("then the journey sends", planned.join(", ") || "nothing"));
      // a message that falls in quiet hours waits for its window: this is when the journey looks again
      if (report.next.after !== null) {
        console.log(row("and looks again", new Date(report.next.after).toISOString()));
      }
    }
  }
  console.log("Where to look:");
  console.log("  this is what `cartback serve` does with the same events; point any RudderStack SDK at it");
  console.log(
    "  (dataPlaneUrl = the server's URL) or run `npm run example:full-journey` to see the journey run.",
  );
}
server && (await server.close());
await engine.stop();
process.exitCode = failed ? 1 : 0;
