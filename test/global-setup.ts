import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

/** builds dist/ once, so the tests that run the real `cartback` binary see the current code */
export default function setup(): void {
  const root = resolve(import.meta.dirname, "..");
  execFileSync(
    process.execPath,
    [resolve(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}
