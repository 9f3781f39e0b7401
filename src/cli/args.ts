import { UsageError } from "./types.js";

/**
 * Walks a command line of `--flag value`, `--flag=value` and positional words. `handle` gets each
 * flag with a `value()` that reads its value (failing with "--flag needs a value") and returns false
 * for a flag it does not know, which then fails with the command's usage. Resolves to the positionals.
 */
export function readFlags(
  argv: readonly string[],
  usage: string,
  handle: (flag: string, value: () => string) => boolean,
): string[] {
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=") ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const name = flag as string;
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === "") throw new UsageError(`${name} needs a value`);
      return next;
    };
    if (!name.startsWith("-")) positionals.push(name);
    else if (!handle(name, value))
      throw new UsageError(`unknown option "${arg}"\n\nUsage: cartback ${usage}`);
  }
  return positionals;
}

/** a TCP port from `--port`, at most `max` */
export function parsePort(raw: string, max = 65535): number {
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > max) {
    throw new UsageError(`--port must be an integer from 0 to ${max}, got "${raw}"`);
  }
  return port;
}
