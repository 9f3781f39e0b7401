/**
 * `cartback setup <service>`: prepares an account for cartback. Each service's setup lives in its own
 * module (`setup-mailerlite.ts`, `setup-twilio.ts`); this command picks one by name.
 */

import { readEnvironment } from "../../config/env-file.js";
import { type CliCommand, type CliIO, UsageError } from "../types.js";
import { runSetupMailerlite, SETUP_MAILERLITE_HELP, SETUP_MAILERLITE_USAGE } from "./setup-mailerlite.js";
import { runSetupTwilio, SETUP_TWILIO_USAGE } from "./setup-twilio.js";

const USAGE = SETUP_MAILERLITE_USAGE;

/** runs `cartback setup`; `given` is the process environment (a parameter so tests can pass their own), read with `.env` */
export async function runSetup(
  argv: string[],
  io: CliIO,
  given: Record<string, string | undefined> = process.env,
): Promise<number> {
  if (argv[0] === "twilio") return runSetupTwilio(argv.slice(1), io, given);
  const { env } = readEnvironment({ env: given });
  // the service is the command's one positional argument; its own options are read by its module
  const target = argv.includes("mailerlite") ? "mailerlite" : argv.find((a) => !a.startsWith("-"));
  if (target === undefined && (argv.includes("--help") || argv.includes("-h"))) {
    io.stdout(SETUP_MAILERLITE_HELP);
    return 0;
  }
  if (target !== "mailerlite") {
    throw new UsageError(
      `${target ? `cannot set up "${target}"` : "name what to set up"}: only \`mailerlite\` and \`twilio\` are supported\n\nUsage: cartback ${USAGE}\n       cartback ${SETUP_TWILIO_USAGE}`,
    );
  }
  return runSetupMailerlite(argv, io, env);
}

export const setupCommand: CliCommand = {
  name: "setup",
  usage: USAGE,
  summary:
    "create the MailerLite fields and groups the journeys use (and list the automations to build), or the Twilio WhatsApp templates",
  run: (argv, io) => runSetup(argv, io),
};
