import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, defineConfig, loadConfig, resolveConfig } from "../../src/config/index.js";

function problemsOf(run: () => unknown): { setting: string; message: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

const TWILIO = {
  TWILIO_ACCOUNT_SID: `AC${"a".repeat(32)}`,
  TWILIO_AUTH_TOKEN: "token",
  TWILIO_FROM: "+15005550006",
};

describe("resolveConfig", () => {
  it("with nothing set, runs the playbook on ./cartback.db against the local emulators", () => {
    const config = resolveConfig({}, {});
    expect(config.emulate).toBe(true);
    expect(config.store).toEqual({ kind: "sqlite", path: "./cartback.db" });
    expect(config.journeys.map((j) => j.name)).toEqual(["Cart recovery playbook"]);
    expect(config.server.port).toBe(3000);
    expect(config.writeKey).toBeNull();
  });

  it("takes secrets from the environment and turns the emulators off", () => {
    const config = resolveConfig(
      {},
      { ...TWILIO, MAILERLITE_API_KEY: "ml-key", CARTBACK_WRITE_KEY: "wk", DATABASE_URL: "postgres://x/db" },
    );
    expect(config.emulate).toBe(false);
    expect(config.destinations.mailerlite).toMatchObject({ apiKey: "ml-key" });
    expect(config.destinations.twilio).toMatchObject({
      accountSid: TWILIO.TWILIO_ACCOUNT_SID,
      from: "+15005550006",
    });
    expect(config.webhooks.twilioAuthToken).toBe("token");
    expect(config.store).toEqual({ kind: "postgres", url: "postgres://x/db" });
    expect(config.writeKey).toBe("wk");
  });

  it("names each missing Twilio setting", () => {
    const problems = problemsOf(() =>
      resolveConfig({}, { TWILIO_ACCOUNT_SID: "nope", MAILERLITE_API_KEY: "k", CARTBACK_WRITE_KEY: "w" }),
    );
    expect(problems.map((p) => p.setting)).toEqual([
      "TWILIO_ACCOUNT_SID",
      "TWILIO_AUTH_TOKEN",
      "TWILIO_FROM",
    ]);
    expect(problems[0]?.message).toContain("AC followed by 32 hex digits");
  });

  it("requires a write key once real destinations are configured", () => {
    const problems = problemsOf(() => resolveConfig({}, { MAILERLITE_API_KEY: "k" }));
    expect(problems).toEqual([
      { setting: "CARTBACK_WRITE_KEY", message: expect.stringContaining("missing") },
    ]);
  });

  it("names wrong settings in the file by their path", () => {
    const error = (() => {
      try {
        resolveConfig(
          { server: { port: "80" }, links: { secret: "short" }, colour: "red" },
          {},
          "cartback.config.json",
        );
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.message).toContain("in cartback.config.json");
    const settings = error?.problems.map((p) => p.setting) ?? [];
    expect(settings).toEqual(expect.arrayContaining(["server.port", "links.secret", "(config)"]));
    expect(error?.problems.find((p) => p.setting === "(config)")?.message).toContain("colour");
  });

  it("reports a bad environment value by the variable's name", () => {
    expect(problemsOf(() => resolveConfig({}, { PORT: "eighty" }))).toEqual([
      { setting: "PORT", message: 'must be a port number from 0 to 65535, got "eighty"' },
    ]);
    expect(problemsOf(() => resolveConfig({}, { CARTBACK_LINK_SECRET: "abc" }))[0]?.setting).toBe(
      "CARTBACK_LINK_SECRET",
    );
  });

  it("points a journey problem at the journey in the list", () => {
    const problems = problemsOf(() => resolveConfig({ journeys: ["playbook", { name: 3 }] }, {}));
    expect(problems.every((p) => p.setting.startsWith("journeys[1]"))).toBe(true);
  });

  it("gives the playbook its WhatsApp templates from the environment or the file, and names a wrong one", () => {
    const nudge = `HX${"c".repeat(32)}`;
    const urgency = `HX${"d".repeat(32)}`;
    const sids = (config: ReturnType<typeof resolveConfig>) =>
      config.journeys[0]!.stages.flatMap((s) => s.steps).flatMap((s) =>
        s.channel === "whatsapp" ? [s.contentSid] : [],
      );
    expect(sids(resolveConfig({}, {}))).toEqual([undefined, undefined]);
    expect(
      sids(resolveConfig({}, { CARTBACK_WHATSAPP_NUDGE: nudge, CARTBACK_WHATSAPP_URGENCY: urgency })),
    ).toEqual([nudge, urgency]);
    expect(sids(resolveConfig({ whatsappTemplates: { urgency } }, {}))).toEqual([undefined, urgency]);
    expect(
      problemsOf(() => resolveConfig({}, { CARTBACK_WHATSAPP_NUDGE: "HX-set-your-nudge-template" })),
    ).toEqual([
      {
        setting: "CARTBACK_WHATSAPP_NUDGE",
        message:
          'must be a Content API template SID: HX followed by 32 hex digits, got "HX-set-your-nudge-template"',
      },
    ]);
    expect(problemsOf(() => resolveConfig({ whatsappTemplates: { nudge: "HX1" } }, {}))[0]?.setting).toBe(
      "whatsappTemplates.nudge",
    );
  });

  it("refuses to run with emulators off and nowhere to send", () => {
    expect(problemsOf(() => resolveConfig({ emulators: false, writeKey: "w" }, {}))[0]?.setting).toBe(
      "destinations",
    );
  });
});

describe("loadConfig", () => {
  const dir = () => mkdtempSync(join(tmpdir(), "cartback-config-"));

  it("reads cartback.config.json from the working directory and resolves the SQLite path there", async () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, "cartback.config.json"),
      JSON.stringify({ store: { kind: "sqlite", path: "data/x.db" } }),
    );
    const config = await loadConfig({ cwd, env: {} });
    expect(config.source).toBe(join(cwd, "cartback.config.json"));
    expect(config.store).toEqual({ kind: "sqlite", path: join(cwd, "data/x.db") });
  });

  it("passes the SQLite durability setting on, and refuses one SQLite does not have", async () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, "cartback.config.json"),
      JSON.stringify({ store: { kind: "sqlite", synchronous: "full" } }),
    );
    expect((await loadConfig({ cwd, env: {} })).store).toEqual({
      kind: "sqlite",
      path: join(cwd, "cartback.db"),
      synchronous: "full",
    });
    writeFileSync(
      join(cwd, "cartback.config.json"),
      JSON.stringify({ store: { kind: "sqlite", synchronous: "off" } }),
    );
    await expect(loadConfig({ cwd, env: {} })).rejects.toThrow("store.synchronous");
  });

  it("loads a TypeScript config written with defineConfig", async () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, "cartback.config.ts"),
      `const port: number = 4100;\nexport default { journeys: ["classic"], server: { port } };\n`,
    );
    const config = await loadConfig({ cwd, env: {} });
    expect(config.server.port).toBe(4100);
    expect(config.journeys).toHaveLength(1);
    expect(defineConfig({ journeys: ["classic"] })).toEqual({ journeys: ["classic"] });
  });

  it("says which file is not JSON", async () => {
    const cwd = dir();
    writeFileSync(join(cwd, "cartback.config.json"), "{ port: 1 ");
    await expect(loadConfig({ cwd, env: {} })).rejects.toThrow(/cartback\.config\.json[\s\S]*not valid JSON/);
  });

  it("says when --config names a missing file", async () => {
    await expect(loadConfig({ cwd: dir(), path: "nope.json", env: {} })).rejects.toThrow(
      /--config: no such file/,
    );
  });
});
