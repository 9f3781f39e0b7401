/**
 * Two cartback servers sharing one PostgreSQL database and one pair of provider accounts (the
 * emulators): shoppers' events arrive at either server through the RudderStack SDK, both engines run
 * their scheduler and dispatcher at the same moments, and every message is delivered exactly once.
 */
import Analytics from "@rudderstack/rudder-sdk-node";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { playbookJourney } from "../../src/core/journey/presets/index.js";
import { MAILERLITE_FIELDS, MAILERLITE_STAGE_GROUPS } from "../../src/core/mailerlite-fields.js";
import { mailerliteClient } from "../../src/destinations/mailerlite.js";
import { setupMailerlite } from "../../src/destinations/mailerlite-setup.js";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { createManualClock } from "../../src/runtime/clock.js";
import { EMULATED_TWILIO } from "../../src/server/start.js";
import { startTestServer, WRITE_KEY } from "./start-test-server.js";

const url = process.env.DATABASE_URL;
const why = "DATABASE_URL is not set (.ci/run sets it to the CI machine's PostgreSQL)";
if (!url) console.warn(`two servers on PostgreSQL skipped: ${why}`);
const schema = `cartback_two_servers_${process.pid}`;
const T0 = Date.parse("2026-03-02T10:00:00Z");
const MIN = 60_000;
const SHOPPERS = 12;
const REPORT_KEY = "the-report-key-of-two-servers";
const phone = (i: number) => `+1415555${String(1000 + i).padStart(4, "0")}`;

