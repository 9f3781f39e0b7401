/** Writes schemas/journey.schema.json from the journey's zod schema (`npm run build:schema`). */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { JOURNEY_SCHEMA_FILE, journeyJsonSchema } from "../src/cli/journey-schema.js";

const path = resolve(import.meta.dirname, "..", JOURNEY_SCHEMA_FILE);
writeFileSync(path, `${JSON.stringify(journeyJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path}`);
