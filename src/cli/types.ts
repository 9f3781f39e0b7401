import type { Readable } from "node:stream";

/** where a command reads and writes, so tests can run commands in-process */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: Readable;
  /**
   * null when stdout can take more now, else a promise that resolves once it has passed on what it
   * holds. A command that prints a lot waits on it between pieces of work, so a slow reader
   * (`cartback simulate … | jq …`) holds the work back instead of the output filling memory.
   * Without it, writes are taken to be synchronous.
   */
  stdoutReady?: () => Promise<void> | null;
}

export interface CliCommand {
  name: string;
  /** e.g. `validate [--format text|json] <events.ndjson|->` */
  usage: string;
  summary: string;
  /** resolves to the exit code: 0 ok, 1 the input had problems, 2 the command was used wrongly */
  run: (argv: string[], io: CliIO) => Promise<number>;
}

/** thrown for wrong usage; `main` prints the message and exits with 2 */
export class UsageError extends Error {
  override name = "UsageError";
}
