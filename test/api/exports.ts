/**
 * The names each of the package's entry points exports, read from the source by the TypeScript
 * compiler: values (functions, constants, classes) and types, as a user's code sees them.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";

export const ROOT = resolve(import.meta.dirname, "../..");

/** `exports` of package.json: subpath → the source file its build comes from */
export function entryPoints(): Map<string, string> {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as {
    exports: Record<string, string | { default: string }>;
  };
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === "string" ? target : target.default;
    if (!file.startsWith("./dist/")) continue;
    const name = subpath === "." ? "cartback" : `cartback/${subpath.slice(2)}`;
    entries.set(name, resolve(ROOT, file.replace("./dist/", "src/").replace(/\.js$/, ".ts")));
  }
  return entries;
}

/** for each entry point, every name it exports (values and types), sorted */
export function listExports(files: Map<string, string>): Map<string, string[]> {
  const program = ts.createProgram([...files.values()], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const result = new Map<string, string[]>();
  for (const [name, file] of files) {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`cannot read ${file}`);
    result.set(
      name,
      checker
        .getExportsOfModule(module)
        .map((symbol) => symbol.name)
        .sort(),
    );
  }
  return result;
}
