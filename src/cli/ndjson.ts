import { constants, createReadStream, type Stats } from "node:fs";
import { access, stat } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { UsageError } from "./types.js";

export type NdjsonLine = { line: number; value: unknown } | { line: number; error: string };

/** the input argument: a file path, or `-` for stdin; a usage error when it names no file */
export async function checkInput(path: string | undefined): Promise<string> {
  if (path === undefined) throw new UsageError("missing input: give an NDJSON file, or - for standard input");
  if (path === "-") return path;
  let info: Stats;
  try {
    info = await stat(path);
    await access(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${path}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (error as Error).message}`,
    );
  }
  if (info.isDirectory())
    throw new UsageError(`${path} is a directory: give an NDJSON file, or - for standard input`);
  return path;
}

/** the stream of an input `checkInput` accepted */
export function openChecked(path: string, stdin: Readable): Readable {
  return path === "-" ? stdin : createReadStream(path, { highWaterMark: 1 << 20 });
}

/**
 * null when `output` can take more now; else a promise that resolves once it has written what it
 * holds (its `drain`), or can write nothing more (closed, failed)
 */
export function whenDrained(output: Writable): Promise<void> | null {
  if (!output.writableNeedDrain) return null;
  return new Promise((resolve) => {
    const done = () => {
      output.off("drain", done).off("close", done).off("error", done);
      resolve();
    };
    output.on("drain", done).on("close", done).on("error", done);
  });
}

/** opens a file path, or stdin for `-` */
export async function openInput(path: string | undefined, stdin: Readable): Promise<Readable> {
  return openChecked(await checkInput(path), stdin);
}

/**
 * The lines of a text stream, a chunk's worth at a time (one array per chunk read, fewer awaits than
 * a line each). Line breaks are `\n`, `\r\n` or a lone `\r`, as `readline` counts them; every line
 * is in the arrays, blank ones too, so a line's number is its position.
 */
export async function* readLines(input: Readable): AsyncGenerator<string[]> {
  const decoder = new StringDecoder("utf8");
  let rest = "";
  const split = (text: string, lines: string[], final: boolean): string => {
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      pushLine(text.slice(start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl), lines);
      start = nl + 1;
    }
    const tail = text.slice(start);
    if (!final) return tail;
    if (tail !== "") pushLine(tail, lines);
    return "";
  };
  for await (const chunk of input) {
    const lines: string[] = [];
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer);
    // a chunk that ends in `\r` may be half of a `\r\n`: keep it for the next chunk
    rest = split(rest + text, lines, false);
    if (lines.length > 0) yield lines;
  }
  const lines: string[] = [];
  split(rest + decoder.end(), lines, true);
  if (lines.length > 0) yield lines;
}

/** a line that holds a lone `\r` is two lines */
function pushLine(line: string, lines: string[]): void {
  if (line.indexOf("\r") < 0) {
    lines.push(line);
    return;
  }
  for (const part of line.split("\r")) lines.push(part);
}

/** line `line` (its text) parsed as JSON, or why it is not JSON; null for a blank line */
export function parseNdjsonLine(line: number, text: string): NdjsonLine | null {
  if (text.trim() === "") return null;
  try {
    return { line, value: JSON.parse(text) };
  } catch (error) {
    return { line, error: `not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
}

/** each non-blank line parsed as JSON; a corrupt line is reported and reading goes on */
export async function* readNdjson(input: Readable): AsyncGenerator<NdjsonLine> {
  let line = 0;
  for await (const lines of readLines(input)) {
    for (const text of lines) {
      const entry = parseNdjsonLine(++line, text);
      if (entry) yield entry;
    }
  }
}
