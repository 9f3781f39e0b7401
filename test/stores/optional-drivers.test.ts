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

  it("the built subpath exports resolve, and cartback/stores/memory works without either driver", () => {
    // test/global-setup.ts builds dist/ before the tests; the package imports itself by name
    const out = runWithoutDrivers(`
      const { memoryStore } = await import("cartback/stores/memory");
      const { sqliteStore } = await import("cartback/stores/sqlite");
      const { postgresStore } = await import("cartback/stores/postgres");
      const { transactByKeys } = await import("cartback/runtime/store");
      const store = memoryStore();
      await transactByKeys(store, ["anon:a"], { newId: () => "p1" }, (tx, ids) =>
        tx.save({ profile: { id: ids[0] }, wakeAt: 5, keys: ["anon:a"], now: 0 }));
      console.log(JSON.stringify(await store.claimDue(5, 1, { worker: "w", leaseMs: 1 })), typeof sqliteStore, typeof postgresStore);
    `);
    expect(out.trim()).toBe('[{"profileId":"p1","wakeAt":5}] function function');
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
