import { spawn } from "node:child_process";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseEmulateArgs, runEmulate } from "../../../src/cli/commands/emulate.js";
import { main } from "../../../src/cli/main.js";
import type { CliIO } from "../../../src/cli/types.js";

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

describe("cartback emulate", () => {
  it("starts the chosen emulators, prints their URLs and SDK options, and serves until stopped", async () => {
    const io = captureIO();
    let stop: () => void = () => {};
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const done = runEmulate(["--only", "mailerlite,twilio"], io, until);
    await expect.poll(() => io.out(), { timeout: 5000 }).toContain("Press Ctrl-C to stop.");

    const urls = [...io.out().matchAll(/^(\w+)\s+(http:\/\/127\.0\.0\.1:\d+)$/gm)].map((m) => [m[1], m[2]]);
    expect(urls.map(([name]) => name)).toEqual(["mailerlite", "twilio"]);
    const mailerliteUrl = urls[0]![1]!;
    expect(io.out()).toContain(`base_path: "${mailerliteUrl}"`);
    expect(io.out()).toContain("emulatorHttpClient(");

    const response = await fetch(`${mailerliteUrl}/_emulator/requests`);
    expect(await response.json()).toEqual({ requests: [] });

    stop();
    expect(await done).toBe(0);
    expect(io.out()).toContain("emulators stopped");
    await expect(fetch(`${mailerliteUrl}/_emulator/requests`)).rejects.toThrow();
  });

  it("says which argument is wrong", async () => {
    expect(() => parseEmulateArgs(["--only", "mailchimp"])).toThrow(/unknown emulator "mailchimp"/);
    expect(() => parseEmulateArgs(["--port", "abc"])).toThrow(
      /--port must be a port number from 0 to 65532, got "abc"/,
    );
    expect(() => parseEmulateArgs(["--port"])).toThrow(/--port needs a value/);
    expect(() => parseEmulateArgs(["--inbound-url", "not a url"])).toThrow(
      /--inbound-url must be an absolute http\(s\) URL/,
    );
    expect(parseEmulateArgs(["--only=mailerlite-classic", "--port=4010"])).toMatchObject({
      only: ["mailerliteClassic"],
      port: 4010,
    });

    const io = captureIO();
    expect(await main(["emulate", "--bogus"], io)).toBe(2);
    expect(io.err()).toContain('unknown option "--bogus"');
  });

  it("runs as a process and stops cleanly on SIGINT", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        "import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(['emulate', '--only', 'sendgrid']); })",
      ],
      {
        cwd: process.cwd(),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
    });
    await expect.poll(() => out, { timeout: 15_000, interval: 100 }).toContain("Press Ctrl-C to stop.");
    const url = /^sendgrid\s+(\S+)$/m.exec(out)?.[1];
    const sent = await fetch(`${url}/v3/mail/send`, {
      method: "POST",
      headers: { Authorization: "Bearer SG.any", "Content-Type": "application/json" },
      body: JSON.stringify({
        personalizations: [{ to: [{ email: "ada@example.com" }] }],
        from: { email: "shop@example.com" },
        template_id: `d-${"0".repeat(32)}`,
      }),
    });
    expect(sent.status).toBe(202);
    const code = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGINT");
    expect(await code).toBe(0);
    expect(out).toContain("emulators stopped");
  });
});
