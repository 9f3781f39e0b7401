/**
 * cartback inside an existing Node HTTP app (plain `node:http`): the shop keeps its own routes and
 * mounts cartback's handler under `/cartback` — the RudderStack HTTP API the storefront SDK sends to
 * (`/cartback/v1/batch`), the Twilio and MailerLite webhooks and the signed `/cartback/r/<token>`
 * links — while the engine runs in the same process on SQLite.
 *
 * To finish in seconds the engine runs on a fast clock (one real second is one shop hour). A shopper
 * abandons a cart, gets the stage-1 email and the stage-2 SMS, Twilio's delivery statuses come back
 * through the mounted webhook, and the shopper replies STOP, which withdraws SMS consent at once.
 *
 *   npx tsx examples/node-backend.ts        (or: npm run example:node-backend)
 *
 * Settings (environment or `.env`); each service unset runs against its local emulator:
 *   MAILERLITE_API_KEY, MAILERLITE_BASE_URL
 *   TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, TWILIO_BASE_URL
 *   CARTBACK_PUBLIC_URL   where Twilio reaches this app from outside (e.g. a tunnel), for its webhooks;
 *                         with the emulators the app's own address is used
 *   CARTBACK_SQLITE_PATH  the database file (default: a new file in the system's temp directory)
 *   PORT                  the app's port (default: a free one)
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { playbookJourney } from "cartback";
import { mailerliteDestination } from "cartback/destinations/mailerlite";
import { twilioDestination } from "cartback/destinations/twilio";
import { type Clock, createEngine, silentLogger } from "cartback/runtime";
import { createHandler } from "cartback/server";
import { sqliteStore } from "cartback/stores/sqlite";
import { createEmulatorPool, emulatorLogHint, loadEnvFile, row, setting } from "./support/services.js";

loadEnvFile();
const HOUR = 3_600_000;
const mlKey = setting("MAILERLITE_API_KEY");
const twSid = setting("TWILIO_ACCOUNT_SID");
const twToken = setting("TWILIO_AUTH_TOKEN");
const twReal = Boolean(twSid && twToken);
const pool = createEmulatorPool();
const mlUrl = mlKey ? setting("MAILERLITE_BASE_URL") : await pool.url("mailerlite", "MAILERLITE_BASE_URL");
const twUrl = twReal ? setting("TWILIO_BASE_URL") : await pool.url("twilio", "TWILIO_BASE_URL");
const authToken = twToken ?? "emulator-token";
const from = setting("TWILIO_FROM") ?? "+15005550006";
const dbPath =
  setting("CARTBACK_SQLITE_PATH") ?? join(tmpdir(), `cartback-node-backend-${process.pid}-${Date.now()}.db`);

console.log(
  `Mode: ${mlKey || twReal ? "" : "local emulators — "}${[
    mlKey ? "real MailerLite account (MAILERLITE_API_KEY)" : `MailerLite emulator at ${mlUrl}`,
    twReal ? "real Twilio account (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)" : `Twilio emulator at ${twUrl}`,
  ].join("; ")}`,
);

/** one real second is one shop hour, starting on a Monday morning in New York */
function fastClock(start: number, speed: number): Clock {
  const origin = Date.now();
  return { now: () => start + Math.floor((Date.now() - origin) * speed) };
}
const clock = fastClock(Date.parse("2026-03-02T14:00:00Z"), HOUR / 1000);

// ---- the existing app: its own routes, plus cartback mounted under /cartback ----------------------
const MOUNT = "/cartback";
let cartback: (request: Request) => Promise<Response> = async () => new Response("starting", { status: 503 });

/** node:http → web Request, with the mount prefix taken off so cartback sees its own paths */
function toRequest(req: IncomingMessage, origin: string): Request {
  const url = new URL(req.url ?? "/", origin);
  url.pathname = url.pathname.slice(MOUNT.length) || "/";
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(url, {
    method: req.method ?? "GET",
    headers,
    ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: "half" } : {}),
  } as RequestInit);
}

