import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface ExampleRun {
  code: number;
  stdout: string;
  stderr: string;
  lines: string[];
}

/**
 * Runs `examples/<name>.ts` in a child process the way a user would (`tsx`), with a clean environment:
 * no credentials reach it and no `.env` is read, only `env` is passed.
 */
export async function runExample(
  name: string,
  env: Record<string, string> = {},
  options: { now?: string } = {},
): Promise<ExampleRun> {
  const clean = { PATH: process.env.PATH ?? "", NODE_NO_WARNINGS: "1", CARTBACK_ENV_FILE: "none", ...env };
  // with `now`, the example's clock starts there (see shifted-clock.ts)
  const clock = options.now ? ["--import", resolve(ROOT, "test/examples/shifted-clock.ts")] : [];
  if (options.now) Object.assign(clean, { CARTBACK_TEST_NOW: options.now });
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", ...clock, resolve(ROOT, `examples/${name}.ts`)],
      { cwd: ROOT, env: clean, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr, lines: stdout.split("\n") };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, lines: (e.stdout ?? "").split("\n") };
  }
}
