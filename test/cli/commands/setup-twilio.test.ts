import { PassThrough } from "node:stream";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runSetup } from "../../../src/cli/commands/setup.js";
import type { CliIO } from "../../../src/cli/types.js";
import { resolveConfig } from "../../../src/config/resolve.js";
import { startTwilioEmulator, type TwilioEmulator } from "../../../src/emulators/twilio.js";

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

const SID = `AC${"1".repeat(32)}`;
const TOKEN = "setup-twilio-token";
let emulator: TwilioEmulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startTwilioEmulator({ accounts: { [SID]: TOKEN } });
  env = { TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_BASE_URL: emulator.url };
});
afterAll(() => emulator.stop());
beforeEach(() => emulator.reset());

/** the `NAME=value` lines the command prints */
function printedSettings(out: string): Record<string, string> {
  return Object.fromEntries(
    [...out.matchAll(/^ {2}(CARTBACK_WHATSAPP_\w+)=(\S*)$/gm)].map((m) => [m[1], m[2]]),
  );
}

describe("cartback setup twilio", () => {
  it("creates the WhatsApp templates, asks for their approval, and prints settings serve accepts", async () => {
    const io = captureIO();
    expect(await runSetup(["twilio"], io, env)).toBe(0);
    const contents = emulator.contents();
    expect(contents.map((c) => c.friendly_name)).toEqual(["cartback_nudge", "cartback_urgency"]);
    expect(io.out()).toMatch(/\+ cartback_nudge +HX[0-9a-f]{32} {2}created; approval requested: received/);
    const settings = printedSettings(io.out());
    expect(settings).toEqual({
      CARTBACK_WHATSAPP_NUDGE: contents[0]!.sid,
      CARTBACK_WHATSAPP_URGENCY: contents[1]!.sid,
    });
    // what it prints is what `cartback serve` takes: the playbook's WhatsApp steps get the templates
    const steps = resolveConfig({}, settings)
      .journeys[0]!.stages.flatMap((s) => s.steps)
      .filter((s) => s.channel === "whatsapp");
    expect(steps.map((s) => (s.channel === "whatsapp" ? s.contentSid : null))).toEqual([
      contents[0]!.sid,
      contents[1]!.sid,
    ]);
  });

  it("finds its templates on a second run and only reports their review", async () => {
    await runSetup(["twilio"], captureIO(), env);
    const first = emulator.contents().map((c) => c.sid);
    const again = captureIO();
    expect(await runSetup(["twilio"], again, env)).toBe(0);
    expect(emulator.contents().map((c) => c.sid)).toEqual(first);
    expect(again.out()).toMatch(/= cartback_urgency +HX[0-9a-f]{32} {2}existing; approval: approved/);
    expect(emulator.requests({ method: "POST", path: "/v1/Content" })).toHaveLength(2);
  });

  it("says which credential is missing or wrong", async () => {
    await expect(runSetup(["twilio"], captureIO(), { TWILIO_ACCOUNT_SID: SID })).rejects.toThrow(
      "TWILIO_AUTH_TOKEN is not set",
    );
    await expect(runSetup(["twilio"], captureIO(), { TWILIO_AUTH_TOKEN: TOKEN })).rejects.toThrow(
      "TWILIO_ACCOUNT_SID is not set",
    );
    await expect(
      runSetup(["twilio"], captureIO(), { TWILIO_ACCOUNT_SID: "AC123", TWILIO_AUTH_TOKEN: TOKEN }),
    ).rejects.toThrow('TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits, got "AC123"');
    const refused = captureIO();
    expect(await runSetup(["twilio"], refused, { ...env, TWILIO_AUTH_TOKEN: "wrong" })).toBe(1);
    expect(refused.err()).toContain("Twilio refused the credentials");
  });

  it("with no credentials at all, shows what it would do against a local emulator", async () => {
    const io = captureIO();
    expect(await runSetup(["twilio"], io, {})).toBe(0);
    expect(io.out()).toContain("NO CREDENTIALS CONFIGURED");
    expect(Object.keys(printedSettings(io.out()))).toEqual([
      "CARTBACK_WHATSAPP_NUDGE",
      "CARTBACK_WHATSAPP_URGENCY",
    ]);
  });
});
