import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { journeyChecksum } from "../../core/journey/checksum.js";
import { parseJourney } from "../../core/journey/index.js";
import { formatIssues } from "../../core/result.js";
import { readBundleSettings, withBundleSettings } from "../bundle-settings.js";
import { readJourneyArgument } from "../journey-argument.js";
import { type CliCommand, UsageError } from "../types.js";

const HELP = `Usage: cartback transformation journey [--journey <preset|file.json>]

Checks a journey and prints the paste-ready journey.js RudderStack transformation with it in
SETTINGS.journey, stamped with SETTINGS.journeyChecksum. The transformation plans only a journey
whose checksum matches, so it carries no journey schema: edit the journey file and run this again
rather than editing SETTINGS.journey in the dashboard. Exits 1, printing every problem, when the
journey does not validate. The other settings keep their defaults; edit them after pasting.

Options:
  --journey  playbook (default), classic, coordinated, or a journey JSON file
`;

/** the package's built journey.js (shipped in the package next to dist/) */
const BUNDLE = resolve(import.meta.dirname, "../../../transformations/journey.js");

export const transformationCommand: CliCommand = {
  name: "transformation",
  usage: "transformation journey [--journey <preset|file.json>]",
  summary: "check a journey and print the paste-ready journey.js transformation that runs it",
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        journey: { type: "string", default: "playbook" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    if (positionals.length !== 1 || positionals[0] !== "journey") {
      throw new UsageError(`only the journey transformation takes a journey: use \`transformation journey\``);
    }
    const argument = await readJourneyArgument(values.journey);
    let journey: unknown = null;
    if ("file" in argument) {
      journey = argument.json;
      const result = parseJourney(journey);
      if (!result.success) {
        io.stderr(`${argument.file} is not a valid journey: ${formatIssues(result.error)}\n`);
        return 1;
      }
    }
    const code = await readFile(BUNDLE, "utf8");
    const settings = readBundleSettings(code);
    io.stdout(
      withBundleSettings(code, {
        ...settings,
        preset: "preset" in argument ? argument.preset : settings.preset,
        journey,
        journeyChecksum: journey === null ? null : journeyChecksum(journey),
      }),
    );
    return 0;
  },
};
