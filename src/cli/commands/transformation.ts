import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { journeyChecksum } from "../../core/journey/checksum.js";
import { parseJourney } from "../../core/journey/index.js";
import { formatIssues } from "../../core/result.js";
import { readFlags, takePositionals } from "../args.js";
import { readBundleSettings, withBundleSettings } from "../bundle-settings.js";
import { readJourneyArgument } from "../journey-argument.js";
import { type CliCommand, UsageError } from "../types.js";

const USAGE = "transformation normalize|mailerlite|twilio|journey [--journey <preset|file.json>]";

const HELP = `Usage: cartback ${USAGE}

Prints a paste-ready RudderStack transformation (see docs/rudderstack.md):
  normalize   normalize-cart-events.js: RudderStack, Shopify and WooCommerce events → cart events
  mailerlite  mailerlite.js: journey events → MailerLite API calls (HTTP destination)
  twilio      twilio.js: journey events → Twilio Messages API calls (HTTP destination)
  journey     journey.js: plans a journey inside RudderStack

For journey, the journey is checked and put in SETTINGS.journey, stamped with
SETTINGS.journeyChecksum. The transformation plans only a journey whose checksum matches, so it
carries no journey schema: edit the journey file and run this again rather than editing
SETTINGS.journey in the dashboard. Exits 1, printing every problem, when the journey does not
validate. The other settings keep their defaults; edit them after pasting.

Options:
  --journey  (journey only) playbook (default), classic, coordinated, or a journey JSON file
`;

/** the built bundles, shipped in the package next to dist/ */
const BUNDLES = {
  normalize: "normalize-cart-events.js",
  mailerlite: "mailerlite.js",
  twilio: "twilio.js",
  journey: "journey.js",
} as const;
const bundlePath = (file: string) => resolve(import.meta.dirname, "../../../transformations", file);

export const transformationCommand: CliCommand = {
  name: "transformation",
  usage: USAGE,
  summary: "print a paste-ready RudderStack transformation (for journey.js, with your journey checked)",
  async run(argv, io) {
    let journeyName: string | undefined;
    let help = false;
    const positionals = readFlags(argv, USAGE, (flag, value) => {
      if (flag === "--help" || flag === "-h") help = true;
      else if (flag === "--journey") journeyName = value();
      else return false;
      return true;
    });
    if (help) {
      io.stdout(HELP);
      return 0;
    }
    const [raw] = takePositionals(positionals, ["normalize|mailerlite|twilio|journey"], USAGE);
    const name = (raw === "normalize-cart-events" ? "normalize" : raw) as string;
    if (!(name in BUNDLES))
      throw new UsageError(
        `no transformation named "${raw}": choose normalize, mailerlite, twilio or journey\n\nUsage: cartback ${USAGE}`,
      );
    const code = await readFile(bundlePath(BUNDLES[name as keyof typeof BUNDLES]), "utf8");
    if (name !== "journey") {
      if (journeyName !== undefined)
        throw new UsageError(`--journey applies to the journey transformation only, not to ${name}`);
      io.stdout(code);
      return 0;
    }
    const argument = await readJourneyArgument(journeyName ?? "playbook");
    let journey: unknown = null;
    if ("file" in argument) {
      journey = argument.json;
      const result = parseJourney(journey);
      if (!result.success) {
        io.stderr(`${argument.file} is not a valid journey: ${formatIssues(result.error)}\n`);
        return 1;
      }
    }
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
