/**
 * A process killed with SIGKILL in the middle of saving loses nothing it acknowledged: every
 * transaction whose promise resolved is in the file after a restart, with its outbox command.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { sqliteStore } from "../../src/stores/sqlite.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cartback-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// saves profiles 50 at a time, forever, printing each id once its save resolved
const writer = `
  const { sqliteStore } = await import("./src/stores/sqlite.ts");
  const { sampleProfile, sampleSms } = await import("./test/stores/sample-profile.ts");
  const store = sqliteStore({ path: process.env.CRASH_DB });
  for (let batch = 0; ; batch++) {
    await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      const id = "p" + (batch * 50 + i);
      await store.transact(id, (tx) => tx.save({
        profile: sampleProfile(id), wakeAt: 1, keys: ["user:" + id], commands: [sampleSms(id, "k-" + id)], now: 1,
      }));
      process.stdout.write(id + "\\n");
    }));
  }
`;

describe("sqlite store after a crash", () => {
  it("keeps every save it acknowledged before SIGKILL", async () => {
    const path = join(dir, "crash.db");
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", writer], {
      cwd: root,
      env: { ...process.env, CRASH_DB: path, NODE_NO_WARNINGS: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acknowledged: string[] = [];
    let buffer = "";
    await new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", () => resolve());
      child.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop()!;
        acknowledged.push(...lines);
        // kill it mid-stream, while more saves are in flight
        if (acknowledged.length >= 3000 && !child.killed) child.kill("SIGKILL");
      });
    });
    expect(acknowledged.length).toBeGreaterThanOrEqual(3000);

    const store = sqliteStore({ path });
    const missing: string[] = [];
    for (const id of acknowledged) {
      const [stored, entry] = await Promise.all([store.load(id), store.getOutbox(`k-${id}`)]);
      if (!stored || !entry || (await store.resolve([`user:${id}`]))[0] !== id) missing.push(id);
    }
    expect(missing).toEqual([]);
    const stats = await store.stats(1);
    expect(stats.profiles).toBe(stats.outbox.pending);
    await store.close();
  }, 60_000);
});
