import { createReadStream } from "node:fs";
import { access } from "node:fs/promises";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { UsageError } from "./types.js";

export type NdjsonLine = { line: number; value: unknown } | { line: number; error: string };

/** opens a file path, or stdin for `-` */
export async function openInput(path: string | undefined, stdin: Readable): Promise<Readable> {
  if (path === undefined) throw new UsageError("missing input: give an NDJSON file, or - for standard input");
  if (path === "-") return stdin;
  try {
    await access(path);
  } catch {
    throw new UsageError(`cannot read ${path}: no such file`);
  }
  return createReadStream(path, { encoding: "utf8" });
}

/** each non-blank line parsed as JSON; a corrupt line is reported and reading goes on */
export async function* readNdjson(input: Readable): AsyncGenerator<NdjsonLine> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    try {
      yield { line, value: JSON.parse(text) };
    } catch (error) {
      yield { line, error: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
    }
  }
}
