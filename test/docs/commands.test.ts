/**
 * Walks the README and the docs as a new user would, against the packed package: a fresh project
 * installs the tarball `npm pack` makes (and the SDKs the docs name), every `cartback …` command the
 * docs show runs there as written, and every example runs from `node_modules/cartback/examples`.
 * New commands in the docs are picked up by themselves; only placeholders need a value below.
 */
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { ROOT, readDocs } from "./doc-files.js";

const run = promisify(execFile);
/** compiling better-sqlite3 takes minutes on a busy machine */
const INSTALL_MS = 25 * 60_000;

/** the SDKs and tools the docs have a user install next to cartback, at the versions tested here */
const PEERS = [
  "@mailerlite/mailerlite-nodejs",
  "twilio",
  "@rudderstack/rudder-sdk-node",
  "better-sqlite3",
  "tsx",
];
const pinned = (name: string) =>
  `${name}@${(JSON.parse(readFileSync(resolve(ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string }).version}`;

/** values for the placeholders the docs write in commands */
const PLACEHOLDERS: [RegExp, string][] = [
  [/(^|\s)events\.ndjson/g, "$1examples/events/sample.ndjson"],
  [/my-journey\.json/g, "examples/journeys/custom.json"],
  [/=…/g, "=any-token"],
  [/<key>( \[<key>…\])?/g, "no-such-key"],
];

interface DocCommand {
  where: string;
  env: Record<string, string>;
  args: string[];
}

/** `cartback …` commands in the docs' shell blocks and code spans, without comments, pipes and redirects */
function docCommands(where: string, text: string): DocCommand[] {
  const blocks = [...text.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].flatMap((m) =>
    (m[1] as string).replace(/\\\n\s*/g, " ").split("\n"),
  );
  const spans = [...text.matchAll(/`((?:[A-Z_]+=\S+ )*npx cartback [^`]+)`/g)].map((m) => m[1] as string);
  const commands: DocCommand[] = [];
  for (const raw of [...blocks, ...spans]) {
    let line =
      raw
        .replace(/\s#.*$/, "")
        .split(/\s[|>]\s/)[0]
        ?.trim() ?? "";
    const match = /^((?:[A-Z_]+=\S+\s+)*)(?:npx )?cartback\s+(.*)$/.exec(line);
    if (!match) continue;
    // a synopsis (`cartback simulate [--journey <preset|file.json>] …`) is not a command
    if (/\[--|\|\w+\]|<[\w.|-]+>\s*$/.test(match[2] as string) && !/<key>/.test(match[2] as string)) continue;
    line = PLACEHOLDERS.reduce((text, [pattern, value]) => text.replace(pattern, value), line);
    const [, prefix = "", rest = ""] = /^((?:[A-Z_]+=\S+\s+)*)(?:npx )?cartback\s+(.*)$/.exec(line) ?? [];
    const env = Object.fromEntries(
      prefix
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((pair) => pair.split("=") as [string, string]),
    );
    commands.push({
      where,
      env,
      args: rest.match(/'[^']*'|"[^"]*"|\S+/g)?.map((a) => a.replace(/^['"]|['"]$/g, "")) ?? [],
    });
  }
  return commands;
}

let project: string;
let tarball: string;
let emulators: RunningEmulators;

/** the clean environment of a new user's shell: no credentials, no settings */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_NO_WARNINGS: "1", ...extra };
}

/** an emulator a command's `http://127.0.0.1:4010`-style URL stands for, running in this test */
function aimAtEmulators(arg: string): string {
  return arg.replace(/http:\/\/127\.0\.0\.1:401([0-3])/g, (_, n: string) => {
    const name = (["mailerlite", "mailerliteClassic", "twilio", "sendgrid"] as const)[Number(n)];
    return emulators.urls[name as "mailerlite"] as string;
  });
}

/** runs `cartback …` from the installed package; long-running commands until they are ready */
function cartback(command: DocCommand): Promise<{ code: number | null; out: string }> {
  const longRunning = command.args[0] === "serve" || command.args[0] === "emulate";
  const args = command.args
    .map(aimAtEmulators)
    .map((a, i, all) => (longRunning && all[i - 1] === "--port" ? "0" : a));
  const env = userEnv({
    // `cartback serve` as documented listens on 3000, which another program here may hold
    ...(longRunning ? { PORT: "0" } : {}),
    // a command given a MailerLite key talks to the emulator here, never to the real service
    MAILERLITE_BASE_URL: emulators.urls.mailerlite as string,
    ...Object.fromEntries(Object.entries(command.env).map(([k, v]) => [k, aimAtEmulators(v)])),
  });
  const child = spawn(process.execPath, [join(project, "node_modules/.bin/cartback"), ...args], {
    cwd: project,
    env,
  });
  let out = "";
  let stopping = false;
  child.stdout.on("data", (chunk) => {
    out += chunk;
    // one Ctrl-C: serve drains and exits 0 (a second one would stop it at once, with 130)
    if (longRunning && !stopping && out.includes("Press Ctrl-C")) {
      stopping = true;
      child.kill("SIGINT");
    }
  });
  child.stderr.on("data", (chunk) => {
    out += chunk;
  });
  return new Promise((resolveRun) => child.on("exit", (code) => resolveRun({ code, out })));
}

beforeAll(async () => {
  const packDir = mkdtempSync(join(tmpdir(), "cartback-pack-"));
  // dist/ is built by the test setup; pack without building again
  // npm as a user runs it: not with the npm_config_* this test runner may have inherited from npx
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--pack-destination", packDir, "--json"], {
    cwd: ROOT,
    env: userEnv(),
    maxBuffer: 1 << 26,
  });
  tarball = join(packDir, (JSON.parse(stdout) as { filename: string }[])[0]?.filename as string);
  project = mkdtempSync(join(tmpdir(), "cartback-user-"));
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "shop", private: true, type: "module" }),
  );
  // the README's lines: allow better-sqlite3 to build its driver, then install the packed tarball
  await run("npm", ["pkg", "set", "allowScripts.better-sqlite3=true", "--json"], {
    cwd: project,
    env: userEnv(),
  });
  await run(
    "npm",
    ["install", tarball, ...PEERS.map(pinned), "--no-audit", "--no-fund", "--prefer-offline"],
    {
      cwd: project,
      env: userEnv(),
      maxBuffer: 1 << 26,
      timeout: INSTALL_MS,
    },
  );
  // the docs' relative paths (examples/events/sample.ndjson) as in a clone
  cpSync(join(project, "node_modules/cartback/examples"), join(project, "examples"), { recursive: true });
  emulators = await startEmulators();
}, INSTALL_MS + 60_000);