async function mountCartback(req: IncomingMessage, res: ServerResponse, origin: string): Promise<void> {
  const response = await cartback(toRequest(req, origin));
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

const app = createServer((req, res) => {
  const origin = `http://${req.headers.host ?? "127.0.0.1"}`;
  const path = (req.url ?? "/").split("?")[0]!;
  if (path === MOUNT || path.startsWith(`${MOUNT}/`)) {
    mountCartback(req, res, origin).catch((error: unknown) => {
      console.error("cartback route failed:", error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    return;
  }
  // the shop's own routes stay as they were
  if (path === "/") {
    res.writeHead(200, { "content-type": "text/plain" }).end("Example Store\n");
    return;
  }
  res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
});
await new Promise<void>((resolve) => app.listen(Number(setting("PORT") ?? 0), "127.0.0.1", resolve));
const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
// Twilio must reach the webhooks from outside; the emulators reach 127.0.0.1
const publicUrl = `${setting("CARTBACK_PUBLIC_URL") ?? (twReal ? "" : appUrl)}`.replace(/\/+$/, "");

// ---- cartback: engine on SQLite, destinations, the handler --------------------------------------
const store = sqliteStore({ path: dbPath });
const linkSecret = setting("CARTBACK_LINK_SECRET") ?? "example-link-secret-change-me";
const engine = createEngine({
  store,
  journeys: [{ ...playbookJourney(), analytics: false }],
  clock,
  plan: {
    secrets: { links: linkSecret, discounts: "example-discount-secret" },
    linkBaseUrl: `${appUrl}${MOUNT}`,
  },
  destinations: [
    mailerliteDestination({
      apiKey: mlKey ?? "emulator-token",
      ...(mlUrl ? { baseUrl: mlUrl } : {}),
      ...(mlKey ? {} : { pacing: false as const }),
    }),
    twilioDestination({
      accountSid: twSid ?? `AC${"0".repeat(32)}`,
      authToken,
      from,
      ...(twUrl ? { baseUrl: twUrl } : {}),
      ...(publicUrl ? { statusCallback: `${publicUrl}${MOUNT}/webhooks/twilio` } : {}),
    }),
  ],
  scheduler: { intervalMs: 100 },
  dispatcher: { intervalMs: 100 },
});
const writeKey = "example-write-key";
cartback = createHandler({
  engine,
  store,
  logger: silentLogger,
  now: () => clock.now(),
  config: {
    writeKey,
    server: {
      publicUrl: publicUrl ? `${publicUrl}${MOUNT}` : null,
      maxBodyBytes: 4 * 1024 * 1024,
      webhookHeader: null,
    },
    links: { secret: linkSecret, fallbackUrl: `${appUrl}/` },
    webhooks: { mailerliteSecret: setting("MAILERLITE_WEBHOOK_SECRET") ?? null, twilioAuthToken: authToken },
  },
});
engine.start();
console.log(`\nThe shop runs at ${appUrl}; cartback is mounted at ${appUrl}${MOUNT} (SQLite: ${dbPath})`);

const shopper = { email: "noah@example.com", phone: "+14155550102", name: "Noah" };
let failed = false;
try {
  // what the storefront's RudderStack SDK sends, with dataPlaneUrl = the shop + /cartback
  const at = () => new Date(clock.now()).toISOString();
  const context = {
    timezone: "America/New_York",
    traits: { email: shopper.email, phone: shopper.phone, firstName: shopper.name, sms_opt_in: true },
  };
  const properties = {
    cart_id: "cart-noah",
    product_id: "sku-shirt",
    name: "Linen shirt",
    price: 96,
    quantity: 1,
  };
  const ingest = await fetch(`${appUrl}${MOUNT}/v1/batch`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`,
    },
    body: JSON.stringify({
      batch: [
        {
          type: "identify",
          messageId: "nb-1",
          userId: "customer-noah",
          timestamp: at(),
          context,
          traits: context.traits,
        },
        {
          type: "track",
          messageId: "nb-2",
          userId: "customer-noah",
          timestamp: at(),
          context,
          event: "Product Added",
          properties,
        },
      ],
    }),
  });
  console.log(row("POST /cartback/v1/batch", `${ingest.status} ${await ingest.text()}`));
  console.log(row("GET /", `${(await fetch(`${appUrl}/`)).status} (the shop's own route, untouched)`));

  console.log("\nThe engine runs (1 s = 1 shop hour); waiting for the stage-2 SMS …");
  const deadline = Date.now() + 30_000;
  let report = await engine.showProfile(shopper.email);
  let lastSeen = 0;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    report = await engine.showProfile(shopper.email);
    const sent = report?.timeline.filter((t) => t.what === "sent") ?? [];
    for (const entry of sent.slice(lastSeen))
      console.log(row(new Date(entry.at).toISOString().slice(0, 16), `sent ${entry.detail}`));
    lastSeen = sent.length;
    if (sent.some((t) => t.detail.includes("by sms"))) break;
  }
  const smsSent = report?.timeline.some((t) => t.what === "sent" && t.detail.includes("by sms"));
  if (!smsSent) throw new Error("no SMS was sent within 30 s");

  // Twilio posts delivery statuses to the mounted webhook; with the emulator they arrive in a moment
  if (!twReal) {
    await new Promise((r) => setTimeout(r, 1_000));
    console.log(`\n${shopper.name} replies STOP to the SMS (acted out by the Twilio emulator)`);
    const reply = await fetch(`${twUrl}/_emulator/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        from: shopper.phone,
        to: from,
        body: "STOP",
        url: `${publicUrl}${MOUNT}/webhooks/twilio`,
      }),
    });
    const answer = (await reply.json()) as { callback?: { status?: number } };
    console.log(
      row(
        "POST /cartback/webhooks/twilio",
        `${answer.callback?.status ?? reply.status} (signed by Twilio, verified)`,
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
  }

  report = await engine.showProfile(shopper.email);
  const profile = report!.profile;
  const instance = Object.values(profile.journeys)[0];
  const engaged = profile.engagement?.filter((e) => e.channel === "sms").map((e) => e.engagement) ?? [];
  console.log("\nSummary");
  console.log(row("app", `${appUrl} with cartback under ${MOUNT}`));
  console.log(row("store", `SQLite ${dbPath}`));
  console.log(
    row(
      "journey",
      `${instance?.journey} cart ${instance?.cartId}: ${instance?.status}, stage ${instance?.stage}, ${instance?.sent.length} sent`,
    ),
  );
  console.log(row("sms statuses back", engaged.length ? engaged.join(", ") : "none"));
  console.log(
    row(
      "sms consent",
      `${profile.consent.sms.status}${profile.consent.sms.status === "denied" ? " (replied STOP: no more SMS)" : ""}`,
    ),
  );
  console.log("Where to look:");
  console.log(`  ${dbPath}: the profiles, outbox and dead letters, in any SQLite tool`);
  console.log(
    twReal
      ? "  Twilio Console → Monitor → Messaging logs; statuses reach the app only through CARTBACK_PUBLIC_URL"
      : `  ${emulatorLogHint(twUrl!, "/2010-04-01/*")} and ${twUrl}/_emulator/callbacks (Twilio emulator, while it runs)`,
  );
} catch (error) {
  failed = true;
  console.error("\nThe example failed:", error);
} finally {
  await engine.stop();
  await new Promise((resolve) => app.close(resolve));
  await store.close();
  await pool.stop();
}
process.exitCode = failed ? 1 : 0;
