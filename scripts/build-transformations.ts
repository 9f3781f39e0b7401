/**
 * Builds the paste-ready RudderStack transformations: each `transformations/src/<name>.ts` becomes one
 * ES2021 module, `transformations/<name>.js`, with no imports, a header saying what it does and its
 * settings as constants at the top.
 *
 *   npm run build:transformations            writes transformations/*.js
 *   tsx scripts/build-transformations.ts DIR  writes them into DIR instead (the staleness test does this)
 */
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { TRANSFORMATIONS, type TransformationInfo } from "../transformations/src/catalog.js";
import type { PhoneTable } from "../transformations/src/lib/phone-lite.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

/** the parts of libphonenumber's metadata the light phone parser needs, by country */
export function phoneTable(): PhoneTable {
  const metadata = require("libphonenumber-js/metadata.min.json") as {
    countries: Record<string, unknown[]>;
  };
  const table: PhoneTable = {};
  for (const [country, entry] of Object.entries(metadata.countries).sort(([a], [b]) => a.localeCompare(b))) {
    const prefix = typeof entry[5] === "string" ? entry[5] : null;
    table[country] = [entry[0] as string, entry[2] as string, entry[3] as number[], prefix];
  }
  return table;
}

const phoneTablePlugin: Plugin = {
  name: "cartback-phone-table",
  setup(b) {
    b.onResolve({ filter: /^cartback:phone-table$/ }, (args) => ({ path: args.path, namespace: "cartback" }));
    // the core's E.164 fast path reads libphonenumber-js's metadata, which the bundles do not carry
    b.onResolve({ filter: /\/phone-e164\.js$/ }, () => ({
      path: join(root, "transformations/src/lib/phone-e164-lite.ts"),
    }));
    // the core's timestamp fast path: Date.parse gives the same in the sandbox, in fewer bytes
    b.onResolve({ filter: /\/utc-time\.js$/ }, () => ({
      path: join(root, "transformations/src/lib/utc-time-lite.ts"),
    }));
    // the core's per-field size limits: one limit for every field, in fewer bytes
    b.onResolve({ filter: /^\.\/limits\.js$/ }, (args) =>
      args.importer.includes("normalize")
        ? { path: join(root, "transformations/src/lib/limits-lite.ts") }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "cartback" }, () => ({
      // a function: RudderStack evaluates the bundle for every batch, most of which parse no phone number
      contents: `export const PHONE_TABLE = () => (${JSON.stringify(phoneTable())});`,
      loader: "js",
    }));
  },
};

function header(info: TransformationInfo): string {
  const lines = [
    `cartback — ${info.title}`,
    "",
    ...info.description,
    "",
    `Destination: ${info.destination}`,
    `Secrets (dashboard: Transformations → Credentials; read with getCredential): ${info.credentials.length ? info.credentials.join(", ") : "none"}`,
    "Settings: edit the SETTINGS constant below; everything else is generated, do not edit.",
    "Built from the cartback package (transformations/src) by `npm run build:transformations`;",
    "guide: docs/rudderstack.md.",
  ];
  return `/*\n${lines.map((l) => (l ? ` * ${l}` : " *")).join("\n")}\n */\n`;
}

function settingsBlock(info: TransformationInfo): string {
  const docs = Object.entries(info.settingsHelp).map(([key, help]) => `//   ${key}: ${help}`);
  return `// SETTINGS\n${docs.join("\n")}\nconst SETTINGS = ${JSON.stringify(info.settings, null, 2)};\n// END SETTINGS\n`;
}

/** bundles one transformation and returns the file's text */
export async function buildTransformation(info: TransformationInfo): Promise<string> {
  const result = await build({
    entryPoints: [join(root, "transformations/src", `${info.name}.ts`)],
    bundle: true,
    write: false,
    format: "esm",
    target: "es2021",
    platform: "neutral",
    minify: true,
    legalComments: "none",
    charset: "utf8",
    alias: { "libphonenumber-js/min": join(root, "transformations/src/lib/phone-lite-entry.ts") },
    plugins: [phoneTablePlugin],
    banner: { js: header(info) + settingsBlock(info) },
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced no output for ${info.name}`);
  return exposeEntry(file.text, info.name);
}

/**
 * RudderStack appends its wrapper to the module and calls `transformEvent` / `transformBatch` by name,
 * so the entry must be a top-level function with that very name, not a minified one re-exported.
 */
function exposeEntry(code: string, name: string): string {
  const match = /export\s*\{\s*([\w$]+) as (transformEvent|transformBatch)\s*\};?\s*$/.exec(code);
  if (!match)
    throw new Error(
      `${name}: expected the bundle to end with one export of transformEvent or transformBatch`,
    );
  const [clause, local, entry] = match as unknown as [string, string, string];
  const args = entry === "transformEvent" ? "event, metadata" : "events, metadata";
  return `${code.slice(0, code.length - clause.length).trimEnd()}\nexport function ${entry}(${args}) {\n  return ${local}(${args});\n}\n`;
}

/** builds every transformation into `outDir` */
export async function buildTransformations(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const info of TRANSFORMATIONS) {
    const path = join(outDir, `${info.name}.js`);
    await writeFile(path, await buildTransformation(info));
    written.push(path);
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outDir = resolve(process.argv[2] ?? join(root, "transformations"));
  for (const path of await buildTransformations(outDir)) console.log(`wrote ${path}`);
}
