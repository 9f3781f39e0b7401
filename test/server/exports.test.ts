import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

describe("the built cartback/server and cartback/config subpaths", () => {
  it("resolve by name and serve a request through the Node adapter", () => {
    // test/global-setup.ts builds dist/ before the tests; the package imports itself by name
    const script = `
      const { createHandler, createLogger, serveNode, startCartback } = await import("cartback/server");
      const { defineConfig, resolveConfig } = await import("cartback/config");
      const { memoryStore } = await import("cartback/stores/memory");
      const { createEngine } = await import("cartback/runtime");
      const config = resolveConfig(defineConfig({ writeKey: "k", emulators: true }), {});
      const store = memoryStore();
      const engine = createEngine({ store, journeys: config.journeys, destinations: [] });
      const handler = createHandler({ engine, store, config, logger: createLogger({ level: "silent" }) });
      const server = await serveNode(handler, { port: 0, host: "127.0.0.1" });
      const response = await fetch(server.url + "/readyz");
      console.log(response.status, JSON.stringify(await response.json()), typeof startCartback);
      await server.close();
    `;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(out.trim()).toBe('200 {"ok":true,"store":"memory"} function');
  });
});
