/**
 * The whole story on a fast clock: four shoppers from different segments abandon their carts, the
 * playbook journey runs for over three weeks of shop time in a few seconds — emails through MailerLite
 * stage groups, SMS and WhatsApp through Twilio — and one shopper comes back through the signed link in
 * her SMS and orders, which ends her journey at once. Prints the timeline as it happens and a short
 * recovery summary.
 *
 * The engine (`cartback/runtime`) runs on a manual clock over an in-memory store; cartback's HTTP
 * server (`cartback/server`) takes the shop's events on `/v1/batch` and serves the signed `/r/<token>`
 * links, exactly as `cartback serve` would.
 *
 *   npx tsx examples/full-journey.ts        (or: npm run example:full-journey)
 *
 * Settings (environment or `.env`); each service unset runs against its local emulator:
 *   MAILERLITE_API_KEY, MAILERLITE_BASE_URL                          the email side
 *   TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_BASE_URL the SMS / WhatsApp side
 *   TWILIO_WHATSAPP_FROM         WhatsApp sender (default: TWILIO_FROM)
 *   TWILIO_WHATSAPP_NUDGE, TWILIO_WHATSAPP_URGENCY  approved Content API template sids (HX…)
 *   CARTBACK_LINK_SECRET         signs the checkout links (default: a demo secret)
 *
 * With real credentials, use shoppers you own: the emails and numbers below are examples.
 */
import type { Command } from "cartback";
import { playbookJourney } from "cartback";
import type { Destination } from "cartback/destinations";
import { mailerliteDestination } from "cartback/destinations/mailerlite";
import { twilioDestination } from "cartback/destinations/twilio";
import { createEngine, createManualClock, silentLogger } from "cartback/runtime";
import { createHandler, serveNode } from "cartback/server";
import { memoryStore } from "cartback/stores/memory";
import { createEmulatorPool, emulatorLogHint, loadEnvFile, row, setting } from "./support/services.js";

loadEnvFile();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = Date.parse("2026-03-02T14:00:00Z");
// the last email goes on day 21 and a journey completes a day after its last message
const DAYS = 23;
const STEP = 10 * MINUTE;

const mlKey = setting("MAILERLITE_API_KEY");
const twSid = setting("TWILIO_ACCOUNT_SID");
const twToken = setting("TWILIO_AUTH_TOKEN");
const pool = createEmulatorPool();
const mlUrl = mlKey ? setting("MAILERLITE_BASE_URL") : await pool.url("mailerlite", "MAILERLITE_BASE_URL");
const twReal = Boolean(twSid && twToken);
const twUrl = twReal ? setting("TWILIO_BASE_URL") : await pool.url("twilio", "TWILIO_BASE_URL");
const from = setting("TWILIO_FROM") ?? "+15005550006";

const modes = [
  mlKey ? "real MailerLite account (MAILERLITE_API_KEY)" : `MailerLite emulator at ${mlUrl}`,
  twReal ? "real Twilio account (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)" : `Twilio emulator at ${twUrl}`,
];
const anyReal = Boolean(mlKey) || twReal;
console.log(`Mode: ${anyReal ? "" : "local emulators — "}${modes.join("; ")}`);

// every delivery, as the destinations executed it: the timeline
interface Delivery {
  at: number;
  command: Command;
  outcome: string;
}
const deliveries: Delivery[] = [];
const clock = createManualClock(START);

function recorded(destination: Destination): Destination {
  return {
    ...destination,
    async execute(command) {
      try {
        const receipt = await destination.execute(command);
        deliveries.push({ at: clock.now(), command, outcome: "ok" });
        onDelivered(command);
        return receipt;
      } catch (error) {
        deliveries.push({ at: clock.now(), command, outcome: `failed: ${(error as Error).message}` });
        throw error;
      }
    },
  };
}

