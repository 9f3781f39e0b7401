/**
 * `cartback setup mailerlite`: creates the custom fields cartback writes and every group the
 * journeys add shoppers to, idempotently; then lists, group by group, the automation MailerLite
 * still needs (its API lists automations but cannot create them): the template to paste and the
 * "joins group" trigger.
 */
import { relative } from "node:path";
import { findConfigFile, readConfigFile } from "../../config/load.js";
import { UrlSetting } from "../../config/settings.js";
import { type JourneySpec, PRESETS, parseJourney } from "../../core/journey/index.js";
import { journeyMailerliteGroups, MAILERLITE_FIELDS } from "../../core/mailerlite-fields.js";
import { formatIssues } from "../../core/result.js";
import { isDeliveryError } from "../../destinations/types.js";
import { envSetting, flagSetting, readFlags, takePositionals } from "../args.js";
import { readJourneyArgument } from "../journey-argument.js";
import { findEmailTemplate, MAILERLITE_TEMPLATE_DIR, templatePath } from "../mailerlite-templates.js";
import { type CliIO, UsageError } from "../types.js";

export const SETUP_MAILERLITE_USAGE =
  "setup mailerlite [--journey <preset|file.json>]… [--config FILE] [--group NAME]… [--base-url URL]";

export const GUIDE = "docs/mailerlite.md";

export const SETUP_MAILERLITE_HELP = `Usage: cartback ${SETUP_MAILERLITE_USAGE}

Prepares a MailerLite account (new API) for cartback: creates the subscriber fields the journeys
write and every group they add shoppers to, then lists the automations still to build in
MailerLite (one per group: trigger "joins group", the template from ${MAILERLITE_TEMPLATE_DIR}/).
MailerLite's API cannot create automations; the guide walks through it: ${GUIDE}.
Safe to run again: what exists is left as it is.

The journeys: those named with --journey; else the config file's (--config, or cartback.config.*
in the working directory); else the playbook preset.

Environment:
  MAILERLITE_API_KEY   the account's API token (required)
  MAILERLITE_BASE_URL  another API base, e.g. a local emulator from \`cartback emulate\`

Options:
  --journey J     playbook, classic, coordinated or a journey JSON file (repeat for several)
  --config FILE   read the journeys of this config file
  --group NAME    create this group instead of the journeys' groups (repeat for several)
  --base-url URL  same as MAILERLITE_BASE_URL
`;

interface SetupMailerliteArgs {
  baseUrl?: string;
  groups: string[];
  journeys: string[];
  config?: string;
  help: boolean;
}

function parseArgs(argv: string[]): SetupMailerliteArgs {
  const args: SetupMailerliteArgs = { groups: [], journeys: [], help: false };
  const positionals = readFlags(argv, SETUP_MAILERLITE_USAGE, (flag, value) => {
    if (flag === "--help" || flag === "-h") args.help = true;
    else if (flag === "--base-url") args.baseUrl = flagSetting(flag, value(), UrlSetting);
    else if (flag === "--group") args.groups.push(value());
    else if (flag === "--journey") args.journeys.push(value());
    else if (flag === "--config") args.config = value();
    else return false;
    return true;
  });
  takePositionals(positionals, ["mailerlite"], SETUP_MAILERLITE_USAGE, 0);
  return args;
}

async function journeyFromArgument(name: string): Promise<JourneySpec> {
  const argument = await readJourneyArgument(name);
  if ("preset" in argument) return (PRESETS[argument.preset] as () => JourneySpec)();
  const result = parseJourney(argument.json);
  if (!result.success) throw new UsageError(`${name} is not a valid journey: ${formatIssues(result.error)}`);
  return result.data;
}

