/**
 * Every URL path the docs and the printed banners show exists: cartback's own paths on the server
 * (its route table, and a real request that is not answered "no route"), the emulators' inspection
 * paths on a running emulator. Providers' API paths (MailerLite, Twilio) are theirs and not checked.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { matchRoute, ROUTES } from "../../src/server/routes.js";
import { startTestServer } from "../server/start-test-server.js";
import { ROOT, readDocs } from "./doc-files.js";

interface Mention {
  where: string;
  path: string;
  /** `cartback` for the server's paths, `emulator` for the inspection API */
  kind: "cartback" | "emulator";
}

/** hosts that stand for a cartback server in the docs */
const CARTBACK_HOSTS = /^(127\.0\.0\.1:3000|localhost:3000|<cartback>|cartback\.shop\.example\.com)$/;
/** the first segments of cartback's routes: a path starting with one is meant to be cartback's */
const CARTBACK_SEGMENTS = new Set(ROUTES.map((route) => route.path.split("/")[1]).filter(Boolean));
/** the node-backend example mounts cartback under this prefix */
const MOUNT = "/cartback";

function clean(path: string): string {
  return path
    .replace(/[?#].*$/, "")
    .replace(/[.,:;]+$/, "")
    .replace(/<[^>]*>|\{[^}]*\}|…/g, "x");
}

function classify(where: string, host: string | null, rawPath: string): Mention | null {
  let path = clean(rawPath);
  if (path.startsWith("/_emulator/")) return { where, path, kind: "emulator" };
  // Twilio's Content API shares cartback's first segment, `/v1`
  if (host === "content.twilio.com" || /^\/v1\/Content(\/|$)/.test(path)) return null;
  if (path.startsWith(`${MOUNT}/`)) path = path.slice(MOUNT.length);
  const first = path.split("/")[1] ?? "";
  if (
    (host !== null && CARTBACK_HOSTS.test(host) && path !== "" && path !== "/") ||
    CARTBACK_SEGMENTS.has(first)
  )
    return { where, path, kind: "cartback" };
  return null;
}

/** the URL paths a text shows: in URLs, and as `/paths` in code spans and code blocks */
function pathMentions(where: string, text: string): Mention[] {
  const found: Mention[] = [];
  for (const match of text.matchAll(/https?:\/\/(<[\w-]+>|[\w.-]+(?::\d+)?)(\/[^\s`"')\]|,]*)?/g)) {
    const mention = classify(where, match[1] as string, match[2] ?? "");
    if (mention) found.push(mention);
  }
  // a path on its own: `/v1/batch`, `POST /webhooks/twilio`, (/webhooks/rudderstack)
  for (const match of text.matchAll(/(?<=[`\s(])(\/[A-Za-z_][\w/:.<>{}…-]*)(?=[`\s),])/g)) {
    const mention = classify(where, null, match[1] as string);
    if (mention) found.push(mention);
  }
  return found;
}

let server: Awaited<ReturnType<typeof startTestServer>>;
let emulators: RunningEmulators;
beforeAll(async () => {
  server = await startTestServer();
  emulators = await startEmulators();
});
afterAll(async () => {
  await server.stop();
  await emulators.stop();
});

/** true when cartback's server has a route for the path: its table and a real request agree */
async function cartbackHas(base: string, path: string): Promise<boolean> {
  const route = matchRoute(path);
  if (!route) return false;
  const response = await fetch(`${base}${path}`, { method: route.method, redirect: "manual" });
  const body = await response.text();
  return !body.includes("no route for");
}

/** true when one of the emulators answers the inspection path with some method */
async function emulatorHas(path: string): Promise<boolean> {
  for (const base of Object.values(emulators.urls))
    for (const method of ["GET", "POST", "DELETE"]) {
      const response = await fetch(`${base}${path}`, {
        method,
        ...(method === "POST" ? { headers: { "content-type": "application/json" }, body: "{}" } : {}),
      });
      if (!(await response.text()).includes("no inspection route")) return true;
    }
  return false;
}

async function missing(mentions: Mention[]): Promise<string[]> {
  const problems: string[] = [];
  for (const mention of mentions) {
    const ok =
      mention.kind === "cartback"
        ? await cartbackHas(server.url, mention.path)
        : await emulatorHas(mention.path);
    if (!ok) problems.push(`${mention.where}: ${mention.path}`);
  }
  return problems;
}

let running: ChildProcess | null = null;
afterEach(() => {
  running?.kill("SIGTERM");
  running = null;
});

/** starts the built CLI and resolves to what it printed up to `marker`; it runs until the test ends */
function banner(args: string[], marker: string): Promise<string> {
  const cwd = mkdtempSync(join(tmpdir(), "cartback-banner-"));
  const child = spawn(process.execPath, [resolve(ROOT, "bin/cartback.js"), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  });
  running = child;
  let out = "";
  return new Promise((resolveOut, reject) => {
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes(marker)) resolveOut(out);
    });
    child.stderr.on("data", (chunk) => {
      out += chunk;
    });
    child.on("exit", () => reject(new Error(`cartback ${args.join(" ")} exited early:\n${out}`)));
  });
}

describe("URL paths in the docs", () => {
  it("finds the paths it should check", () => {
    const sample = "POST `/v1/batch`, `https://<cartback>/webhooks/twilio` and `GET /_emulator/requests`";
    expect(pathMentions("x", sample).map((m) => `${m.kind} ${m.path}`)).toEqual([
      "cartback /webhooks/twilio",
      "cartback /v1/batch",
      "emulator /_emulator/requests",
    ]);
    expect(pathMentions("x", "the old `/webhooks/twilio/status` path")).toHaveLength(1);
  });

  it("every path cartback or an emulator is said to serve exists", async () => {
    const mentions = readDocs().flatMap(({ file, text }) => pathMentions(file, text));
    expect(mentions.length).toBeGreaterThan(30);
    expect(await missing(mentions)).toEqual([]);
  });

  it("the server's route table rejects what it does not serve", async () => {
    expect(await cartbackHas(server.url, "/webhooks/twilio/status")).toBe(false);
    expect(await cartbackHas(server.url, "/twilio/inbound")).toBe(false);
    expect(await emulatorHas("/_emulator/nothing")).toBe(false);
  });
});

describe("URL paths in the printed banners", () => {
  it("`cartback serve` prints only URLs that answer", async () => {
    const text = await banner(["serve", "--port", "0"], "Press Ctrl-C");
    const urls = [...text.matchAll(/http:\/\/127\.0\.0\.1:\d+(\/[^\s'"]*)?/g)].map((m) => m[0]);
    expect(urls.length).toBeGreaterThan(3);
    for (const url of urls) {
      const response = await fetch(url, { method: url.endsWith("/v1/batch") ? "POST" : "GET" });
      expect(`${url} → ${response.status} ${await response.text()}`).not.toMatch(
        /no route|no inspection route/,
      );
    }
  });

  it("`cartback emulate` points at paths the emulators and cartback serve", async () => {
    const text = await banner(["emulate"], "Press Ctrl-C");
    const mentions = pathMentions("cartback emulate", text);
    expect(mentions.map((m) => m.path)).toContain("/webhooks/twilio");
    expect(await missing(mentions)).toEqual([]);
  });
});
