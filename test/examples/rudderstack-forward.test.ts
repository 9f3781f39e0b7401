import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { playbookJourney } from "../../src/core/journey/index.js";
import { createEngine } from "../../src/runtime/engine.js";
import { silentLogger } from "../../src/runtime/logger.js";
import { createHandler } from "../../src/server/handler.js";
import { type NodeServer, serveNode } from "../../src/server/node.js";
import { memoryStore } from "../../src/stores/memory.js";
import { runExample } from "./run-example.js";

describe("examples/rudderstack-forward", () => {
  // the shopper has no time zone of their own, so email's quiet hours (22:00-08:00) are the store's
  // default, UTC: by day the abandonment sends the email, at night the email waits for the morning
  it.each([
    ["by day", "2026-12-05T12:00:00.000Z"],
    ["at night", "2026-12-05T02:00:00.000Z"],
  ])(
    "sends the session to cartback's own ingest and shows the profile and cart it became (%s)",
    async (when, now) => {
      const run = await runExample("rudderstack-forward", {}, { now });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.lines[0]).toMatch(
        /^Mode: cartback's own ingest at http:\/\/127\.0\.0\.1:\d+ \(RUDDERSTACK_DATA_PLANE_URL is not set\)$/,
      );
      expect(run.stdout).toMatch(/received +6 messages → \d+ cart events/);
      expect(run.stdout).toMatch(/cart +cart-4821: Linen shirt x1, Canvas tote x2; USD 116 \(checkout\)/);
      expect(run.stdout).toMatch(/abandoned if quiet +in 60 min/);
      const abandonedAt = /abandoned if quiet +in 60 min \((.+)\)/.exec(run.stdout)?.[1] ?? "";
      // an hour after the session, which ran at `now`
      expect(Date.parse(abandonedAt) - Date.parse(now)).toBeGreaterThanOrEqual(60 * 60_000);
      expect(Date.parse(abandonedAt) - Date.parse(now)).toBeLessThan(62 * 60_000);
      const planned = /then the journey sends +(.*)/.exec(run.stdout)?.[1] ?? "";
      const again = /and looks again +(\S+)/.exec(run.stdout)?.[1] ?? "";
      expect(Date.parse(again)).toBeGreaterThan(Date.parse(abandonedAt));
      if (when === "by day") expect(planned).toMatch(/mailerlite\.addToGroup \(email\)/);
      else {
        // the email goes out when the window opens
        expect(planned).toBe("rudderstack.track");
        expect(again).toBe("2026-12-05T08:00:00.000Z");
      }
    },
  );

  describe("with a data plane URL", () => {
    const store = memoryStore();
    const engine = createEngine({ store, journeys: [playbookJourney()], destinations: [] });
    let plane: NodeServer;
    beforeAll(async () => {
      const handler = createHandler({
        engine,
        store,
        logger: silentLogger,
        config: {
          writeKey: "test-write-key",
          server: { publicUrl: null, maxBodyBytes: 1 << 20, webhookHeader: null },
          links: { secret: null, fallbackUrl: null },
          webhooks: { mailerliteSecret: null, twilioAuthToken: null },
        },
      });
      plane = await serveNode(handler, { port: 0, host: "127.0.0.1" });
    });
    afterAll(async () => {
      await plane.close();
      await engine.stop();
    });

    it("sends the same session there, with the write key", async () => {
      const run = await runExample("rudderstack-forward", {
        RUDDERSTACK_DATA_PLANE_URL: plane.url,
        RUDDERSTACK_WRITE_KEY: "test-write-key",
      });
      expect(run.code).toBe(0);
      expect(run.lines[0]).toBe(
        `Mode: real RudderStack data plane at ${plane.url} (RUDDERSTACK_DATA_PLANE_URL and RUDDERSTACK_WRITE_KEY are set)`,
      );
      expect(run.stdout).toMatch(/delivery +6 messages accepted by the data plane/);
      expect(engine.metrics().messages.accepted).toBe(6);
      const report = await engine.showProfile("priya@example.com");
      expect(report?.keys).toEqual(expect.arrayContaining(["user:customer-4821", "anon:anon-7f3a9c"]));
      expect(report?.profile.carts[0]).toMatchObject({ value: 116, currency: "USD", status: "checkout" });
    });

    it("says so when the data plane refuses the write key", async () => {
      const run = await runExample("rudderstack-forward", {
        RUDDERSTACK_DATA_PLANE_URL: plane.url,
        RUDDERSTACK_WRITE_KEY: "wrong-key",
      });
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/delivery +failed: .*401/);
      expect(run.stdout).toContain("Check RUDDERSTACK_DATA_PLANE_URL and RUDDERSTACK_WRITE_KEY.");
    });

    it("asks for the write key when only the URL is set", async () => {
      const run = await runExample("rudderstack-forward", { RUDDERSTACK_DATA_PLANE_URL: plane.url });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("RUDDERSTACK_WRITE_KEY is not");
    });
  });
});
