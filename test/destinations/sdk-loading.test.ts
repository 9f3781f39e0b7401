import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

/** runs `code` in a fresh Node process and returns the SDK packages it loaded */
function loadedSdks(code: string): { before: string[]; after: string[] } {
  const script = `
import { createRequire } from "node:module";
const require = createRequire(process.cwd() + "/");
const sdks = () => [...new Set(Object.keys(require.cache)
  .filter((k) => /node_modules\\/(twilio|mailerlite-api-v2-node|@mailerlite|@sendgrid|@rudderstack)\\//.test(k))
  .map((k) => k.split("node_modules/")[1].split("/").slice(0, k.split("node_modules/")[1].startsWith("@") ? 2 : 1).join("/")))];
${code}
`;
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").pop()!);
}

describe("SDK loading", () => {
  it("importing the core loads no SDK; the classic MailerLite SDK loads only when that destination runs", () => {
    const seen = loadedSdks(`
await import("./src/index.ts");
const { mailerliteClassicDestination } = await import("./src/destinations/mailerlite-classic.ts");
const destination = mailerliteClassicDestination({ apiKey: "k", baseUrl: "http://127.0.0.1:9/api/v2/", pacing: false });
const before = sdks();
await destination.execute({ type: "mailerlite.forget", email: "a@example.com" }).catch(() => {});
console.log(JSON.stringify({ before, after: sdks() }));
`);
    expect(seen).toEqual({ before: [], after: ["mailerlite-api-v2-node"] });
  });

  it("loadDestinations imports only the adapters a config names", () => {
    const seen = loadedSdks(`
const { loadDestinations } = await import("./src/destinations/index.ts");
const destinations = await loadDestinations({
  mailerlite: { api: "classic", apiKey: "k", baseUrl: "http://127.0.0.1:9/api/v2/", pacing: false },
  webhook: { targets: { sales: { url: "http://127.0.0.1:9/hook" } } },
});
const before = sdks();
await destinations[0].execute({ type: "mailerlite.forget", email: "a@example.com" }).catch(() => {});
console.log(JSON.stringify({ before, after: sdks() }));
`);
    expect(seen).toEqual({ before: [], after: ["mailerlite-api-v2-node"] });
  });
});
