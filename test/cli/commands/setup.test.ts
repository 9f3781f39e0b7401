import { PassThrough } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runSetup } from "../../../src/cli/commands/setup.js";
import { main } from "../../../src/cli/main.js";
import type { CliIO } from "../../../src/cli/types.js";
import { MAILERLITE_FIELDS, MAILERLITE_STAGE_GROUPS } from "../../../src/core/mailerlite-fields.js";
import { type MailerLiteEmulator, startMailerLiteEmulator } from "../../../src/emulators/mailerlite.js";

function captureIO(): CliIO & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: (text) => {
      out += text;
    },
    stderr: (text) => {
      err += text;
    },
    stdin: new PassThrough(),
    out: () => out,
    err: () => err,
  };
}

let emulator: MailerLiteEmulator;
const TOKEN = "setup-token";

beforeAll(async () => {
  emulator = await startMailerLiteEmulator({ apiKeys: [TOKEN] });
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

describe("cartback setup mailerlite", () => {
  it("creates every field and stage group, then finds them all on a second run", async () => {
    const env = { MAILERLITE_API_KEY: TOKEN, MAILERLITE_BASE_URL: emulator.url };
    const first = captureIO();
    expect(await runSetup(["mailerlite"], first, env)).toBe(0);
    const keys = emulator.fields().map((f) => f.key);
    for (const field of MAILERLITE_FIELDS) expect(keys).toContain(field.key);
    expect(emulator.fields().find((f) => f.key === "cart_total")?.type).toBe("number");
    expect(emulator.groups().map((g) => g.name)).toEqual([...MAILERLITE_STAGE_GROUPS]);
    expect(first.out()).toContain("+ cart_url");
    expect(first.out()).toContain(
      `Created ${MAILERLITE_FIELDS.length + MAILERLITE_STAGE_GROUPS.length}, already there 0.`,
    );

    const second = captureIO();
    expect(await runSetup(["mailerlite"], second, env)).toBe(0);
    expect(second.out()).toContain(
      `Created 0, already there ${MAILERLITE_FIELDS.length + MAILERLITE_STAGE_GROUPS.length}.`,
    );
    expect(emulator.groups()).toHaveLength(MAILERLITE_STAGE_GROUPS.length);
    expect(emulator.requests({ method: "POST", path: "/api/fields" })).toHaveLength(MAILERLITE_FIELDS.length);
  });

  it("creates the groups named with --group and flags a field that exists with another type", async () => {
    const env = { MAILERLITE_API_KEY: TOKEN };
    const io = captureIO();
    await runSetup(["mailerlite", "--base-url", emulator.url, "--group", "vip"], captureIO(), env);
    expect(emulator.groups().map((g) => g.name)).toEqual(["vip"]);

    emulator.reset();
    const sdkCall = await fetch(`${emulator.url}/api/fields`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "cart_total", type: "text" }),
    });
    expect(sdkCall.status).toBeLessThan(300);
    expect(await runSetup(["mailerlite", "--base-url", emulator.url], io, env)).toBe(1);
    expect(io.out()).toMatch(/! cart_total\s+exists as text, cartback writes number/);
  });

  it("explains a missing key, a rejected key, and wrong usage", async () => {
    const io = captureIO();
    const previous = process.env.MAILERLITE_API_KEY;
    delete process.env.MAILERLITE_API_KEY;
    try {
      expect(await main(["setup", "mailerlite"], io)).toBe(2);
      expect(io.err()).toContain("MAILERLITE_API_KEY is not set");
      expect(await main(["setup", "klaviyo"], io)).toBe(2);
      expect(io.err()).toContain('cannot set up "klaviyo"');
    } finally {
      if (previous !== undefined) process.env.MAILERLITE_API_KEY = previous;
    }
    const denied = captureIO();
    expect(
      await runSetup(["mailerlite", "--base-url", emulator.url], denied, { MAILERLITE_API_KEY: "nope" }),
    ).toBe(1);
    expect(denied.err()).toMatch(/401.*check the `MAILERLITE_API_KEY` setting/);
  });

  it("is listed in cartback --help", async () => {
    const io = captureIO();
    await main(["--help"], io);
    expect(io.out()).toContain("setup mailerlite");
  });
});
