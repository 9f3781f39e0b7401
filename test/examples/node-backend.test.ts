import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import { type ExampleRun, runExample } from "./run-example.js";

describe("examples/node-backend", () => {
  let emulators: RunningEmulators;
  let run: ExampleRun;
  const dir = mkdtempSync(join(tmpdir(), "cartback-node-backend-"));
  const dbPath = join(dir, "example.db");
  beforeAll(async () => {
    emulators = await startEmulators({ mailerlite: true, twilio: true });
    run = await runExample("node-backend", {
      MAILERLITE_BASE_URL: emulators.urls.mailerlite!,
      TWILIO_BASE_URL: emulators.urls.twilio!,
      CARTBACK_SQLITE_PATH: dbPath,
    });
  }, 60_000);
  afterAll(async () => {
    await emulators.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the shop and cartback side by side and ends with a summary", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.lines[0]).toMatch(/^Mode: local emulators — MailerLite emulator at .*; Twilio emulator at /);
    expect(run.stdout).toMatch(/POST \/cartback\/v1\/batch 200 \{"accepted":2,/);
    expect(run.stdout).toMatch(/GET \/ +200 \(the shop's own route, untouched\)/);
    expect(run.stdout).toMatch(/sent stage 2 sms by sms/);
    expect(run.stdout).toMatch(/sms consent +denied \(replied STOP: no more SMS\)/);
  });

  it("took Twilio's signed status callbacks and the STOP reply on the mounted webhook", () => {
    const callbacks = emulators.twilio!.callbacks();
    expect(callbacks.map((c) => c.kind)).toContain("status");
    expect(callbacks.map((c) => c.kind)).toContain("inbound");
    for (const callback of callbacks) {
      expect(new URL(callback.url).pathname).toBe("/cartback/webhooks/twilio");
      expect(callback.status).toBe(200);
    }
    expect(emulators.twilio!.optedOut()).toContain("+14155550102");
  });

  it("kept the shopper's state in the SQLite file", async () => {
    const store = sqliteStore({ path: dbPath });
    try {
      const [id] = await store.resolve(["email:noah@example.com"]);
      const stored = await store.load(id!);
      expect(stored?.profile.consent.sms.status).toBe("denied");
      expect(Object.values(stored!.profile.journeys)[0]?.sent.map((s) => s.channel)).toEqual([
        "email",
        "email",
        "sms",
      ]);
    } finally {
      await store.close();
    }
  });
});
