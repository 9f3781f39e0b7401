/**
 * Bad settings are refused, naming the setting, whether they come from a flag, a config file or the
 * environment; every command reports an unknown flag and a wrong input the same way.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startBanner } from "../../src/cli/commands/serve.js";
import { COMMANDS } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config/load.js";
import type { RunningCartback } from "../../src/server/start.js";
import { ROOT, runCli } from "./run-cli.js";

const sample = join(ROOT, "examples/events/sample.ndjson");

describe("flags", () => {
  it("every command names an unknown flag in one clear line and shows its usage", async () => {
    for (const command of COMMANDS) {
      const argv = [command.name, ...(command.name === "setup" ? ["mailerlite"] : []), "--nope"];
      const { code, stderr } = await runCli(argv);
      expect(code, command.name).toBe(2);
      expect(stderr, command.name).toBe(
        `cartback ${command.name}: unknown option "--nope"\n\nUsage: cartback ${command.usage}\n`,
      );
    }
  });

  it("refuses values that would be taken silently, naming the flag and the value", async () => {
    const cases: [string[], string][] = [
      [
        ["simulate", "--store-timezone", "Mars/Base", sample],
        '--store-timezone must be an IANA time zone such as Europe/London or America/New_York, got "Mars/Base"',
      ],
      [
        ["simulate", "--link-base", "notaurl", sample],
        '--link-base must be an absolute http(s) URL such as https://cartback.shop.example.com, got "notaurl"',
      ],
      [
        ["validate", "--region", "india", sample],
        '--region must be a two-letter ISO country code such as IN, US or GB, got "india"',
      ],
      [["simulate", "--region", "XX", sample], "--region must be a two-letter ISO country code"],
      [["validate", "--format", "yaml", sample], '--format must be text or json, got "yaml"'],
      [
        ["validate", sample, "b.ndjson"],
        'unexpected argument "b.ndjson": this command takes <events.ndjson|->',
      ],
      [["simulate", sample, "b.ndjson"], 'unexpected argument "b.ndjson"'],
      [["emulate", "--port", "99999"], '--port must be a port number from 0 to 65532, got "99999"'],
      [["dlq", "list", "--limit", "ten"], '--limit must be a positive integer, got "ten"'],
      [
        ["profile", "show", "ana", "--database-url", "mysql://x"],
        '--database-url must be a PostgreSQL URL such as postgres://user@127.0.0.1:5432/shop, got "mysql://x"',
      ],
      [["setup", "mailerlite", "--base-url", "localhost:4010"], "--base-url must be an absolute http(s) URL"],
      [["forget", "ana", "bob"], 'unexpected argument "bob"'],
    ];
    for (const [argv, message] of cases) {
      const { code, stderr } = await runCli(argv);
      expect(code, argv.join(" ")).toBe(2);
      expect(stderr, argv.join(" ")).toContain(message);
    }
  });

  it("says a directory is not an input file", async () => {
    for (const name of ["validate", "simulate"]) {
      const { code, stderr } = await runCli([name, ROOT]);
      expect(code).toBe(2);
      expect(stderr).toBe(
        `cartback ${name}: ${ROOT} is a directory: give an NDJSON file, or - for standard input\n`,
      );
    }
  });

  it("reads a setting from the environment through the same check", async () => {
    process.env.CARTBACK_DISCOUNT_SECRET = "short";
    try {
      const { code, stderr } = await runCli(["simulate", sample]);
      expect(code).toBe(2);
      expect(stderr).toContain("CARTBACK_DISCOUNT_SECRET must be at least 16 characters");
    } finally {
      delete process.env.CARTBACK_DISCOUNT_SECRET;
    }
  });
});

describe("config files and the environment", () => {
  const dir = (files: Record<string, string>) => {
    const cwd = mkdtempSync(join(tmpdir(), "cartback-settings-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
    return cwd;
  };

  it("refuses the same bad values in a config file and in the environment, naming each", async () => {
    const cwd = dir({
      "cartback.config.json": JSON.stringify({ storeTimezone: "Mars/Base", links: { baseUrl: "notaurl" } }),
    });
    await expect(loadConfig({ cwd, env: {} })).rejects.toThrow(
      /links\.baseUrl: must be an absolute http\(s\) URL[^\n]*, got "notaurl"\n\s+- storeTimezone: must be an IANA time zone such as Europe\/London or America\/New_York, got "Mars\/Base"/,
    );
    const bare = dir({});
    const env = { PORT: "http", CARTBACK_LINK_SECRET: "short", DATABASE_URL: "notaurl", LOG_LEVEL: "loud" };
    const error = await loadConfig({ cwd: bare, env }).catch((e: Error) => e);
    expect(String(error)).toContain('PORT: must be a port number from 0 to 65535, got "http"');
    expect(String(error)).toContain("CARTBACK_LINK_SECRET: must be at least 16 characters");
    expect(String(error)).not.toContain('"short"');
    expect(String(error)).toContain("DATABASE_URL: must be a PostgreSQL URL");
    expect(String(error)).toContain(
      "LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent",
    );
  });

  it("reads .env in the working directory; variables already set win", async () => {
    const cwd = dir({ ".env": "CARTBACK_WRITE_KEY=from-dotenv\nLOG_LEVEL=debug\n" });
    const config = await loadConfig({ cwd, env: { LOG_LEVEL: "warn" } });
    expect(config.envFile).toBe(join(cwd, ".env"));
    expect(config.writeKey).toBe("from-dotenv");
    expect(config.logLevel).toBe("warn");
    const none = await loadConfig({ cwd, env: { CARTBACK_ENV_FILE: "none" } });
    expect(none.writeKey).toBeNull();
  });

  it("the banner says where the write key came from", async () => {
    const running = { url: "http://127.0.0.1:3000", emulators: null } as unknown as RunningCartback;
    const fromFile = await loadConfig({
      cwd: dir({ "cartback.config.json": JSON.stringify({ writeKey: "wk", emulators: true }) }),
      env: {},
    });
    expect(startBanner(fromFile, running)).toMatch(/write key: set \(writeKey in .*cartback\.config\.json\)/);
    const fromEnv = await loadConfig({ cwd: dir({}), env: { CARTBACK_WRITE_KEY: "wk" } });
    expect(startBanner(fromEnv, running)).toContain("write key: set (CARTBACK_WRITE_KEY)");
  });
});
