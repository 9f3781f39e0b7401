/**
 * What every example shares: loading `.env`, deciding between the real services (credentials set) and
 * the local emulators (none set), and saying which in the first line of output.
 */
import { resolve } from "node:path";
import { readEnvironment } from "cartback/config";
import { type EmulatorName, type RunningEmulators, startEmulators } from "cartback/emulators";

/**
 * loads `.env` from the working directory, or `examples/.env`, when present; variables already set win.
 * `CARTBACK_ENV_FILE` names another file, or `none` to read no file (the tests use that). The same rule
 * as `cartback serve`'s, from the same function.
 */
export function loadEnvFile(): string | undefined {
  const { env, file } = readEnvironment({ fallbacks: [resolve(import.meta.dirname, "../.env")] });
  Object.assign(process.env, env);
  return file ?? undefined;
}

/** a trimmed environment variable, or undefined when unset or blank */
export function setting(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value ? value : undefined;
}

export interface ServiceTarget {
  /** `real` talks to the provider with the credentials found; `emulator` to a local emulator */
  mode: "real" | "emulator";
  /** the API base to use; undefined means the SDK's own default (the real service) */
  baseUrl?: string;
  /** where to look at what was sent */
  inspect: string;
}

/**
 * Emulators the examples use when no credentials are set. A base URL from the environment (an emulator
 * already running, e.g. `npx cartback emulate`) is used as it is; otherwise one starts in this process.
 */
export interface EmulatorPool {
  /** the base URL of the named emulator, started on first use unless `envVar` names a running one */
  url(name: EmulatorName, envVar: string): Promise<string>;
  /** stops the emulators this process started (those given by URL keep running) */
  stop(): Promise<void>;
}

export function createEmulatorPool(): EmulatorPool {
  const started: RunningEmulators[] = [];
  const urls = new Map<EmulatorName, string>();
  return {
    async url(name, envVar) {
      const given = setting(envVar);
      if (given) return given.replace(/\/+$/, "");
      const known = urls.get(name);
      if (known) return known;
      const running = await startEmulators({ [name]: true });
      started.push(running);
      const url = running.urls[name]!;
      urls.set(name, url);
      return url;
    },
    async stop() {
      await Promise.all(started.map((running) => running.stop()));
    },
  };
}

/** how an emulator's request log is read, for the summaries */
export function emulatorLogHint(url: string, path?: string): string {
  const filter = path ? `?path=${path}` : "";
  return `GET ${url}/_emulator/requests${filter}`;
}

/** one aligned "label  value" line */
export function row(label: string, value: string | number): string {
  return `  ${label.padEnd(22)} ${value}`;
}
