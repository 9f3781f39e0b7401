import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { JOURNEY_SCHEMA_FILE, journeyJsonSchema } from "../../src/cli/journey-schema.js";
import { PRESETS, parseJourney } from "../../src/index.js";
import { ROOT, runCli } from "./run-cli.js";

const read = (path: string) => JSON.parse(readFileSync(resolve(ROOT, path), "utf8"));
const published = read(JOURNEY_SCHEMA_FILE);
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(published);

/** a journey with three mistakes an editor should flag as cartback does */
const broken = {
  $schema: "../../schemas/journey.schema.json",
  id: "Broken Journey",
  stages: [
    {
      stage: 1,
      name: "nudge",
      after: "soon",
      when: { consent: "fax" },
      steps: [{ id: "email", channel: "email", group: "g", colour: "red" }],
    },
  ],
};

describe("the journey JSON Schema", () => {
  it("is the one generated from the zod schema (npm run build:schema)", () => {
    expect(published).toEqual(JSON.parse(JSON.stringify(journeyJsonSchema())));
  });

  it("accepts the shipped journeys and flags what cartback refuses, so editors agree with cartback", () => {
    for (const file of ["custom", "playbook", "classic", "coordinated"]) {
      const journey = read(`examples/journeys/${file}.json`);
      expect(validate(journey), `${file}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(parseJourney(journey).success).toBe(true);
    }
    expect(validate(broken)).toBe(false);
    const flagged = new Set(validate.errors?.map((e) => e.instancePath));
    expect(flagged).toContain("/id");
    expect(flagged).toContain("/stages/0/after");
    expect(flagged).toContain("/stages/0/steps/0");
    const refused = parseJourney(broken);
    expect(refused.success).toBe(false);
  });

  it("ships the presets as JSON, the same as the code makes them", () => {
    for (const [name, make] of Object.entries(PRESETS)) {
      const { $schema, ...journey } = read(`examples/journeys/${name}.json`);
      expect($schema).toBe("../../schemas/journey.schema.json");
      expect(journey).toEqual(JSON.parse(JSON.stringify(make())));
    }
  });
});

describe("cartback journey", () => {
  it("check summarises a valid journey on one screen", async () => {
    const { code, stdout } = await runCli([
      "journey",
      "check",
      resolve(ROOT, "examples/journeys/custom.json"),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("custom.json: a valid journey");
    expect(stdout).toMatch(/2\. help\s+after 20h; returning 1d2h/);
    expect(stdout).toContain('sms +15m: "{{firstName|Hi}}, your {{items}}');
    expect(stdout).toContain("discount 10 % (returning none)");
    expect(stdout).toContain('carts of "sms" (GBP 25) or more; stages 2; sends 09:00–20:00 local time');
    expect(stdout).toContain("experiment help-timing (stages 2): next-day, same-evening (shift -12h)");
    expect(stdout.split("\n").length).toBeLessThan(40);
  });

  it("check prints every problem with its place in the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cartback-journey-"));
    const file = join(dir, "broken.json");
    writeFileSync(file, JSON.stringify(broken));
    const { code, stdout } = await runCli(["journey", "check", file]);
    expect(code).toBe(1);
    expect(stdout).toContain("id: must be lowercase letters, digits, _ or - (it is part of the key)");
    expect(stdout).toContain('stages[0].after: must look like "15m", "4h" or "7d"');
    expect(stdout).toContain("stages[0].when.consent");
    expect(stdout).toContain("stages[0].steps[0]");
    expect(stdout).toMatch(/broken\.json: [4-9] problems/);
  });

  it("schema prints the published schema", async () => {
    const { code, stdout } = await runCli(["journey", "schema"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual(published);
  });
});
