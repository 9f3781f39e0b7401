import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { main } from "../../src/cli/main.js";

export const ROOT = resolve(import.meta.dirname, "../..");

/** runs the CLI in-process and captures what it prints */
export async function runCli(argv: string[], stdin = "") {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stdin: Readable.from([stdin]),
  });
  return { code, stdout, stderr };
}

/** runs the built `cartback` binary as a user would */
export async function runBin(argv: string[], cwd = ROOT) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [resolve(ROOT, "bin/cartback.js"), ...argv],
      { cwd, maxBuffer: 1 << 28 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
