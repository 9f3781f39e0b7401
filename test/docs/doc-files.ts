/** The documentation a user reads: the README and every Markdown file under docs/ and examples/. */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownUnder(path);
    return entry.name.endsWith(".md") ? [path] : [];
  });
}

/** each doc as `{ file, text }`, `file` relative to the repository */
export function readDocs(): { file: string; text: string }[] {
  const files = [
    resolve(ROOT, "README.md"),
    ...markdownUnder(resolve(ROOT, "docs")),
    ...markdownUnder(resolve(ROOT, "examples")),
  ];
  return files.map((path) => ({ file: relative(ROOT, path), text: readFileSync(path, "utf8") }));
}
