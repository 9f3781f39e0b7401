/**
 * Finds and reads `cartback.config.{ts,js,mjs,json}`. A `.ts` file is loaded through tsx's API when tsx
 * is installed (`npm install -D tsx`); otherwise the error says to add it or use `.js`/`.json`.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { readEnvironment } from "./env-file.js";
import { ConfigError, type Env, type ResolvedConfig, resolveConfig } from "./resolve.js";

export const CONFIG_FILES = [
  "cartback.config.ts",
  "cartback.config.mjs",
  "cartback.config.js",
  "cartback.config.json",
];

/** the first config file in `cwd`, or null */
export function findConfigFile(cwd: string): string | null {
  for (const name of CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/** the value a config file exports (its default export, or the JSON) */
export async function readConfigFile(path: string): Promise<unknown> {
  if (!existsSync(path))
    throw new ConfigError([{ setting: "--config", message: `no such file: ${path}` }], null);
  if (path.endsWith(".json")) {
    const text = await readFile(path, "utf8");
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigError(
        [{ setting: "(file)", message: `not valid JSON: ${(error as Error).message}` }],
        path,
      );
    }
  }
  let mod: { default?: unknown };
  if (path.endsWith(".ts") || path.endsWith(".mts")) {
    let tsImport: (specifier: string, parent: string) => Promise<{ default?: unknown }>;
    try {
      ({ tsImport } = (await import("tsx/esm/api")) as unknown as { tsImport: typeof tsImport });
    } catch {
      throw new ConfigError(
        [
          {
            setting: "(file)",
            message: "a .ts config needs tsx: run `npm install -D tsx`, or use cartback.config.js or .json",
          },
        ],
        path,
      );
    }
    mod = await tsImport(pathToFileURL(path).href, import.meta.url);
  } else mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  const value = mod.default;
  // tsx may wrap a CommonJS-style default once more
  if (value && typeof value === "object" && "default" in value && Object.keys(value).length === 1)
    return (value as { default: unknown }).default;
  return value;
}

export interface LoadConfigOptions {
  cwd?: string;
  /** an explicit file (`--config`); default: the first of CONFIG_FILES in `cwd` */
  path?: string;
  env?: Env;
}

/** reads the config file (if any), merges the environment (`.env` included) and validates everything */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<ResolvedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const path = options.path ? resolve(cwd, options.path) : findConfigFile(cwd);
  const input = path ? await readConfigFile(path) : {};
  const environment = readEnvironment({ cwd, ...(options.env ? { env: options.env } : {}) });
  const config = resolveConfig(input, environment.env, path);
  config.envFile = environment.file;
  if (config.store.kind === "sqlite")
    config.store = { ...config.store, path: resolve(cwd, config.store.path) };
  return config;
}
