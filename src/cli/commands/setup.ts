/**
 * `cartback setup mailerlite`: creates the custom fields cartback writes and the journey's stage
 * groups in a MailerLite account, idempotently, and prints what it created and what already existed.
 */

import { readEnvironment } from "../../config/env-file.js";
import { UrlSetting } from "../../config/settings.js";
import { MAILERLITE_FIELDS, MAILERLITE_STAGE_GROUPS } from "../../core/mailerlite-fields.js";
import { isDeliveryError } from "../../destinations/types.js";
import { envSetting, flagSetting, readFlags, takePositionals } from "../args.js";
import { type CliCommand, type CliIO, UsageError } from "../types.js";
import { runSetupTwilio, SETUP_TWILIO_USAGE } from "./setup-twilio.js";

const USAGE = "setup mailerlite [--base-url URL] [--group NAME]…";

const HELP = `Usage: cartback ${USAGE}

Prepares a MailerLite account (new API) for cartback: creates the subscriber fields the journey
writes (${MAILERLITE_FIELDS.map((f) => f.key).join(", ")})
and one group per journey stage (${MAILERLITE_STAGE_GROUPS.join(", ")}), whose automations send the
emails. Safe to run again: what exists is left as it is.

Environment:
  MAILERLITE_API_KEY   the account's API token (required)
  MAILERLITE_BASE_URL  another API base, e.g. a local emulator from \`cartback emulate\`

Options:
  --base-url URL  same as MAILERLITE_BASE_URL
  --group NAME    a group to create instead of the stage groups (repeat for several)
`;

interface SetupArgs {
  target?: string;
  baseUrl?: string;
  groups: string[];
  help: boolean;
}

function parseSetupArgs(argv: string[]): SetupArgs {
  const args: SetupArgs = { groups: [], help: false };
  const positionals = readFlags(argv, USAGE, (flag, value) => {
    if (flag === "--help" || flag === "-h") args.help = true;
    else if (flag === "--base-url") args.baseUrl = flagSetting(flag, value(), UrlSetting);
    else if (flag === "--group") args.groups.push(value());
    else return false;
    return true;
  });
  const [target] = takePositionals(positionals, ["mailerlite"], USAGE, 0);
  if (target !== undefined) args.target = target;
  return args;
}

/** runs `cartback setup`; `given` is the process environment (a parameter so tests can pass their own), read with `.env` */
export async function runSetup(
  argv: string[],
  io: CliIO,
  given: Record<string, string | undefined> = process.env,
): Promise<number> {
  if (argv[0] === "twilio") return runSetupTwilio(argv.slice(1), io, given);
  const { env } = readEnvironment({ env: given });
  const args = parseSetupArgs(argv);
  if (args.help) {
    io.stdout(HELP);
    return 0;
  }
  if (args.target !== "mailerlite") {
    throw new UsageError(
      `${args.target ? `cannot set up "${args.target}"` : "name what to set up"}: only \`mailerlite\` and \`twilio\` are supported\n\nUsage: cartback ${USAGE}\n       cartback ${SETUP_TWILIO_USAGE}`,
    );
  }
  const apiKey = env.MAILERLITE_API_KEY?.trim();
  if (!apiKey) throw new UsageError("MAILERLITE_API_KEY is not set: export the account's API token first");
  const baseUrl = args.baseUrl ?? envSetting(env, "MAILERLITE_BASE_URL", UrlSetting);

  // the SDK loads only for this command
  const [{ mailerliteClient }, { setupMailerlite }] = await Promise.all([
    import("../../destinations/mailerlite.js"),
    import("../../destinations/mailerlite-setup.js"),
  ]);
  const client = mailerliteClient({ apiKey, ...(baseUrl ? { baseUrl } : {}) });
  try {
    const report = await setupMailerlite(client, {
      fields: MAILERLITE_FIELDS,
      groups: args.groups.length > 0 ? args.groups : MAILERLITE_STAGE_GROUPS,
    });
    const lines = [`MailerLite${baseUrl ? ` at ${baseUrl}` : ""}`, "", "Fields:"];
    for (const field of report.fields) {
      const note =
        field.status === "type_mismatch"
          ? `exists as ${field.type}, cartback writes ${MAILERLITE_FIELDS.find((f) => f.key === field.name)?.type}: check it`
          : field.status;
      lines.push(
        `  ${field.status === "created" ? "+" : field.status === "existing" ? "=" : "!"} ${field.name.padEnd(18)} ${note}`,
      );
    }
    lines.push("", "Groups:");
    for (const group of report.groups) {
      lines.push(
        `  ${group.status === "created" ? "+" : "="} ${group.name.padEnd(28)} ${group.status} (id ${group.id})`,
      );
    }
    const all = [...report.fields, ...report.groups];
    const created = all.filter((i) => i.status === "created").length;
    lines.push("", `Created ${created}, already there ${all.length - created}.`, "");
    io.stdout(lines.join("\n"));
    return report.fields.some((f) => f.status === "type_mismatch") ? 1 : 0;
  } catch (error) {
    if (!isDeliveryError(error)) throw error;
    io.stderr(`cartback setup: ${error.message}\n`);
    return 1;
  }
}

export const setupCommand: CliCommand = {
  name: "setup",
  usage: USAGE,
  summary: "create the MailerLite fields and stage groups, or the Twilio WhatsApp templates, cartback uses",
  run: (argv, io) => runSetup(argv, io),
};
