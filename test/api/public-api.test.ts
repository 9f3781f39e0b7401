/**
 * The package's public API, entry point by entry point: every name a user can import, whether it is a
 * value or only a type, is listed in `public-api.txt` and documented in docs/api.md. A change here is
 * a change for every user: update both files on purpose, never to make this test pass.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { entryPoints, listExports, ROOT } from "./exports.js";

/** `## entry` headings, each followed by `value name` / `type name` lines */
function readListed(): Map<string, string[]> {
  const listed = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of readFileSync(resolve(import.meta.dirname, "public-api.txt"), "utf8").split("\n")) {
    if (line.startsWith("## ")) {
      current = [];
      listed.set(line.slice(3), current);
    } else if (line.trim() !== "") current.push(line);
  }
  return listed;
}

/** docs/api.md, section by `## \`entry\`` heading */
function readDocs(): Map<string, string> {
  const sections = new Map<string, string>();
  const text = readFileSync(resolve(ROOT, "docs/api.md"), "utf8");
  for (const part of text.split(/^## /m).slice(1)) {
    const heading = /^`([^`]+)`/.exec(part);
    if (heading) sections.set(heading[1] as string, part);
  }
  return sections;
}

const files = entryPoints();
const exported = listExports(files);
const listed = readListed();
const docs = readDocs();

describe("the public API", () => {
  it("has one list per entry point in package.json", () => {
    expect([...listed.keys()]).toEqual([...files.keys()]);
  });

  for (const [entry, file] of files) {
    it(`${entry} exports exactly the listed names`, async () => {
      const runtime = (await import(file)) as Record<string, unknown>;
      const actual = (exported.get(entry) ?? []).map(
        (name) => `${name in runtime ? "value" : "type"} ${name}`,
      );
      expect(
        actual,
        `the exports of ${entry} changed: if on purpose, update test/api/public-api.txt and docs/api.md`,
      ).toEqual(listed.get(entry));
    });

    it(`docs/api.md documents every name of ${entry}`, () => {
      // the names in the section's code spans, e.g. `createEngine(options: EngineOptions)`
      const named = new Set(
        (docs.get(entry) ?? "").match(/`[^`]+`/g)?.flatMap((code) => code.match(/\w+/g) ?? []),
      );
      const missing = (exported.get(entry) ?? []).filter((name) => name !== "default" && !named.has(name));
      expect(missing, `names of ${entry} not in its section of docs/api.md`).toEqual([]);
    });
  }

  it("keeps the core's internals out of the root entry point", () => {
    const root = exported.get("cartback") ?? [];
    for (const internal of ["copyCart", "copyProfile", "survivorOf", "decidedAt", "planResolvedJourney"])
      expect(root).not.toContain(internal);
  });
});
