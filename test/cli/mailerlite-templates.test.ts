/** The shipped MailerLite templates: up to date, one for every preset group, only real fields. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  EMAIL_TEMPLATES,
  fillMergeTags,
  findEmailTemplate,
  MAILERLITE_TEMPLATE_DIR,
  mergeTagKeys,
  readEmailTemplate,
  renderEmailTemplate,
  templateGroup,
} from "../../src/cli/mailerlite-templates.js";
import { type JourneySpec, PRESETS } from "../../src/core/journey/index.js";
import { journeyMailerliteGroups, MAILERLITE_FIELDS } from "../../src/core/mailerlite-fields.js";
import { ROOT } from "./run-cli.js";

// MailerLite's own: the subscriber's name field, the unsubscribe and preferences links
const MAILERLITE_TAGS = ["name", "unsubscribe", "preferences"];

describe("the MailerLite email templates", () => {
  it("are the files `npm run build:templates` writes", () => {
    const files = readdirSync(join(ROOT, MAILERLITE_TEMPLATE_DIR)).filter((f) => f.endsWith(".html"));
    expect(files.sort()).toEqual(EMAIL_TEMPLATES.map((t) => t.file).sort());
    for (const spec of EMAIL_TEMPLATES)
      expect(readEmailTemplate(spec), spec.file).toBe(renderEmailTemplate(spec));
  });

  it("exist for every group of every preset", () => {
    for (const [name, preset] of Object.entries(PRESETS)) {
      for (const group of journeyMailerliteGroups((preset as () => JourneySpec)())) {
        expect(findEmailTemplate(group), `${name}: ${group}`).toBeDefined();
        expect(templateGroup(findEmailTemplate(group) as never)).toBe(group);
      }
    }
  });

  it("find their group under another prefix, the longest suffix first", () => {
    expect(findEmailTemplate("shop-stage-3-no-open")?.file).toBe("stage-3-no-open.html");
    expect(findEmailTemplate("shop-stage-3")?.file).toBe("stage-3.html");
    expect(findEmailTemplate("newsletter")).toBeUndefined();
  });

  it("use only the fields cartback writes and MailerLite's own tags", () => {
    const known = new Set([...MAILERLITE_FIELDS.map((f) => f.key), ...MAILERLITE_TAGS]);
    for (const spec of EMAIL_TEMPLATES) {
      for (const key of mergeTagKeys(readEmailTemplate(spec)))
        expect(known, `${spec.file}: {$${key}}`).toContain(key);
    }
  });

  it("show the cart, the button and the code; a discount box only where a code can be offered", () => {
    for (const spec of EMAIL_TEMPLATES) {
      const html = readEmailTemplate(spec);
      expect(html, spec.file).toContain('href="{$cart_url}"');
      expect(html, spec.file).toContain("{$cart_item_1_name}");
      expect(html, spec.file).toContain("{$cart_total_display}");
      expect(html, spec.file).toContain("{$unsubscribe}");
      expect(html.includes("{$discount_code}"), spec.file).toBe(spec.discount !== null);
    }
    const withCode = EMAIL_TEMPLATES.filter((t) => t.discount !== null).map((t) => t.file);
    expect(withCode.sort()).toEqual([
      "classic-coupon.html",
      "stage-2.html",
      "stage-3-no-open.html",
      "stage-3.html",
    ]);
    // stage 1 and the returning-customer emails never carry a code
    for (const file of [
      "stage-1.html",
      "stage-1-returning.html",
      "stage-2-returning.html",
      "stage-3-returning.html",
    ])
      expect(withCode).not.toContain(file);
  });

  it("are each documented in the guide, with every field cartback writes", () => {
    const guide = readFileSync(join(ROOT, "docs/mailerlite.md"), "utf8");
    for (const spec of EMAIL_TEMPLATES) {
      expect(guide, spec.file).toContain(`\`${spec.file}\``);
      expect(guide, spec.file).toContain(`\`${templateGroup(spec)}\``);
    }
    for (const field of MAILERLITE_FIELDS)
      expect(guide, field.key).toContain(`\`${field.key.replace(/^cart_item_\d+_/, "cart_item_N_")}\``);
  });

  it("fill as MailerLite does: values escaped, defaults for empty fields, the rest blank", () => {
    const { text, empty } = fillMergeTags("Hi {$name|default('there')}, {$cart_items} {$x}", {
      name: null,
      cart_items: "Tee <b>",
    });
    expect(text).toBe("Hi there, Tee &lt;b&gt; ");
    expect(empty).toEqual(["x"]);
  });
});
