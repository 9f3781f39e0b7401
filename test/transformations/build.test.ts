import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { buildTransformations } from "../../scripts/build-transformations.js";
import { builtCode, NAMES } from "./helpers.js";

// names RudderStack's sandbox does not define (FACTS: "NOT available")
const FORBIDDEN = new Set([
  "require",
  "process",
  "Buffer",
  "setTimeout",
  "setInterval",
  "setImmediate",
  "URL",
  "URLSearchParams",
  "TextEncoder",
  "TextDecoder",
  "btoa",
  "atob",
  "crypto",
  "structuredClone",
  "module",
  "exports",
  "__dirname",
  "global",
]);

/** every identifier the code reads without declaring it: the globals it needs */
function freeNames(code: string): Set<string> {
  const file = ts.createSourceFile("bundle.js", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const declared = new Set<string>();
  const used = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      const isDeclaration =
        ((ts.isVariableDeclaration(parent) ||
          ts.isFunctionDeclaration(parent) ||
          ts.isFunctionExpression(parent) ||
          ts.isClassDeclaration(parent) ||
          ts.isClassExpression(parent) ||
          ts.isParameter(parent) ||
          ts.isBindingElement(parent) ||
          ts.isImportSpecifier(parent)) &&
          parent.name === node) ||
        ts.isBindingElement(parent);
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        (ts.isMethodDeclaration(parent) && parent.name === node) ||
        (ts.isPropertyDeclaration(parent) && parent.name === node) ||
        ts.isExportSpecifier(parent) ||
        ts.isLabeledStatement(parent) ||
        ts.isBreakOrContinueStatement(parent);
      if (isDeclaration) declared.add(node.text);
      else if (!isPropertyName) used.add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  for (const name of declared) used.delete(name);
  return used;
}

describe("the global check", () => {
  it("finds globals read anywhere, and not properties, declarations or keys with the same names", () => {
    const names = freeNames(
      "const URL = 1; const o = { process: 2 }; o.Buffer; export function f(x) { return setTimeout(() => crypto.randomUUID(), x + URL); }",
    );
    expect([...names].filter((n) => FORBIDDEN.has(n)).sort()).toEqual(["crypto", "setTimeout"]);
  });
});

describe("built transformations", () => {
  it("are up to date with transformations/src (run `npm run build:transformations` when this fails)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cartback-transformations-"));
    try {
      await buildTransformations(dir);
      for (const name of NAMES) {
        const fresh = await readFile(join(dir, `${name}.js`), "utf8");
        expect(builtCode(name) === fresh, `transformations/${name}.js is stale`).toBe(true);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const name of NAMES) {
    describe(name, () => {
      const code = builtCode(name);

      it("has no import, export-from or require: it is one self-contained module", () => {
        const file = ts.createSourceFile("b.js", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
        const imports = file.statements.filter(
          (s) => ts.isImportDeclaration(s) || (ts.isExportDeclaration(s) && s.moduleSpecifier),
        );
        expect(imports).toEqual([]);
        expect(code).not.toMatch(/\bimport\s*\(/);
        expect(freeNames(code).has("require")).toBe(false);
      });

      it("reads no global the RudderStack sandbox lacks", () => {
        const forbidden = [...freeNames(code)].filter((n) => FORBIDDEN.has(n));
        expect(forbidden).toEqual([]);
      });

      it("opens with a header saying what it does, where it goes and its settings", () => {
        expect(code.startsWith("/*\n * cartback — ")).toBe(true);
        expect(code).toMatch(/ \* Destination: /);
        expect(code).toMatch(/\nconst SETTINGS = \{/);
      });

      it("declares exactly one entry function by its own name, as RudderStack calls it", () => {
        const entries = ["transformEvent", "transformBatch"].filter((n) =>
          new RegExp(`\\nexport function ${n}\\(`).test(code),
        );
        expect(entries).toHaveLength(1);
      });
    });
  }

  // see docs/rudderstack.md ("Sizes")
  const KIB = 1024;
  const BUDGET: Record<string, number> = {
    "normalize-cart-events": 60 * KIB,
    // the normalizer and MailerLite's request shapes together: 1 KiB more since times are range-checked
    mailerlite: 61 * KIB,
    twilio: 60 * KIB,
    // the planner with pacing, the holdout, MailerLite's item fields, the WhatsApp template check, and
    // texts that need a link (the check, the template language's inverted sections, `shopUrl`)
    journey: 62 * KIB,
  };
  it("journey carries no journey schema: custom journeys are checked by the CLI before pasting", () => {
    expect(builtCode("journey")).not.toContain("Invalid input");
    expect(builtCode("journey")).toContain("npx cartback transformation journey");
  });

  for (const name of NAMES) {
    it(`${name} stays within its minified size budget (${BUDGET[name]} bytes)`, () => {
      expect(Buffer.byteLength(builtCode(name))).toBeLessThanOrEqual(BUDGET[name] as number);
    });
  }
});
