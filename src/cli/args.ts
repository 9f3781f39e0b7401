import type { z } from "zod";
import { PortSetting, readSetting } from "../config/settings.js";
import { UsageError } from "./types.js";

/**
 * Walks a command line of `--flag value`, `--flag=value` and positional words. `handle` gets each
 * flag with a `value()` that reads its value (failing with "--flag needs a value") and returns false
 * for a flag it does not know, which then fails with the command's usage. Resolves to the positionals.
 * Every command reads its flags through this, so a wrong one is reported the same way everywhere.
 */
export function readFlags(
  argv: readonly string[],
  usage: string,
  handle: (flag: string, value: () => string) => boolean,
): string[] {
  const positionals: string[] = [];
  let flagsEnded = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (flagsEnded || arg === "-" || !arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    if (arg === "--") {
      flagsEnded = true;
      continue;
    }
    const [name, inline] =
      arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const flag = name as string;
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === "") throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (!handle(flag, value)) throw new UsageError(`unknown option "${flag}"\n\nUsage: cartback ${usage}`);
  }
  return positionals;
}

/** a flag's value checked against the setting's schema (the same one config files and the environment use) */
export function flagSetting<T>(flag: string, text: string, schema: z.ZodType<T>): T {
  const result = readSetting(schema, text);
  if (!result.ok) throw new UsageError(`${flag} ${result.message}`);
  return result.value;
}

/** an environment variable checked against its setting's schema; undefined when unset or blank */
export function envSetting<T>(
  env: Record<string, string | undefined>,
  name: string,
  schema: z.ZodType<T>,
): T | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const result = readSetting(schema, text);
  if (!result.ok) throw new UsageError(`${name} ${result.message}`);
  return result.value;
}

/** one of a fixed set of words, e.g. `--format text|json` */
export function flagChoice<const T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`${flag} must be ${choices.join(" or ")}, got "${text}"`);
}

/** a TCP port from `--port`, at most `max` */
export function parsePort(raw: string, max = 65535): number {
  const result = readSetting(PortSetting, raw);
  if (!result.ok || result.value > max)
    throw new UsageError(`--port must be a port number from 0 to ${max}, got "${raw}"`);
  return result.value;
}

/** the positionals a command takes: at most `names.length`, and the first `required` of them */
export function takePositionals(
  positionals: readonly string[],
  names: readonly string[],
  usage: string,
  required = names.length,
): (string | undefined)[] {
  if (positionals.length > names.length) {
    const extra = positionals.slice(names.length).map((p) => `"${p}"`);
    throw new UsageError(
      `unexpected ${extra.length === 1 ? "argument" : "arguments"} ${extra.join(" ")}: ${names.length === 0 ? "this command takes none" : `this command takes ${names.join(", ")}`}\n\nUsage: cartback ${usage}`,
    );
  }
  if (positionals.length < required)
    throw new UsageError(`missing ${names[positionals.length]}\n\nUsage: cartback ${usage}`);
  return names.map((_, i) => positionals[i]);
}
