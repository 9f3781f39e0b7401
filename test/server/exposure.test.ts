/**
 * The defaults of `cartback serve` on a network: this machine only unless told otherwise, no open
 * listener without a write key, a Twilio token nobody knows in emulator mode, and links that redirect
 * only to the shop's own hosts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startBanner } from "../../src/cli/commands/serve.js";
import { ConfigError, resolveConfig } from "../../src/config/resolve.js";
import { signTwilioRequest } from "../../src/emulators/twilio.js";
import { createLogger } from "../../src/server/logger.js";
import { type RunningCartback, startCartback } from "../../src/server/start.js";

const running: RunningCartback[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
});

async function start(settings: Record<string, unknown>, env: Record<string, string> = {}) {
  const config = resolveConfig(
    { emulators: true, store: { kind: "memory" }, logLevel: "silent", ...settings },
    env,
  );
  const app = await startCartback({ config, loops: false, logger: createLogger({ level: "silent" }) });
  running.push(app);
  return app;
}

function problemsOf(fn: () => unknown): { setting: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("where serve listens", () => {
  it("listens on this machine only by default, and says so", async () => {
    expect(resolveConfig({ emulators: true }, {}).server.host).toBe("127.0.0.1");
    const app = await start({ server: { port: 0 } });
    expect(app.server.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(startBanner(app.config, app)).toContain(`listening on http://127.0.0.1:${app.server.port}`);
  });

  it("refuses every interface without a write key, naming the ways out", async () => {
    const error = await start({ server: { port: 0, host: "0.0.0.0" } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const [problem] = (error as ConfigError).problems;
    expect(problem?.setting).toBe("server.host");
    expect(problem?.message).toContain("CARTBACK_WRITE_KEY");
    expect(problem?.message).toContain("protectedMode");
  });

  it("listens on every interface with a write key, or when protected mode is off, and prints the real address", async () => {
    const keyed = await start({ writeKey: "k", server: { port: 0, host: "0.0.0.0" } });
    expect(keyed.server.address).toBe(`0.0.0.0:${keyed.server.port}`);
    const banner = startBanner(keyed.config, keyed);
    expect(banner).toContain(`listening on 0.0.0.0:${keyed.server.port}, every network interface`);
    const open = await start({ server: { port: 0, host: "0.0.0.0" } }, { CARTBACK_PROTECTED_MODE: "off" });
    expect(open.server.address).toBe(`0.0.0.0:${open.server.port}`);
    expect((await fetch(`${open.url}/healthz`)).status).toBe(200);
  });
});

describe("the emulated Twilio account", () => {
  it("signs with a token made up at each start, so a webhook signed with a guessed one is refused", async () => {
    const first = await start({ server: { port: 0 } });
    const second = await start({ server: { port: 0 } });
    const tokens = [first, second].map((app) => app.config.webhooks.twilioAuthToken as string);
    expect(tokens[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(tokens[1]).not.toBe(tokens[0]);
    const url = `${first.url}/webhooks/twilio`;
    const params = { MessageSid: "SM1", From: "+14155550199", To: "+15005550006", Body: "START" };
    for (const [token, status] of [
      ["cartback-emulator-token", 403],
      [tokens[1] as string, 403],
      [tokens[0] as string, 200],
    ] as const) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "x-twilio-signature": signTwilioRequest(token, url, params) },
        body: new URLSearchParams(params),
      });
      expect(response.status, token).toBe(status);
    }
  });
});

describe("where signed links may redirect", () => {
  const secret = "a-link-secret-of-32-characters!!";

  it("refuses signed links with no host of the shop to redirect to", () => {
    const problems = problemsOf(() => resolveConfig({ emulators: true, links: { secret } }, {}));
    expect(problems.map((p) => p.setting)).toEqual(["links.allowedHosts"]);
    expect(problems[0]?.message).toContain("CARTBACK_LINK_HOSTS");
  });

  it("takes the hosts from the setting, the environment, or the fallback URL's host", () => {
    const links = (settings: Record<string, unknown>, env: Record<string, string> = {}) =>
      resolveConfig({ emulators: true, links: { secret, ...settings } }, env).links.allowedHosts;
    expect(links({ allowedHosts: ["shop.example.com", "pay.example.net"] })).toEqual([
      "shop.example.com",
      "pay.example.net",
    ]);
    expect(links({}, { CARTBACK_LINK_HOSTS: "shop.example.com, www.example.org" })).toEqual([
      "shop.example.com",
      "www.example.org",
    ]);
    expect(links({ fallbackUrl: "https://www.shop.example.com/cart" })).toEqual(["www.shop.example.com"]);
  });

  it("names a host that is not one", () => {
    const problems = problemsOf(() =>
      resolveConfig({ emulators: true, links: { secret, allowedHosts: ["https://shop.example.com/"] } }, {}),
    );
    expect(problems[0]?.setting).toBe("links.allowedHosts[0]");
    expect(problems[0]?.message).toContain("host name such as shop.example.com");
    const fromEnv = problemsOf(() =>
      resolveConfig({ emulators: true, links: { secret } }, { CARTBACK_LINK_HOSTS: "shop.example.com:8080" }),
    );
    expect(fromEnv[0]?.setting).toBe("CARTBACK_LINK_HOSTS");
  });
});
