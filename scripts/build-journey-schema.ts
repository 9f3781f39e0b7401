/** Writes schemas/journey.schema.json from the journey's zod schema (`npm run build:schema`). */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { JOURNEY_SCHEMA_FILE, journeyJsonSchema } from "../src/cli/journey-schema.js";

const path = resolve(import.meta.dirname, "..", JOURNEY_SCHEMA_FILE);
writeFileSync(path, `${JSON.stringify(journeyJsonSchema(), null, 2)}\n`);
// in the repository's format, so `npm run lint` passes without a separate step
execFileSync(process.execPath, [
  resolve(import.meta.dirname, "../node_modules/@biomejs/biome/bin/biome"),
  "format",
  "--write",
  path,
]);
console.log(`wrote ${path}`);