const template = (name: string, fallback: string) => setting(name) ?? fallback;
const journey = {
  ...playbookJourney({
    whatsappTemplates: {
      nudge: template("TWILIO_WHATSAPP_NUDGE", "HX0123456789abcdef0123456789abcdef"),
      urgency: template("TWILIO_WHATSAPP_URGENCY", "HXfedcba9876543210fedcba9876543210"),
    },
  }),
  // the journey events for the warehouse are example 4's subject; here they would only need a destination
  analytics: false,
};
const linkSecret = setting("CARTBACK_LINK_SECRET") ?? "example-link-secret-change-me";
const store = memoryStore();
const destinations = [
  recorded(
    mailerliteDestination({
      apiKey: mlKey ?? "emulator-token",
      ...(mlUrl ? { baseUrl: mlUrl } : {}),
      // the emulator needs no pacing; a real account keeps the default 120 requests a minute
      ...(mlKey ? {} : { pacing: false as const }),
    }),
  ),
  recorded(
    twilioDestination({
      accountSid: twSid ?? `AC${"0".repeat(32)}`,
      authToken: twToken ?? "emulator-token",
      from,
      whatsappFrom: setting("TWILIO_WHATSAPP_FROM") ?? from,
      ...(twUrl ? { baseUrl: twUrl } : {}),
    }),
  ),
];

// the server listens first, because its URL is where the signed links point; its handler needs the engine
let handle: (request: Request) => Promise<Response> = async () => new Response(null, { status: 503 });
const server = await serveNode((request) => handle(request), { port: 0, host: "127.0.0.1" });
const engine = createEngine({
  store,
  journeys: [journey],
  destinations,
  clock,
  plan: {
    secrets: { links: linkSecret, discounts: "example-discount-secret" },
    linkBaseUrl: server.url,
    storeName: "Example Store",
  },
  // retries wait on the manual clock too
  dispatcher: { baseDelayMs: MINUTE, random: () => 0.5 },
});
const writeKey = "example-write-key";
handle = createHandler({
  engine,
  store,
  logger: silentLogger,
  now: () => clock.now(),
  config: {
    writeKey,
    server: { publicUrl: null, maxBodyBytes: 4 * 1024 * 1024, webhookHeader: null },
    links: { secret: linkSecret, fallbackUrl: "https://shop.example/cart" },
    webhooks: { mailerliteSecret: null, twilioAuthToken: null },
  },
});

