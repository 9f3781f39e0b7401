/**
 * Destination throughput: commands per second each adapter pushes through its real SDK to a local
 * emulator (or, for webhooks and RudderStack, a plain HTTP receiver), pacing off. A baseline for the
 * runtime's dispatcher, not a measure of the services. BENCH_COMMANDS / BENCH_CONCURRENCY tune it.
 */
import { createServer } from "node:http";
import type { Command, CommandMeta } from "../src/core/commands.js";
import { mailerliteDestination } from "../src/destinations/mailerlite.js";
import { mailerliteClassicDestination } from "../src/destinations/mailerlite-classic.js";
import { rudderstackDestination } from "../src/destinations/rudderstack.js";
import { sendgridDestination } from "../src/destinations/sendgrid.js";
import { twilioDestination } from "../src/destinations/twilio.js";
import type { Destination } from "../src/destinations/types.js";
import { webhookDestination } from "../src/destinations/webhook.js";
import { startMailerLiteEmulator } from "../src/emulators/mailerlite.js";
import { startMailerLiteClassicEmulator } from "../src/emulators/mailerlite-classic.js";
import { startSendGridEmulator } from "../src/emulators/sendgrid.js";
import { startTwilioEmulator } from "../src/emulators/twilio.js";

const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

function meta(i: number): CommandMeta {
  return {
    key: `bench:cart-${i}:1:step:email`,
    kind: "message",
    channel: "email",
    profileId: `profile-${i}`,
    cartId: `cart-${i}`,
    journey: "bench",
    stage: 1,
    step: "step",
    segment: null,
    variant: null,
    discountPercent: null,
  };
}

/** a receiver that answers 200 to everything, the counterpart for webhooks and RudderStack */
async function startSink(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function measure(destination: Destination, make: (i: number) => Command) {
  // warm up connections and lookups
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => destination.execute(make(COMMANDS + i))));
  let next = 0;
  let failed = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < COMMANDS) {
        const i = next++;
        await destination.execute(make(i)).catch(() => failed++);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await destination.dispose?.();
  return { perSecond: COMMANDS / seconds, failed };
}

export async function bench(): Promise<void> {
  const rows: [string, string, { perSecond: number; failed: number }][] = [];
  const unlimited = { limit: 1_000_000_000 };

  const ml = await startMailerLiteEmulator({ rateLimit: unlimited });
  const mlDest = mailerliteDestination({ apiKey: "bench", baseUrl: ml.url, pacing: false });
  rows.push([
    "mailerlite",
    "upsertSubscriber",
    await measure(mlDest, (i) => ({
      ...meta(i),
      type: "mailerlite.upsertSubscriber",
      email: `p${i}@example.com`,
      fields: { cart_url: `https://shop.test/r/${i}`, cart_total: 99.5 },
    })),
  ]);
  rows.push([
    "mailerlite",
    "addToGroup",
    await measure(mlDest, (i) => ({
      ...meta(i),
      type: "mailerlite.addToGroup",
      email: `p${i}@example.com`,
      group: "cartback-stage-1",
    })),
  ]);
  await ml.stop();

  const classic = await startMailerLiteClassicEmulator();
  rows.push([
    "mailerlite-classic",
    "upsertSubscriber",
    await measure(
      mailerliteClassicDestination({ apiKey: "bench", baseUrl: `${classic.url}/api/v2/`, pacing: false }),
      (i) => ({
        ...meta(i),
        type: "mailerlite.upsertSubscriber",
        email: `p${i}@example.com`,
        fields: { cart_total: 1 },
      }),
    ),
  ]);
  await classic.stop();

  const tw = await startTwilioEmulator();
  rows.push([
    "twilio",
    "sendSms",
    await measure(
      twilioDestination({
        accountSid: `AC${"0".repeat(32)}`,
        authToken: "t".repeat(32),
        baseUrl: tw.url,
        from: "+15005550006",
      }),
      (i) => ({
        ...meta(i),
        type: "twilio.sendSms",
        to: `+1415555${String(i % 10_000).padStart(4, "0")}`,
        body: "Your cart is waiting",
        encoding: "GSM-7",
        segments: 1,
      }),
    ),
  ]);
  await tw.settled();
  await tw.stop();

  const sg = await startSendGridEmulator();
  rows.push([
    "sendgrid",
    "sendEmail",
    await measure(
      sendgridDestination({ apiKey: "SG.bench", baseUrl: sg.url, from: "shop@example.com" }),
      (i) => ({
        ...meta(i),
        type: "sendgrid.sendEmail",
        to: `p${i}@example.com`,
        templateId: `d-${"0".repeat(32)}`,
        dynamicTemplateData: { cart_url: `https://shop.test/r/${i}` },
      }),
    ),
  ]);
  await sg.stop();

  const sink = await startSink();
  rows.push([
    "webhook",
    "post",
    await measure(
      webhookDestination({ targets: { sales: { url: `${sink.url}/hook`, secret: "s" } } }),
      (i) => ({
        ...meta(i),
        type: "webhook.post",
        target: "sales",
        event: "sales_call",
        payload: { cart: i },
      }),
    ),
  ]);
  rows.push([
    "rudderstack",
    `track (batches of ${CONCURRENCY})`,
    await measure(
      rudderstackDestination({ writeKey: "k", dataPlaneUrl: sink.url, flushAt: CONCURRENCY }),
      (i) => ({
        ...meta(i),
        type: "rudderstack.track",
        userId: `user-${i}`,
        event: "Cart Recovery Message Sent",
        properties: { cart_value: 99.5 },
      }),
    ),
  ]);
  await sink.close();

  console.log(`${COMMANDS} commands per adapter, ${CONCURRENCY} in flight, pacing off, 127.0.0.1\n`);
  console.log("| adapter | command | commands/s | failed |");
  console.log("| --- | --- | ---: | ---: |");
  for (const [adapter, command, { perSecond, failed }] of rows) {
    console.log(`| ${adapter} | ${command} | ${Math.round(perSecond)} | ${failed} |`);
  }
}