// removing the temp project (node_modules with native builds) takes seconds on a busy machine
afterAll(async () => {
  await emulators?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
}, 120_000);

describe("the docs, followed literally against the packed package", () => {
  it("finds the commands the docs show", () => {
    const sample =
      "```sh\nnpx cartback dlq retry <key> [<key>…]   # back\ncartback simulate events.ndjson | jq .\n```";
    expect(docCommands("x", sample).map((c) => c.args.join(" "))).toEqual([
      "dlq retry no-such-key",
      "simulate examples/events/sample.ndjson",
    ]);
  });

  it("installs without src/ and with every file the docs and examples point at", () => {
    const installed = join(project, "node_modules/cartback");
    expect(readdirSync(installed)).not.toContain("src");
    for (const dir of ["dist", "bin", "examples", "schemas", "templates", "docs", "transformations"])
      expect(readdirSync(installed)).toContain(dir);
  });

  it("runs every cartback command in the README and docs as written", async () => {
    const commands = readDocs().flatMap(({ file, text }) => docCommands(file, text));
    expect(commands.length).toBeGreaterThan(15);
    // serve first: it creates the store the operations commands read
    commands.sort((a, b) => Number(b.args[0] === "serve") - Number(a.args[0] === "serve"));
    const failures: string[] = [];
    for (const command of commands) {
      const { code, out } = await cartback(command);
      // 0 done, 1 the input or the state had problems (a documented outcome); 2 is a usage error
      if (code !== 0 && code !== 1)
        failures.push(
          `${command.where}: cartback ${command.args.join(" ")} → exit ${code}\n${out.slice(0, 600)}`,
        );
      else if (/Error:|at .*\.js:\d+/.test(out) && !/^line \d+:/m.test(out))
        failures.push(
          `${command.where}: cartback ${command.args.join(" ")} printed a stack trace\n${out.slice(0, 600)}`,
        );
    }
    expect(failures).toEqual([]);
  }, 300_000);

  it("runs every example from the installed package, against the emulators", async () => {
    const examples = readdirSync(join(project, "node_modules/cartback/examples")).filter((f) =>
      f.endsWith(".ts"),
    );
    expect(examples.length).toBeGreaterThanOrEqual(6);
    for (const example of examples) {
      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", join("node_modules/cartback/examples", example)],
        { cwd: project, env: userEnv({ CARTBACK_ENV_FILE: "none" }), timeout: 120_000, maxBuffer: 1 << 24 },
      );
      // it ran to its end (exit 0) and said first where it sent things: no credentials, so locally
      expect(stdout.split("\n")[0], example).toMatch(/emulator|own ingest/i);
    }
  }, 600_000);
});
