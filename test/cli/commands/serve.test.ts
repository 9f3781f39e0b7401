import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseServeArgs } from "../../../src/cli/commands/serve.js";
import { UsageError } from "../../../src/cli/types.js";
import { ROOT, runCli } from "../run-cli.js";

/** the environment of a machine with no cartback settings at all */
function bareEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...extra };
}

let child: ChildProcess | null = null;
afterEach(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  child = null;
});

/** starts the built binary and resolves with what it printed once it is ready */
function serve(cwd: string, env: NodeJS.ProcessEnv, port = 0) {
  const proc = spawn(process.execPath, [resolve(ROOT, "bin/cartback.js"), "serve", "--port", String(port)], {
    cwd,
    env,
  });
  child = proc;
  let stdout = "";
  let stderr = "";
  proc.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolveExit) => proc.on("exit", (code) => resolveExit(code)));
  const ready = new Promise<string>((resolveReady, reject) => {
    proc.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("Press Ctrl-C")) resolveReady(stdout);
    });
    exited.then((code) => reject(new Error(`cartback serve exited with ${code}: ${stderr}${stdout}`)));
  });
  return { proc, ready, exited, output: () => ({ stdout, stderr }) };
}

describe("cartback serve (the built binary)", () => {
  it("starts on the local emulators with no credentials, says so loudly, and takes a batch", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "cartback-serve-"));
    const run = serve(cwd, bareEnv());
    const banner = await run.ready;
    expect(banner).toContain("NO CREDENTIALS CONFIGURED");
    expect(banner).toMatch(/MailerLite emulator: http:\/\/127\.0\.0\.1:\d+/);
    expect(banner).toMatch(/Twilio emulator: +http:\/\/127\.0\.0\.1:\d+/);
    expect(banner).toMatch(/_emulator\/requests/);
    expect(banner).toContain(`SQLite ${join(cwd, "cartback.db")}`);
    expect(banner).toContain(
      "WhatsApp: 2 steps have no approved template and will be skipped (no_template):",
    );
    expect(banner).toContain('playbook stage 1 step "whatsapp"');
    expect(banner).toContain('playbook stage 3 step "whatsapp"');
    expect(banner).toContain("cartback setup twilio");
    const url = /listening on (http:\/\/[\d.:]+)/.exec(banner)?.[1];
    const response = await fetch(`${url}/v1/batch`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from("any:").toString("base64")}`,
      },
      body: JSON.stringify({
        batch: [
          {
            type: "track",
            event: "Product Added",
            messageId: "m-1",
            userId: "ada",
            timestamp: new Date().toISOString(),
            properties: { cart_id: "c-1", product_id: "p-1", price: 20, quantity: 1 },
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    expect(existsSync(join(cwd, "cartback.db"))).toBe(true);
    run.proc.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.output().stdout).toContain("cartback serve: stopped");
  });

  it("on a fixed port, signs demo checkout links with a temporary secret and says so", async () => {
    const port = await new Promise<number>((resolvePort) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolvePort(port));
      });
    });
    const run = serve(mkdtempSync(join(tmpdir(), "cartback-serve-")), bareEnv(), port);
    const banner = await run.ready;
    expect(banner).toContain(`listening on http://127.0.0.1:${port}`);
    expect(banner).toContain(`checkout links: http://127.0.0.1:${port}/r/…`);
    const garbled = await fetch(`http://127.0.0.1:${port}/r/not-a-token`);
    expect(garbled.status).toBe(400);
    run.proc.kill("SIGINT");
    expect(await run.exited).toBe(0);
  });

  it("refuses to start with a wrong setting and names it", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "cartback-serve-"));
    writeFileSync(join(cwd, "cartback.config.json"), JSON.stringify({ server: { port: "eighty" } }));
    const run = serve(cwd, bareEnv({ TWILIO_ACCOUNT_SID: "AC123" }));
    await expect(run.ready).rejects.toThrow(/exited with 2/);
    const { stderr } = run.output();
    expect(stderr).toContain("server.port");
    expect(stderr).toContain("cartback.config.json");
  });
});

describe("cartback serve arguments", () => {
  it("reads --port and --config, and names a wrong one", () => {
    expect(parseServeArgs(["--port", "8080", "--config=x.json"])).toEqual({
      port: 8080,
      config: "x.json",
      help: false,
    });
    expect(() => parseServeArgs(["--port", "http"])).toThrow(UsageError);
    expect(() => parseServeArgs(["--verbose"])).toThrow(/unknown option "--verbose"/);
  });

  it("prints its help", async () => {
    const { code, stdout } = await runCli(["serve", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: cartback serve");
  });
});