/** what the shop sends: RudderStack messages through cartback's `/v1/batch` */
async function send(messages: object[]): Promise<void> {
  const at = new Date(clock.now()).toISOString();
  const batch = messages.map((m, i) => ({ messageId: `m-${clock.now()}-${i}`, timestamp: at, ...m }));
  const response = await fetch(`${server.url}/v1/batch`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`,
    },
    body: JSON.stringify({ batch }),
  });
  if (!response.ok)
    throw new Error(`cartback refused the shop's events: ${response.status} ${await response.text()}`);
}

interface Shopper {
  name: string;
  email: string;
  phone: string;
  timezone: string;
  optIn: { sms: boolean; whatsapp: boolean };
  products: { product_id: string; name: string; price: number; quantity: number }[];
  /** a past order makes a returning customer */
  pastOrder?: number;
  leavesAt: number;
}
const shoppers: Shopper[] = [
  {
    name: "Maya",
    email: "maya@example.com",
    phone: "+14155550101",
    timezone: "America/New_York",
    optIn: { sms: false, whatsapp: false },
    products: [{ product_id: "sku-socks", name: "Merino socks", price: 32, quantity: 1 }],
    leavesAt: START,
  },
  {
    name: "Noah",
    email: "noah@example.com",
    phone: "+14155550102",
    timezone: "America/Chicago",
    optIn: { sms: true, whatsapp: false },
    products: [
      { product_id: "sku-shirt", name: "Linen shirt", price: 68, quantity: 1 },
      { product_id: "sku-cap", name: "Canvas cap", price: 28, quantity: 1 },
    ],
    leavesAt: START + 20 * MINUTE,
  },
  {
    name: "Priya",
    email: "priya@example.com",
    phone: "+14155550103",
    timezone: "America/Los_Angeles",
    optIn: { sms: true, whatsapp: true },
    products: [{ product_id: "sku-jacket", name: "Waxed jacket", price: 240, quantity: 1 }],
    leavesAt: START + 40 * MINUTE,
  },
  {
    name: "Leo",
    email: "leo@example.com",
    phone: "+14155550104",
    timezone: "America/New_York",
    optIn: { sms: true, whatsapp: false },
    products: [{ product_id: "sku-boots", name: "Trail boots", price: 120, quantity: 1 }],
    pastOrder: 95,
    leavesAt: START + 60 * MINUTE,
  },
];
const byEmail = new Map(shoppers.map((s) => [s.email, s]));
const byPhone = new Map(shoppers.map((s) => [s.phone, s]));

function sessionOf(s: Shopper): object[] {
  const userId = `customer-${s.name.toLowerCase()}`;
  const context = {
    timezone: s.timezone,
    traits: {
      email: s.email,
      phone: s.phone,
      firstName: s.name,
      sms_opt_in: s.optIn.sms,
      whatsapp_opt_in: s.optIn.whatsapp,
    },
  };
  const cart = { cart_id: `cart-${s.name.toLowerCase()}`, currency: "USD" };
  const value = s.products.reduce((sum, p) => sum + p.price * p.quantity, 0);
  return [
    { type: "identify", userId, context, traits: context.traits },
    ...s.products.map((p) => ({
      type: "track",
      userId,
      context,
      event: "Product Added",
      properties: { ...cart, ...p },
    })),
    {
      type: "track",
      userId,
      context,
      event: "Checkout Started",
      properties: {
        ...cart,
        order_id: `chk-${s.name.toLowerCase()}`,
        value,
        products: s.products,
        checkout_url: `https://shop.example/checkout/${s.name.toLowerCase()}`,
      },
    },
  ];
}

function pastOrderOf(s: Shopper): object[] {
  const userId = `customer-${s.name.toLowerCase()}`;
  return [
    {
      type: "track",
      userId,
      context: { traits: { email: s.email } },
      event: "Order Completed",
      timestamp: new Date(START - 40 * DAY).toISOString(),
      properties: {
        order_id: `order-${s.name.toLowerCase()}-old`,
        total: s.pastOrder,
        currency: "USD",
        products: [],
      },
    },
  ];
}

// the returning shopper: Priya opens the link in her first SMS 25 minutes later and orders 10 minutes after
const RETURNING = "Priya";
const comeback: { link: string | null; opensAt: number | null; ordersAt: number | null } = {
  link: null,
  opensAt: null,
  ordersAt: null,
};

function whoIs(command: Command): string {
  const contact = "email" in command ? command.email : "to" in command ? command.to : "";
  return (byEmail.get(contact) ?? byPhone.get(contact))?.name ?? contact;
}

function onDelivered(command: Command): void {
  if (command.type === "twilio.sendSms" && whoIs(command) === RETURNING && comeback.link === null) {
    comeback.link = command.body.match(/https?:\/\/\S+\/r\/\S+/)?.[0] ?? null;
    if (comeback.link) comeback.opensAt = clock.now() + 25 * MINUTE;
  }
}

function describe(command: Command): string | null {
  switch (command.type) {
    case "mailerlite.addToGroup":
      return `email     joins ${command.group}`;
    case "twilio.sendSms":
      return `sms       ${command.body}`;
    case "twilio.sendWhatsApp":
      return `whatsapp  template ${command.contentSid}`;
    case "mailerlite.removeFromGroup":
      return `exit      leaves ${command.group}`;
    default:
      return null;
  }
}

function stamp(at: number): string {
  const day = Math.floor((at - START) / DAY) + 1;
  return `day ${String(day).padStart(2)} ${new Date(at).toISOString().slice(11, 16)}Z`;
}

let printed = 0;
function printNewDeliveries(): void {
  while (printed < deliveries.length) {
    const d = deliveries[printed++]!;
    const who = whoIs(d.command);
    let text = describe(d.command);
    if (!text) continue;
    if (d.command.type === "mailerlite.removeFromGroup") {
      // an exit leaves every group the journey added: one line for all of them
      const groups = [d.command.group];
      for (let next = deliveries[printed]; next; next = deliveries[printed]) {
        if (
          next.command.type !== "mailerlite.removeFromGroup" ||
          next.at !== d.at ||
          whoIs(next.command) !== who
        )
          break;
        groups.push(next.command.group);
        printed++;
      }
      text = `exit      leaves ${groups.join(", ")}`;
    }
    const stage = d.command.stage ? `stage ${d.command.stage}` : "       ";
    const status = d.outcome === "ok" ? "" : `  [${d.outcome}]`;
    // the signed token is long; the link's shape is what matters here
    const shown = text.replace(/\/r\/\S+/, "/r/<signed token>");
    console.log(`  ${stamp(d.at)}  ${who.padEnd(6)} ${stage}  ${shown}${status}`);
  }
}

let failed = false;
try {
  console.log(
    `\nFour shoppers fill carts on ${new Date(START).toISOString().slice(0, 10)} and leave; the clock then runs ${DAYS} days in ${STEP / MINUTE}-minute steps.`,
  );
  for (const s of shoppers) if (s.pastOrder) await send(pastOrderOf(s));
  const pending = [...shoppers];
  console.log("\nTimeline");
  for (let at = START; at <= START + DAYS * DAY; at += STEP) {
    clock.set(at);
    while (pending[0] && pending[0].leavesAt <= at) {
      const s = pending.shift()!;
      await send(sessionOf(s));
      const value = s.products.reduce((sum, p) => sum + p.price * p.quantity, 0);
      console.log(`  ${stamp(at)}  ${s.name.padEnd(6)}          cart USD ${value}, leaves the shop`);
    }
    const link = comeback.link;
    if (link && comeback.opensAt !== null && at >= comeback.opensAt) {
      comeback.opensAt = null;
      const response = await fetch(link, { redirect: "manual" });
      console.log(
        `  ${stamp(at)}  ${RETURNING.padEnd(6)}          opens ${link.replace(/\/r\/\S+/, "/r/<signed token>")} → ${response.status} ${response.headers.get("location")}`,
      );
      comeback.ordersAt = at + 10 * MINUTE;
    }
    if (comeback.ordersAt !== null && at >= comeback.ordersAt) {
      comeback.ordersAt = null;
      const s = byName(RETURNING);
      await send([
        {
          type: "track",
          userId: `customer-${s.name.toLowerCase()}`,
          event: "Order Completed",
          properties: {
            order_id: "order-1042",
            checkout_id: `chk-${s.name.toLowerCase()}`,
            cart_id: `cart-${s.name.toLowerCase()}`,
            total: 240,
            currency: "USD",
          },
        },
      ]);
      console.log(`  ${stamp(at)}  ${RETURNING.padEnd(6)}          orders: USD 240`);
    }
    // run every pass that is due at this instant
    for (;;) {
      const { woke, dispatched } = await engine.tick();
      if (woke === 0 && dispatched === 0) break;
    }
    printNewDeliveries();
  }

  console.log("\nRecovery summary");
  let recovered = 0;
  let revenue = 0;
  for (const s of shoppers) {
    const report = await engine.showProfile(s.email);
    const instance = report && Object.values(report.profile.journeys)[0];
    const mine = deliveries.filter(
      (d) => d.command.kind === "message" && d.outcome === "ok" && whoIs(d.command) === s.name,
    );
    const channels = ["email", "sms", "whatsapp"].map(
      (c) => `${mine.filter((d) => d.command.channel === c).length} ${c}`,
    );
    const ordered = instance?.exitReason === "ordered";
    if (ordered) {
      recovered++;
      revenue += s.products.reduce((sum, p) => sum + p.price * p.quantity, 0);
    }
    const end = ordered ? "recovered" : (instance?.status ?? "no journey");
    console.log(
      row(s.name, `${(instance?.segment ?? "-").padEnd(17)} ${channels.join(", ").padEnd(30)} ${end}`),
    );
  }
  const messages = deliveries.filter((d) => d.command.kind === "message");
  const failures = messages.filter((d) => d.outcome !== "ok");
  console.log(row("carts recovered", `${recovered} of ${shoppers.length}, USD ${revenue}`));
  console.log(
    row(
      "messages sent",
      `${messages.length - failures.length}${failures.length ? ` (${failures.length} failed)` : ""}`,
    ),
  );
  console.log(
    row("after the order", "no message: the journey exited at once and left its MailerLite groups"),
  );
  console.log("Where to look:");
  console.log(
    mlKey
      ? "  MailerLite → Subscribers → Groups: cartback-stage-1 … cartback-stage-4 (and -returning variants)"
      : `  ${emulatorLogHint(mlUrl!, "/api/*")} (MailerLite emulator, while it runs)`,
  );
  console.log(
    twReal
      ? "  Twilio Console → Monitor → Messaging logs (test credentials log nothing)"
      : `  ${emulatorLogHint(twUrl!, "/2010-04-01/*")} (Twilio emulator, while it runs)`,
  );
  if (!anyReal)
    console.log("  run `npx cartback emulate` and set MAILERLITE_BASE_URL / TWILIO_BASE_URL to keep them up");
} catch (error) {
  failed = true;
  console.error("\nThe example failed:", error);
} finally {
  await engine.stop();
  await server.close();
  await pool.stop();
}
process.exitCode = failed ? 1 : 0;

function byName(name: string): Shopper {
  return shoppers.find((s) => s.name === name)!;
}
