import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAILERLITE_FIELDS } from "../../src/core/mailerlite-fields.js";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { runExample } from "./run-example.js";

describe("examples/mailerlite-sandbox", () => {
  let emulators: RunningEmulators;
  beforeAll(async () => {
    emulators = await startEmulators({ mailerlite: true });
  });
  afterAll(() => emulators.stop());

  it("prepares the account, walks the stage groups, exits on order and forgets the shopper", async () => {
    const run = await runExample("mailerlite-sandbox", { MAILERLITE_BASE_URL: emulators.urls.mailerlite! });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe(
      `Mode: local MailerLite emulator at ${emulators.urls.mailerlite} (MAILERLITE_API_KEY is not set)`,
    );
    expect(run.stdout).toMatch(
      /stage 3 email +in groups: cartback-stage-1, cartback-stage-2, cartback-stage-3/,
    );
    expect(run.stdout).toMatch(/Summary\n +account +local emulator/);

    const ml = emulators.mailerlite!;
    expect(ml.fields().map((f) => f.key)).toEqual(expect.arrayContaining(["cart_url", "recovery_stage"]));
    expect(ml.groups().map((g) => g.name)).toEqual(
      expect.arrayContaining([
        "cartback-stage-1",
        "cartback-stage-2",
        "cartback-stage-3",
        "cartback-stage-4",
      ]),
    );
    const upserts = ml.requests({ method: "POST", path: "/api/subscribers" });
    expect(upserts).toHaveLength(3);
    expect(upserts.at(-1)?.body).toMatchObject({
      email: "ada.lovelace@example.com",
      fields: { recovery_stage: 3, discount_code: "CB-ADA10", cart_total: 84.5 },
    });
    expect(ml.requests({ method: "DELETE", path: "/api/subscribers/*" })).toHaveLength(3);
    expect(
      ml.requests({ method: "POST", path: "/api/subscribers/*" }).filter((r) => r.path.endsWith("/forget")),
    ).toHaveLength(1);
    // forgotten: the account holds no trace of the shopper
    expect(ml.subscribers()).toEqual([]);
    expect(ml.requests().every((r) => r.status < 400 || r.method === "GET")).toBe(true);
  });

  it("leaves what exists alone on a second run and can keep the shopper", async () => {
    const run = await runExample("mailerlite-sandbox", {
      MAILERLITE_BASE_URL: emulators.urls.mailerlite!,
      MAILERLITE_TEST_EMAIL: "grace@example.org",
      MAILERLITE_KEEP_SUBSCRIBER: "1",
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`fields +0 created, ${MAILERLITE_FIELDS.length} existing`));
    expect(run.stdout).toMatch(/groups +0 created, 4 existing/);
    const kept = emulators.mailerlite!.subscriber("grace@example.org");
    expect(kept?.groups).toEqual([]);
    expect(kept?.fields.recovery_stage).toBe(3);
  });
});

describe("examples read their settings from a .env file", () => {
  it("loads the file CARTBACK_ENV_FILE names", async () => {
    const emulators = await startEmulators({ mailerlite: true });
    const dir = mkdtempSync(join(tmpdir(), "cartback-env-"));
    try {
      const file = join(dir, ".env");
      writeFileSync(
        file,
        `MAILERLITE_BASE_URL=${emulators.urls.mailerlite}\nMAILERLITE_TEST_EMAIL=env@example.com\n`,
      );
      const run = await runExample("mailerlite-sandbox", { CARTBACK_ENV_FILE: file });
      expect(run.code).toBe(0);
      expect(run.lines[0]).toContain(`emulator at ${emulators.urls.mailerlite}`);
      expect(
        emulators.mailerlite!.requests({ method: "POST", path: "/api/subscribers" })[0]?.body,
      ).toMatchObject({
        email: "env@example.com",
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await emulators.stop();
    }
  });

  it("says which file is missing", async () => {
    const run = await runExample("mailerlite-sandbox", { CARTBACK_ENV_FILE: "/nonexistent/cartback.env" });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("CARTBACK_ENV_FILE: no file at /nonexistent/cartback.env");
  });
});
