import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, startTestServer, WRITE_KEY } from "./start-test-server.js";

const url = process.env.DATABASE_URL;
const why = "DATABASE_URL is not set (.ci/run sets it to the CI machine's PostgreSQL)";
if (!url) console.warn(`server on PostgreSQL skipped: ${why}`);
const schema = `cartback_server_${process.pid}`;

describe.skipIf(!url)(
  url ? "cartback serve on PostgreSQL" : `cartback serve on PostgreSQL (skipped: ${why})`,
  () => {
    let app: Awaited<ReturnType<typeof startTestServer>>;
    beforeAll(async () => {
      app = await startTestServer({ store: { kind: "postgres", url, schema } });
    });
    afterAll(async () => {
      await app?.stop();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    });

    it("is ready on the configured schema and keeps what a batch brings", async () => {
      const ready = await fetch(`${app.url}/readyz`);
      expect(await ready.json()).toEqual({ ok: true, store: "postgres" });
      const response = await fetch(`${app.url}/v1/batch`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: basic(WRITE_KEY) },
        body: JSON.stringify({
          batch: [
            {
              type: "track",
              event: "Product Added",
              messageId: "pg-1",
              userId: "pg-user",
              timestamp: new Date(app.clock.now()).toISOString(),
              properties: { cart_id: "cart-pg", product_id: "p", price: 12, quantity: 2 },
            },
          ],
        }),
      });
      expect(response.status).toBe(200);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const tables = await client.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
        [schema],
      );
      await client.end();
      expect(tables.rows.length).toBeGreaterThan(0);
      expect((await app.engine.showProfile("pg-user"))?.profile.carts[0]?.value).toBe(24);
    });
  },
);
