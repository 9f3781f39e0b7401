/**
 * The one rule for `.env` files, for every command and example: cartback reads `.env` in the working
 * directory when there is one, and variables already set in the environment win. `CARTBACK_ENV_FILE`
 * names another file, or `none` for no file.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import { ConfigError, type Env } from "./resolve.js";

export interface Environment {
  /** the variables: the file's, overridden by the ones already set */
  env: Env;
  /** the file read, or null */
  file: string | null;
}

export interface ReadEnvironmentOptions {
  /** where to look for `.env`; default the working directory */
  cwd?: string;
  /** the variables already set; default `process.env` */
  env?: Env;
  /** more places to look when the working directory has no `.env` (the examples add their own folder) */
  fallbacks?: string[];
}

/** the environment cartback reads its settings from, `.env` included */
export function readEnvironment(options: ReadEnvironmentOptions = {}): Environment {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const chosen = env.CARTBACK_ENV_FILE?.trim();
  if (chosen === "none") return { env, file: null };
  if (chosen && !existsSync(resolve(cwd, chosen)))
    throw new ConfigError(
      [{ setting: "CARTBACK_ENV_FILE", message: `no file at ${resolve(cwd, chosen)}` }],
      null,
    );
  const candidates = chosen ? [resolve(cwd, chosen)] : [resolve(cwd, ".env"), ...(options.fallbacks ?? [])];
  const file = candidates.find((path) => existsSync(path));
  if (!file) return { env, file: null };
  const vars = parseEnv(readFileSync(file, "utf8"));
  return { env: { ...vars, ...env }, file };
}
