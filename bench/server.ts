/**
 * Server benchmark: ingest throughput over HTTP on loopback, `POST /v1/batch` with 100 messages per
 * request (a RudderStack SDK's batch), into SQLite, with the engine's loops off so only ingest counts.
 * BENCH_SERVER_REQUESTS (default 200) bounds the requests; BENCH_SERVER_IN_FLIGHT (default 4) the
 * requests open at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { resolveConfig } from "../src/config/resolve.js";
import { createLogger } from "../src/server/logger.js";
import { startCartback } from "../src/server/start.js";

const REQUESTS = Number(process.env.BENCH_SERVER_REQUESTS ?? 200);
const IN_FLIGHT = Number(process.env.BENCH_SERVER_IN_FLIGHT ?? 4);
const BATCH = 100;
const T0 = Date.now();

function batchBody(request: number): string {
  const batch = [];
  for (let i = 0; i < BATCH; i++) {
    const shopper = `s-${request}-${i}`;
    batch.push({
      type: "track",
      event: "Product Added",
      messageId: `m-${request}-${i}`,
      userId: shopper,
      timestamp: new Date(T0 + i).toISOString(),
      context: { traits: { email: `${shopper}@example.com` } },
      properties: {
        cart_id: `cart-${shopper}`,
        product_id: "p-1",
        name: "Linen shirt",
        price: 40,
        quantity: 1,
      },
    });
  }
  return JSON.stringify({ batch, sentAt: new Date(T0).toISOString() });
}

async function run(label: string, mode: "json" | "gzip" | "in-process"): Promise<void> {
  const gzip = mode === "gzip";
  const dir = mkdtempSync(join(tmpdir(), "cartback-bench-server-"));
  const config = resolveConfig(
    {
      writeKey: "bench",
      emulators: true,
      store: { kind: "sqlite", path: join(dir, "cartback.db") },
      server: { port: 0, host: "127.0.0.1" },
    },
    {},
  );
  const app = await startCartback({ config, loops: false, logger: createLogger({ level: "silent" }) });
  const bodies = Array.from({ length: REQUESTS }, (_, i) => {
    const text = batchBody(i);
    return gzip ? gzipSync(text) : text;
  });
  const headers: Record<string, string> = {
    "content-type": "application/json",
    authorization: `Basic ${Buffer.from("bench:").toString("base64")}`,
    ...(gzip ? { "content-encoding": "gzip" } : {}),
  };
  let next = 0;
  let accepted = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string | Uint8Array;
        if (mode === "in-process") {
          // the same messages straight into the engine: what HTTP adds is the difference
          const { batch } = JSON.parse(body as string) as { batch: unknown[] };
          const result = await app.engine.ingest(batch);
          accepted += result.accepted;
          continue;
        }
        const response = await fetch(`${app.url}/v1/batch`, { method: "POST", headers, body });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
        const result = (await response.json()) as { accepted: number };
        accepted += result.accepted;
      }
    }),
  );
  const elapsed = performance.now() - started;
  await app.stop();
  rmSync(dir, { recursive: true, force: true });
  if (accepted !== REQUESTS * BATCH) throw new Error(`accepted ${accepted} of ${REQUESTS * BATCH}`);
  const perSecond = Math.round((accepted / elapsed) * 1000).toLocaleString("en-US");
  console.log(
    `${mode === "in-process" ? "" : "HTTP ingest, "}${label}: ${accepted.toLocaleString("en-US")} messages in ${REQUESTS} requests of ${BATCH}, ${IN_FLIGHT} in flight: ${elapsed.toFixed(0)} ms → ${perSecond} messages/s`,
  );
}

export async function bench(): Promise<void> {
  await run("JSON", "json");
  await run("gzip", "gzip");
  await run("in-process engine.ingest, same batches", "in-process");
}
