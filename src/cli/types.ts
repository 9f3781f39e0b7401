import type { Readable } from "node:stream";

/** where a command reads and writes, so tests can run commands in-process */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: Readable;
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
