import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { journeyChecksum } from "../../core/journey/checksum.js";
import { PRESETS, parseJourney } from "../../core/journey/index.js";
import { formatIssues } from "../../core/result.js";
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

/** `code` with the settings that SETTINGS holds replaced by `change(settings)` */
export function withJourneySettings(
  code: string,
  change: (settings: Record<string, unknown>) => Record<string, unknown>,
): string {
  const marker = "const SETTINGS = ";
  const start = code.indexOf(marker);
  const end = code.indexOf(";\n// END SETTINGS");
  if (start < 0 || end < 0) throw new Error("journey.js has no SETTINGS block; rebuild the package");
  const settings = JSON.parse(code.slice(start + marker.length, end)) as Record<string, unknown>;
  return `${code.slice(0, start)}${marker}${JSON.stringify(change(settings), null, 2)}${code.slice(end)}`;
}

async function readJourneyFile(name: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(name, "utf8");
  } catch {
    throw new UsageError(`cannot read journey file ${name}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${name} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

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
    const name = values.journey;
    let journey: unknown = null;
    if (!PRESETS[name]) {
      if (!name.endsWith(".json")) {
        throw new UsageError(
          `--journey must be ${Object.keys(PRESETS).join(", ")} or a .json file, got "${name}"`,
        );
      }
      journey = await readJourneyFile(name);
      const result = parseJourney(journey);
      if (!result.success) {
        io.stderr(`${name} is not a valid journey: ${formatIssues(result.error)}\n`);
        return 1;
      }
    }
    const code = await readFile(BUNDLE, "utf8");
    io.stdout(
      withJourneySettings(code, (settings) => ({
        ...settings,
        preset: journey === null ? name : settings.preset,
        journey,
        journeyChecksum: journey === null ? null : journeyChecksum(journey),
      })),
    );
    return 0;
  },
};
