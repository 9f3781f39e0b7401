import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readBundleSettings } from "../../src/cli/bundle-settings.js";
import { journeyChecksum } from "../../src/core/journey/checksum.js";
import { playbookJourney } from "../../src/core/journey/index.js";
import { makeCart, makeProfile } from "../core/journey/helpers.js";
import { afternoonZone } from "../helpers/time-zones.js";
import { builtCode, outputsOf, runMessages } from "../transformations/helpers.js";
import { createSandbox } from "../transformations/sandbox.js";
import { ROOT, runBin, runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "cartback-transformation-"));

function journeyFile(name: string, journey: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(journey));
  return path;
}

describe("cartback transformation journey", () => {
  it("prints journey.js with the checked journey and its checksum, and the file plans with it", async () => {
    const journey = playbookJourney({ id: "shop", groupPrefix: "shop" });
    const { code, stdout, stderr } = await runCli([
      "transformation",
      "journey",
      "--journey",
      journeyFile("shop.json", journey),
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const settings = readBundleSettings(stdout);
    expect(settings.journey).toEqual(journey);
    expect(settings.journeyChecksum).toBe(journeyChecksum(JSON.parse(JSON.stringify(journey))));
    // everything but the SETTINGS block is the built file
    const built = builtCode("journey");
    expect(stdout.slice(stdout.indexOf("// END SETTINGS"))).toBe(
      built.slice(built.indexOf("// END SETTINGS")),
    );

    const now = Date.now();
    const shopper = makeProfile({
      id: "s1",
      // early afternoon for the shopper, so quiet hours do not hold the email whenever this runs
      timezone: afternoonZone(now),
      carts: [
        makeCart({ id: "c1", refs: ["c1"], createdAt: now - 3 * 3_600_000, updatedAt: now - 7_200_000 }),
      ],
    });
    const sandbox = await createSandbox(stdout.replace('"output": "auto"', '"output": "events"'));
    try {
      const events = outputsOf(
        await runMessages(
          sandbox,
          [
            {
              type: "track",
              event: "Cart Recovery Profile",
              messageId: "m1",
              properties: { profile: shopper },
            },
          ],
          "RS",
        ),
      );
      expect(events.find((e) => e.event === "Cart Recovery Stage Due")?.properties).toMatchObject({
        journey: "shop",
        group: "shop-stage-1",
      });
    } finally {
      sandbox.dispose();
    }
  });

  it("names every problem of a journey that does not validate and exits 1", async () => {
    const journey = playbookJourney();
    const broken = { ...journey, stages: [...journey.stages].reverse(), surprise: true };
    const { code, stdout, stderr } = await runCli([
      "transformation",
      "journey",
      "--journey",
      journeyFile("broken.json", broken),
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/broken\.json is not a valid journey: /);
    expect(stderr).toMatch(/surprise/);
    // a schema problem stops before the ordering checks, so check ordering with a clean journey too
    const unordered = { ...journey, stages: [...journey.stages].reverse() };
    const second = await runCli([
      "transformation",
      "journey",
      "--journey",
      journeyFile("unordered.json", unordered),
    ]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/stages must be listed in increasing order/);
  });

  it("the installed binary finds the built journey.js next to dist/", async () => {
    const { code, stdout } = await runBin(["transformation", "journey", "--journey", "coordinated"], dir);
    expect(code).toBe(0);
    expect(stdout).toContain("\nexport function transformEvent(event, metadata) {");
    expect(readBundleSettings(stdout)).toMatchObject({ preset: "coordinated", journey: null });
  });

  it("a preset name sets SETTINGS.preset and needs no checksum", async () => {
    const { code, stdout } = await runCli(["transformation", "journey", "--journey", "classic"]);
    expect(code).toBe(0);
    expect(readBundleSettings(stdout)).toMatchObject({
      preset: "classic",
      journey: null,
      journeyChecksum: null,
    });
  });

  it("prints the other transformations as they are, and refuses a journey for them", async () => {
    for (const [name, file] of [
      ["normalize", "normalize-cart-events.js"],
      ["mailerlite", "mailerlite.js"],
      ["twilio", "twilio.js"],
    ]) {
      const { code, stdout } = await runCli(["transformation", name as string]);
      expect(code).toBe(0);
      expect(stdout).toBe(readFileSync(resolve(ROOT, "transformations", file as string), "utf8"));
    }
    const withJourney = await runCli(["transformation", "mailerlite", "--journey", "classic"]);
    expect(withJourney.code).toBe(2);
    expect(withJourney.stderr).toContain(
      "--journey applies to the journey transformation only, not to mailerlite",
    );
    const unknown = await runCli(["transformation", "klaviyo"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'no transformation named "klaviyo": choose normalize, mailerlite, twilio or journey',
    );
  });

  it("refuses journey names that are neither a preset nor a .json file", async () => {
    const { code, stderr } = await runCli(["transformation", "journey", "--journey", "fancy"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--journey must be playbook, classic, coordinated or a \.json file/);
  });
});