describe.skipIf(!url)(
  url ? "two servers on one PostgreSQL" : `two servers on one PostgreSQL (skipped: ${why})`,
  () => {
    type Running = Awaited<ReturnType<typeof startTestServer>>;
    let servers: Running[] = [];
    let emulators: RunningEmulators;
    const clock = createManualClock(T0);

    beforeAll(async () => {
      emulators = await startEmulators({ mailerlite: true, twilio: true });
      const mailerliteUrl = emulators.urls.mailerlite as string;
      await setupMailerlite(mailerliteClient({ apiKey: "k", baseUrl: mailerliteUrl }), {
        fields: MAILERLITE_FIELDS,
        groups: MAILERLITE_STAGE_GROUPS,
      });
      const journey = playbookJourney({
        whatsappTemplates: { nudge: `HX${"a".repeat(32)}`, urgency: `HX${"b".repeat(32)}` },
      });
      const settings = {
        emulators: false,
        store: { kind: "postgres", url, schema },
        journeys: [journey as unknown as Record<string, unknown>],
        destinations: {
          mailerlite: { apiKey: "k", baseUrl: mailerliteUrl, pacing: false },
          twilio: {
            ...EMULATED_TWILIO,
            authToken: "a-token-of-the-shop's-own",
            whatsappFrom: EMULATED_TWILIO.from,
            baseUrl: emulators.urls.twilio,
          },
        },
        report: { key: REPORT_KEY },
      };
      // one at a time: the first runs the schema migration
      servers.push(await startTestServer(settings, clock));
      servers.push(await startTestServer(settings, clock));
    });
    afterAll(async () => {
      for (const server of servers) await server.stop();
      servers = [];
      await emulators?.stop();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    });

    /** moves the clock and runs both engines' passes at once until neither has work */
    async function at(minutes: number) {
      clock.set(T0 + minutes * MIN);
      for (let i = 0; i < 30; i++) {
        const passes = await Promise.all(servers.map((s) => s.engine.tick()));
        if (passes.every((p) => p.woke === 0 && p.dispatched === 0)) return;
      }
      throw new Error("the engines did not settle");
    }

    it("delivers each shopper's messages once, whichever server took the events", async () => {
      const clients = servers.map(
        (s) => new Analytics(WRITE_KEY, { dataPlaneUrl: s.url, flushAt: 1000, flushInterval: 60_000 }),
      );
      const send = async (minutes: number, fn: (i: number, sdk: Analytics, timestamp: Date) => void) => {
        clock.set(T0 + minutes * MIN);
        for (let i = 0; i < SHOPPERS; i++)
          fn(i, clients[(i + minutes) % 2] as Analytics, new Date(T0 + minutes * MIN));
        await Promise.all(clients.map((c) => c.flush()));
      };
      const item = (i: number, price: number, product: string) => ({
        cart_id: `cart-${i}`,
        product_id: product,
        price,
        quantity: 1,
        currency: "USD",
      });
      await send(0, (i, sdk, timestamp) => {
        sdk.identify({
          userId: `s${i}`,
          timestamp,
          context: { timezone: "UTC" },
          traits: { email: `s${i}@example.com`, phone: phone(i), sms_opt_in: true, whatsapp_opt_in: true },
        });
        sdk.track({ userId: `s${i}`, event: "Product Added", timestamp, properties: item(i, 90, "shirt") });
      });
      // the second item arrives at the other server
      await send(5, (i, sdk, timestamp) =>
        sdk.track({ userId: `s${i}`, event: "Product Added", timestamp, properties: item(i, 10, "belt") }),
      );

      // each stage's email, and its text 10 minutes later
      await at(20);
      await at(30);
      await at(4 * 60 + 20);
      await at(4 * 60 + 30);
      await at(5 * 60);

      const sent = (emulators.twilio?.messages() ?? []).filter((m) => m.direction === "outbound-api");
      for (let i = 0; i < SHOPPERS; i++) {
        const mine = sent.map((m) => m.to).filter((to) => to.endsWith(phone(i)));
        expect(mine, `shopper ${i}`).toEqual([`whatsapp:${phone(i)}`, phone(i)]);
        const groups = (emulators.mailerlite?.subscriber(`s${i}@example.com`)?.groups ?? []).map(
          (g) => g.name,
        );
        expect(groups.sort(), `shopper ${i}`).toEqual(["cartback-stage-1", "cartback-stage-2"]);
      }
      const groupAdds = emulators.mailerlite
        ?.requests({ method: "POST" })
        .filter((r) => r.path.includes("/groups/"));
      expect(groupAdds).toHaveLength(SHOPPERS * 2);
      const dead = (await servers[0]?.store.listOutbox())?.filter((e) => e.state === "dead");
      expect(dead).toEqual([]);
    });

    it("reports the same recoveries from either server, and their counters add up to them", async () => {
      // every other shopper orders, each through the server that did not plan their last message
      clock.set(T0 + (5 * 60 + 10) * MIN);
      for (let i = 0; i < SHOPPERS; i += 2) {
        const server = servers[i % 4 === 0 ? 1 : 0] as Running;
        const response = await fetch(`${server.url}/v1/batch`, {
          method: "POST",
          headers: {
            authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString("base64")}`,
            "content-type": "application/json",
          },
          body: JSON.stringify({
            batch: [
              {
                type: "track",
                event: "Order Completed",
                messageId: `order-${i}`,
                userId: `s${i}`,
                timestamp: new Date(T0 + (5 * 60 + 10) * MIN).toISOString(),
                properties: { cart_id: `cart-${i}`, order_id: `o-${i}`, total: 100, currency: "USD" },
              },
            ],
          }),
        });
        expect(response.status).toBe(200);
      }
      await at(30 * 24 * 60);
      const reports = await Promise.all(
        servers.map(async (s) => {
          const response = await fetch(`${s.url}/report.json`, {
            headers: { authorization: `Bearer ${REPORT_KEY}` },
          });
          expect(response.status).toBe(200);
          const { generatedAt: _at, ...report } = (await response.json()) as Record<string, unknown>;
          return report;
        }),
      );
      expect(reports[1]).toEqual(reports[0]);
      const journey = (
        reports[0] as { journeys: { treated: { carts: number; recovered: number; revenue: unknown } }[] }
      ).journeys[0];
      expect(journey?.treated).toMatchObject({
        carts: SHOPPERS,
        recovered: SHOPPERS / 2,
        revenue: { USD: 100 * (SHOPPERS / 2) },
      });
      // each recovery was counted by the one server that recorded it
      let counted = 0;
      for (const server of servers) {
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        for (const match of metrics.matchAll(/^cartback_recoveries_total\{[^}]*\} (\d+)$/gm))
          counted += Number(match[1]);
      }
      expect(counted).toBe(SHOPPERS / 2);
    });
  },
);
