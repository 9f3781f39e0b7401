/**
 * `cartback serve` killed with SIGKILL while batches are arriving: after a restart on the same SQLite
 * file, every batch that was answered 200 is in the state, and the server takes requests again.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sqliteStore } from "../../src/stores/sqlite.js";

const ROOT = resolve(import.meta.dirname, "../..");
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

/** starts the built binary on a free port; resolves with its URL once it is ready */
function serve(cwd: string) {
  const proc = spawn(process.execPath, [resolve(ROOT, "bin/cartback.js"), "serve", "--port", "0"], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      CARTBACK_WRITE_KEY: "crash",
      LOG_LEVEL: "warn",
    },
  });
  children.push(proc);
  let stdout = "";
  const exited = new Promise<void>((done) => proc.on("exit", () => done()));
  const url = new Promise<string>((ready, fail) => {
    proc.stdout.on("data", (chunk) => {
      stdout += chunk;
      const found = /listening on (http:\/\/[\d.:]+)/.exec(stdout)?.[1];
      if (found && stdout.includes("Press Ctrl-C")) ready(found);
    });
    exited.then(() => fail(new Error(`cartback serve exited: ${stdout}`)));
  });
  return { proc, url, exited };
}

function batch(n: number): string {
  const at = new Date().toISOString();
  return JSON.stringify({
    batch: Array.from({ length: 20 }, (_, i) => ({
      type: "track",
      event: "Product Added",
      messageId: `crash-${n}-${i}`,
      userId: `shopper-${n}-${i}`,
      timestamp: at,
      properties: { cart_id: `cart-${n}-${i}`, product_id: "p", price: 10, quantity: 1 },
    })),
  });
}

describe("cartback serve after SIGKILL", () => {
  it("keeps every acknowledged batch", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "cartback-crash-"));
    const first = serve(cwd);
    const url = await first.url;
    const acked: number[] = [];
    let sent = 0;
    let killed = false;
    const sender = async () => {
      while (!killed) {
        const n = sent++;
        try {
          const response = await fetch(`${url}/v1/batch`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              authorization: `Basic ${Buffer.from("crash:").toString("base64")}`,
            },
            body: batch(n),
          });
          if (response.status === 200) acked.push(n);
        } catch {
          // the connection died with the server: not acknowledged
        }
      }
    };
    const senders = Array.from({ length: 4 }, sender);
    while (acked.length < 15) await new Promise((r) => setTimeout(r, 10));
    first.proc.kill("SIGKILL");
    killed = true;
    await Promise.all(senders);
    await first.exited;
    expect(sent).toBeGreaterThan(acked.length);

    // the restarted server opens the same file and works
    const second = serve(cwd);
    const ready = await fetch(`${await second.url}/readyz`);
    expect(ready.status).toBe(200);
    second.proc.kill("SIGTERM");
    await second.exited;

    const store = sqliteStore({ path: join(cwd, "cartback.db") });
    try {
      const missing: string[] = [];
      for (const n of acked)
        for (let i = 0; i < 20; i++) {
          const ids = await store.resolve([`user:shopper-${n}-${i}`]);
          if (ids.length !== 1) missing.push(`shopper-${n}-${i}`);
        }
      expect(missing).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
