import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

// a loader hook that makes the drivers impossible to load, as on a machine without them
const hook = `export async function resolve(specifier, context, next) {
  if (specifier === "pg" || specifier === "better-sqlite3") throw new Error("not installed: " + specifier);
  return next(specifier, context);
}`;
const register = `import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hook)}));`;

/** runs an ES module snippet in a fresh Node with the drivers blocked; returns its stdout */
function runWithoutDrivers(code: string): string {
  return execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--import",
      `data:text/javascript,${encodeURIComponent(register)}`,
      "--input-type=module",
      "-e",
      code,
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, NODE_NO_WARNINGS: "1" } },
  );
}

describe("optional drivers", () => {
  it("the core, the store interface and the store factories load without pg or better-sqlite3", () => {
    const out = runWithoutDrivers(`
      const core = await import("./src/index.ts");
      await import("./src/runtime/store.ts");
      const { memoryStore } = await import("./src/stores/memory.ts");
      const { sqliteStore } = await import("./src/stores/sqlite.ts");
      const { postgresStore } = await import("./src/stores/postgres.ts");
      sqliteStore({ path: ":memory:" });
      postgresStore({ connectionString: "postgres://nobody@127.0.0.1:1/none" });
      await memoryStore().stats(0);
      console.log(typeof core.commandDestination);
    `);
    expect(out.trim()).toBe("function");
  });

  it("a SQL store used without its driver says what to install", () => {
    const out = runWithoutDrivers(`
      const { sqliteStore } = await import("./src/stores/sqlite.ts");
      const { postgresStore } = await import("./src/stores/postgres.ts");
      for (const store of [sqliteStore({ path: ":memory:" }), postgresStore({ connectionString: "postgres://x@127.0.0.1:1/x" })]) {
        console.log(await store.stats(0).then(() => "loaded", (e) => e.message));
      }
    `);
    expect(out.trim().split("\n")).toEqual([
      "sqliteStore needs the optional dependency better-sqlite3: run `npm install better-sqlite3@12`",
      "postgresStore needs the optional dependency pg: run `npm install pg`",
    ]);
  });
});
