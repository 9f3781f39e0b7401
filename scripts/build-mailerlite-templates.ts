/** Writes templates/mailerlite/*.html from the template catalog (`npm run build:templates`). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  EMAIL_TEMPLATES,
  MAILERLITE_TEMPLATE_DIR,
  renderEmailTemplate,
} from "../src/cli/mailerlite-templates.js";

const dir = resolve(import.meta.dirname, "..", MAILERLITE_TEMPLATE_DIR);
mkdirSync(dir, { recursive: true });
for (const spec of EMAIL_TEMPLATES) writeFileSync(join(dir, spec.file), renderEmailTemplate(spec));
console.log(`wrote ${EMAIL_TEMPLATES.length} templates to ${dir}`);
