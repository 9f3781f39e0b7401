/**
 * `cartback setup twilio`: creates the WhatsApp content templates the playbook sends, requests
 * WhatsApp's approval for them, and prints the SIDs to configure. Without credentials it runs against
 * a local Twilio emulator, to show what it would do.
 */
import { readEnvironment } from "../../config/env-file.js";
import { UrlSetting } from "../../config/settings.js";
import { envSetting, flagSetting, readFlags, takePositionals } from "../args.js";
import { type CliIO, UsageError } from "../types.js";

export const SETUP_TWILIO_USAGE = "setup twilio [--base-url URL]";

const HELP = `Usage: cartback ${SETUP_TWILIO_USAGE}

Creates in a Twilio account the WhatsApp content templates the playbook's WhatsApp steps send
(cartback_nudge, cartback_urgency), finding existing ones by name, and asks WhatsApp to approve each
one not yet submitted. Prints the SIDs to set for cartback serve. Safe to run again.
See docs/twilio.md.

Environment:
  TWILIO_ACCOUNT_SID  the account (AC…); with TWILIO_AUTH_TOKEN. Without both, a local emulator
  TWILIO_AUTH_TOKEN   is used and nothing is created in a real account.
  TWILIO_BASE_URL     another API host, e.g. the Twilio emulator of \`cartback emulate\`

Options:
  --base-url URL  same as TWILIO_BASE_URL
`;

/** the credentials the emulator is driven with when none are set */
const EMULATED = { accountSid: `AC${"0".repeat(32)}`, authToken: "cartback-emulator-token" };

export async function runSetupTwilio(
  argv: string[],
  io: CliIO,
  given: Record<string, string | undefined>,
): Promise<number> {
  const { env } = readEnvironment({ env: given });
  let help = false;
  let baseUrl: string | undefined;
  const positionals = readFlags(argv, SETUP_TWILIO_USAGE, (flag, value) => {
    if (flag === "--help" || flag === "-h") help = true;
    else if (flag === "--base-url") baseUrl = flagSetting(flag, value(), UrlSetting);
    else return false;
    return true;
  });
  takePositionals(positionals, [], SETUP_TWILIO_USAGE);
  if (help) {
    io.stdout(HELP);
    return 0;
  }
  baseUrl ??= envSetting(env, "TWILIO_BASE_URL", UrlSetting);
  const accountSid = env.TWILIO_ACCOUNT_SID?.trim() || undefined;
  const authToken = env.TWILIO_AUTH_TOKEN?.trim() || undefined;
  if (accountSid && !authToken)
    throw new UsageError(
      "TWILIO_AUTH_TOKEN is not set: export the account's auth token with TWILIO_ACCOUNT_SID",
    );
  if (authToken && !accountSid)
    throw new UsageError(
      "TWILIO_ACCOUNT_SID is not set: export the account SID (AC…) with TWILIO_AUTH_TOKEN",
    );
  if (accountSid && !/^AC[0-9a-fA-F]{32}$/.test(accountSid))
    throw new UsageError(`TWILIO_ACCOUNT_SID must be AC followed by 32 hex digits, got "${accountSid}"`);

  // the SDK and the emulator load only for this command
  const [{ default: twilio }, { createTwilioHttpClient }, { setupTwilioTemplates }] = await Promise.all([
    import("twilio"),
    import("../../destinations/twilio.js"),
    import("../../destinations/twilio-setup.js"),
  ]);
  let emulator: { url: string; stop(): Promise<void> } | null = null;
  if (!accountSid && !baseUrl) {
    const { startTwilioEmulator } = await import("../../emulators/twilio.js");
    emulator = await startTwilioEmulator();
    baseUrl = emulator.url;
  }
  const credentials = accountSid && authToken ? { accountSid, authToken } : EMULATED;
  const client = twilio(credentials.accountSid, credentials.authToken, {
    httpClient: createTwilioHttpClient(baseUrl ? { baseUrl } : {}),
  });
  try {
    const items = await setupTwilioTemplates(client);
    const lines: string[] = [];
    if (emulator)
      lines.push(
        "!!! NO CREDENTIALS CONFIGURED: this ran against a LOCAL EMULATOR that stops now; nothing was created in",
        "!!! a Twilio account. Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN to create the real templates.",
        "",
      );
    lines.push(`Twilio Content API${baseUrl ? ` at ${baseUrl}` : ""}`, "", "WhatsApp templates:");
    let failed = 0;
    for (const item of items) {
      let approval: string;
      if ("error" in item.approval) {
        failed += 1;
        approval = `approval not requested: ${item.approval.error}`;
      } else
        approval = `${item.approval.requested ? "approval requested" : "approval"}: ${item.approval.status}${item.approval.reason ? ` (${item.approval.reason})` : ""}`;
      lines.push(
        `  ${item.status === "created" ? "+" : "="} ${item.name.padEnd(17)} ${item.sid}  ${item.status}; ${approval}`,
      );
    }
    const sid = (role: string) => items.find((i) => i.role === role)?.sid ?? "";
    lines.push(
      "",
      "Set these for cartback serve (environment or .env):",
      `  CARTBACK_WHATSAPP_NUDGE=${sid("nudge")}`,
      `  CARTBACK_WHATSAPP_URGENCY=${sid("urgency")}`,
      `or in the config file: whatsappTemplates: { nudge: "${sid("nudge")}", urgency: "${sid("urgency")}" }`,
      "WhatsApp sends a template only once it is approved; until then those messages fail at Twilio.",
      "",
    );
    io.stdout(lines.join("\n"));
    if (failed > 0)
      io.stderr(
        `cartback setup twilio: ${failed} approval ${failed === 1 ? "request" : "requests"} could not be made; ask again by running this command once the account has a WhatsApp sender, or in the Twilio Console\n`,
      );
    return 0;
  } catch (error) {
    const status = (error as { status?: number }).status;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(
      `cartback setup twilio: ${status === 401 ? "Twilio refused the credentials (TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN)" : message}\n`,
    );
    return 1;
  } finally {
    await emulator?.stop();
  }
}
