import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// src/core must run inside RudderStack's sandbox and be deterministic: only these packages, no Node,
// no clock, no randomness, nothing from the shell.
const ALLOWED_PACKAGES = [
  "zod",
  "libphonenumber-js",
  "date-fns",
  "@date-fns/tz",
  "@noble/hashes",
  "simple-statistics",
];
const FORBIDDEN_CALLS: [RegExp, string][] = [
  [/\bDate\.now\s*\(/, "Date.now() reads the clock: take `now` as an argument"],
  [/\bnew\s+Date\s*\(\s*\)/, "new Date() reads the clock: take `now` as an argument"],
  [/\bMath\.random\s*\(/, "Math.random() is not deterministic: hash the inputs instead"],
  [/\bperformance\.now\s*\(/, "performance.now() reads the clock"],
  [/\bprocess\./, "process is not available in the sandbox"],
  [/\b(setTimeout|setInterval|setImmediate)\s*\(/, "timers belong to the runtime"],
  [/\brequire\s*\(/, "require is not available in the sandbox"],
  [/\bBuffer\./, "Buffer is not available in the sandbox"],
];

const coreDir = resolve(import.meta.dirname, "../src/core");

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? listFiles(join(dir, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(dir, entry.name)]
        : [],
  );
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

/** every violation of the boundary in one file's source */
function boundaryViolations(file: string, source: string): string[] {
  const problems: string[] = [];
  const code = stripComments(source);
  for (const match of code.matchAll(
    /(?:import|export)[^"'`;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']/g,
  )) {
    const spec = (match[1] ?? match[2]) as string;
    if (spec.startsWith(".")) {
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(coreDir)) problems.push(`imports ${spec}, which is outside src/core`);
    } else if (spec.startsWith("node:")) {
      problems.push(`imports ${spec}: src/core must not use Node built-ins`);
    } else if (!ALLOWED_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`))) {
      problems.push(`imports ${spec}, which is not an allowed pure package (${ALLOWED_PACKAGES.join(", ")})`);
    }
  }
  for (const [pattern, why] of FORBIDDEN_CALLS) {
    if (pattern.test(code)) problems.push(why);
  }
  return problems;
}

describe("src/core boundary", () => {
  const files = listFiles(coreDir);

  it("has files to check", () => {
    expect(files.length).toBeGreaterThan(3);
  });

  it.each(files.map((f) => [relative(coreDir, f), f]))("%s stays pure", (_name, file) => {
    expect(boundaryViolations(file, readFileSync(file, "utf8"))).toEqual([]);
  });

  it("catches what it guards against", () => {
    const file = join(coreDir, "example.ts");
    const bad = [
      'import { readFileSync } from "node:fs";',
      'import twilio from "twilio";',
      'import { createEngine } from "../runtime/engine.js";',
      "const t = Date.now();",
      "const d = new Date();",
      "const r = Math.random();",
    ].join("\n");
    expect(boundaryViolations(file, bad)).toHaveLength(6);
    expect(boundaryViolations(file, 'import { z } from "zod/mini";\nconst d = new Date(0);')).toEqual([]);
  });
});
