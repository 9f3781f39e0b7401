/**
 * `cartback emulate`: runs the local API emulators until Ctrl-C and prints how to aim the SDKs and
 * cartback's destinations at them. Test and demo infrastructure, not a replacement for the services.
 */
import { DEFAULT_PORT } from "../../config/resolve.js";
import { UrlSetting } from "../../config/settings.js";
import {
  EMULATOR_NAMES,
  type EmulatorName,
  type StartEmulatorsOptions,
  startEmulators,
} from "../../emulators/index.js";
import { routePath } from "../../server/routes.js";
import { flagSetting, parsePort, readFlags, takePositionals } from "../args.js";
import { type CliCommand, type CliIO, UsageError } from "../types.js";

const USAGE = "emulate [--port N] [--only mailerlite,mailerlite-classic,twilio,sendgrid] [--inbound-url URL]";

const HELP = `Usage: cartback ${USAGE}

Starts local emulators of the MailerLite, MailerLite classic, Twilio Messages and SendGrid APIs on
127.0.0.1 so the official SDKs, and cartback's destinations, can run with no account. Every request
is logged: GET <url>/_emulator/requests. Test and demo infrastructure, not the real services.

Options:
  --port N           first port (mailerlite N, mailerlite-classic N+1, twilio N+2, sendgrid N+3);
                     by default each picks a free port
  --only LIST        comma-separated emulators to start (default: all)
  --inbound-url URL  where Twilio's simulated inbound replies (POST /_emulator/inbound) are posted
`;

const CLI_NAMES: Record<string, EmulatorName> = {
  mailerlite: "mailerlite",
  "mailerlite-classic": "mailerliteClassic",
  mailerliteclassic: "mailerliteClassic",
  twilio: "twilio",
  sendgrid: "sendgrid",
};

interface EmulateArgs {
  port: number;
  only: EmulatorName[];
  inboundUrl?: string;
  help: boolean;
}

/** reads the command line; throws UsageError saying which argument is wrong */
export function parseEmulateArgs(argv: string[]): EmulateArgs {
  const args: EmulateArgs = { port: 0, only: [...EMULATOR_NAMES], help: false };
  const positionals = readFlags(argv, USAGE, (flag, value) => {
    if (flag === "--help" || flag === "-h") args.help = true;
    else if (flag === "--port") args.port = parsePort(value(), 65532);
    else if (flag === "--only") {
      const names = value()
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean);
      const unknown = names.filter((name) => !(name.toLowerCase() in CLI_NAMES));
      if (unknown.length > 0 || names.length === 0) {
        throw new UsageError(
          `--only: unknown emulator ${unknown.map((n) => `"${n}"`).join(", ") || "(none given)"}; choose from mailerlite, mailerlite-classic, twilio, sendgrid`,
        );
      }
      args.only = [...new Set(names.map((name) => CLI_NAMES[name.toLowerCase()]!))];
    } else if (flag === "--inbound-url") args.inboundUrl = flagSetting(flag, value(), UrlSetting);
    else return false;
    return true;
  });
  takePositionals(positionals, [], USAGE);
  return args;
}

/** how to aim each SDK and destination at an emulator */
function describe(name: EmulatorName, url: string, inboundUrl: string | undefined): string[] {
  const reply = inboundUrl
    ? `{"from":"+14155550100","to":"+15005550006","body":"STOP"}`
    : `{"from":"+14155550100","to":"+15005550006","body":"STOP","url":"http://127.0.0.1:${DEFAULT_PORT}${routePath("twilioWebhook")}"}`;
  switch (name) {
    case "mailerlite":
      return [
        `SDK:      new MailerLite({ api_key: "any-token", base_path: "${url}" })`,
        `cartback: mailerliteDestination({ apiKey: "any-token", baseUrl: "${url}" })`,
        `unsubscribe: curl -X POST ${url}/_emulator/simulate -H 'Content-Type: application/json' -d '{"action":"unsubscribe","email":"ada@example.com"}'`,
      ];
    case "mailerliteClassic":
      return [`SDK:      MailerLite("any-key", { baseURL: "${url}/api/v2/", useCaseConverter: false })`];
    case "twilio":
      return [
        `SDK:      twilio(accountSid, authToken, { httpClient: emulatorHttpClient("${url}") })`,
        `cartback: twilioDestination({ accountSid, authToken, baseUrl: "${url}" })`,
        `inbound:  curl -X POST ${url}/_emulator/inbound -H 'Content-Type: application/json' -d '${reply}'`,
      ];
    case "sendgrid":
      return [
        `SDK:      mail.setApiKey("SG.any"); mail.client.setDefaultRequest("baseUrl", "${url}")`,
        `cartback: sendgridDestination({ apiKey: "SG.any", baseUrl: "${url}" })`,
      ];
  }
}

/** starts the emulators, prints where they are, and stops them once `until` resolves */
export async function runEmulate(argv: string[], io: CliIO, until: Promise<unknown>): Promise<number> {
  const args = parseEmulateArgs(argv);
  if (args.help) {
    io.stdout(HELP);
    return 0;
  }
  const options: StartEmulatorsOptions = { port: args.port };
  for (const name of args.only) options[name] = true;
  if (args.only.includes("twilio") && args.inboundUrl) options.twilio = { inboundUrl: args.inboundUrl };
  const running = await startEmulators(options);
  const lines = ["cartback emulators: local stand-ins for tests and demos, not the real services", ""];
  for (const name of EMULATOR_NAMES) {
    const url = running.urls[name];
    if (!url) continue;
    lines.push(
      `${name.padEnd(18)} ${url}`,
      ...describe(name, url, args.inboundUrl).map((line) => `  ${line}`),
      "",
    );
  }
  const first = Object.values(running.urls)[0];
  lines.push(
    `Every emulator logs what it receives: curl ${first}/_emulator/requests`,
    "Faults: POST /_emulator/faults { errorRate, errorStatus, latencyMs, outage: { from, to }, seed }",
    "Press Ctrl-C to stop.",
    "",
  );
  io.stdout(lines.join("\n"));
  await until;
  await running.stop();
  io.stdout("emulators stopped\n");
  return 0;
}

export const emulateCommand: CliCommand = {
  name: "emulate",
  usage: USAGE,
  summary: "run local MailerLite, Twilio and SendGrid API emulators for tests and demos",
  run: (argv, io) =>
    runEmulate(
      argv,
      io,
      new Promise((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      }),
    ),
};