/** the journeys of a config file: its `journeys` (presets by name or journey objects), the playbook by default */
async function journeysFromConfig(path: string): Promise<JourneySpec[]> {
  let input: unknown;
  try {
    input = await readConfigFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const entries = (input as { journeys?: unknown } | null)?.journeys ?? ["playbook"];
  if (!Array.isArray(entries)) throw new UsageError(`${path}: journeys must be a list`);
  return entries.map((entry, i) => {
    if (typeof entry === "string") {
      const preset = PRESETS[entry];
      if (!preset)
        throw new UsageError(
          `${path}: journeys[${i}] must be ${Object.keys(PRESETS).join(", ")} or a journey, got "${entry}"`,
        );
      return preset();
    }
    const result = parseJourney(entry);
    if (!result.success)
      throw new UsageError(`${path}: journeys[${i}] is not a valid journey: ${formatIssues(result.error)}`);
    return result.data;
  });
}

/** the journeys to set up for, and where they came from */
async function chooseJourneys(args: SetupMailerliteArgs): Promise<{ journeys: JourneySpec[]; from: string }> {
  if (args.journeys.length > 0)
    return { journeys: await Promise.all(args.journeys.map(journeyFromArgument)), from: "--journey" };
  const config = args.config ?? findConfigFile(process.cwd());
  if (config) return { journeys: await journeysFromConfig(config), from: relative(process.cwd(), config) };
  return { journeys: [(PRESETS.playbook as () => JourneySpec)()], from: "the playbook preset (default)" };
}

/** runs `cartback setup mailerlite` with the environment already read */
export async function runSetupMailerlite(
  argv: string[],
  io: CliIO,
  env: Record<string, string | undefined>,
): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    io.stdout(SETUP_MAILERLITE_HELP);
    return 0;
  }
  const apiKey = env.MAILERLITE_API_KEY?.trim();
  if (!apiKey) throw new UsageError("MAILERLITE_API_KEY is not set: export the account's API token first");
  const baseUrl = args.baseUrl ?? envSetting(env, "MAILERLITE_BASE_URL", UrlSetting);

  let groupNames: string[];
  let source: string;
  if (args.groups.length > 0) {
    groupNames = args.groups;
    source = "--group";
  } else {
    const { journeys, from } = await chooseJourneys(args);
    groupNames = [...new Set(journeys.flatMap(journeyMailerliteGroups))];
    source = `${journeys.map((j) => j.id).join(", ")} (from ${from})`;
  }

  // the SDK loads only for this command
  const [{ mailerliteClient }, { setupMailerlite }] = await Promise.all([
    import("../../destinations/mailerlite.js"),
    import("../../destinations/mailerlite-setup.js"),
  ]);
  const client = mailerliteClient({ apiKey, ...(baseUrl ? { baseUrl } : {}) });
  try {
    const report = await setupMailerlite(client, { fields: MAILERLITE_FIELDS, groups: groupNames });
    const lines = [`MailerLite${baseUrl ? ` at ${baseUrl}` : ""}, for ${source}`, "", "Fields:"];
    for (const field of report.fields) {
      const note =
        field.status === "type_mismatch"
          ? `exists as ${field.type}, cartback writes ${MAILERLITE_FIELDS.find((f) => f.key === field.name)?.type}: check it`
          : field.status;
      lines.push(
        `  ${field.status === "created" ? "+" : field.status === "existing" ? "=" : "!"} ${field.name.padEnd(20)} ${note}`,
      );
    }
    lines.push("", "Groups:");
    for (const group of report.groups) {
      lines.push(
        `  ${group.status === "created" ? "+" : "="} ${group.name.padEnd(32)} ${group.status} (id ${group.id})`,
      );
    }
    const all = [...report.fields, ...report.groups];
    const created = all.filter((i) => i.status === "created").length;
    lines.push("", `Created ${created}, already there ${all.length - created}.`, "");

    const todo = report.groups.filter((g) => !g.automations?.some((a) => a.enabled));
    const done = report.groups.filter((g) => g.automations?.some((a) => a.enabled));
    if (todo.length === 0) {
      lines.push("Automations: every group starts an enabled automation.", "");
    } else {
      lines.push(`Automations to create in MailerLite (its API cannot create them; step by step: ${GUIDE}):`);
      for (const group of todo) {
        const template = findEmailTemplate(group.name);
        const disabled = group.automations?.length ? "  (one exists but is not enabled)" : "";
        lines.push(
          `  ${group.name}${disabled}`,
          `      trigger:  when a subscriber joins group "${group.name}"`,
          template
            ? `      email:    subject "${template.subject}", HTML from ${templatePath(template)}`
            : "      email:    no shipped template for this group: write one over the fields above",
        );
      }
      lines.push("");
    }
    if (done.length > 0)
      lines.push(
        `Groups with an enabled automation: ${done.map((g) => `${g.name} ("${g.automations?.find((a) => a.enabled)?.name}")`).join(", ")}`,
        "",
      );
    io.stdout(lines.join("\n"));
    return report.fields.some((f) => f.status === "type_mismatch") ? 1 : 0;
  } catch (error) {
    if (!isDeliveryError(error)) throw error;
    io.stderr(`cartback setup: ${error.message}\n`);
    return 1;
  }
}
