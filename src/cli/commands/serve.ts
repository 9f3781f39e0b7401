/**
 * `cartback serve`: config → store → destinations (or the local emulators) → engine → HTTP server,
 * until SIGINT or SIGTERM, which stop taking requests and drain in-flight work before exiting.
 */
import { loadConfig } from "../../config/load.js";
import type { ResolvedConfig } from "../../config/resolve.js";
import { missingTemplates } from "../../core/journey/content-template.js";
import type { JourneySpec } from "../../core/journey/schema.js";
import { routePath } from "../../server/routes.js";
import { type RunningCartback, startCartback } from "../../server/start.js";
import { parsePort, readFlags, takePositionals } from "../args.js";
import type { CliCommand, CliIO } from "../types.js";

const USAGE = "serve [--port N] [--host H] [--config FILE]";

const HELP = `Usage: cartback ${USAGE}

Runs cartback: the RudderStack-compatible HTTP API (POST /v1/batch …), Twilio and MailerLite
webhooks, signed checkout links (/r/<token>), /healthz, /readyz and /metrics, with the durable
scheduler and outbox. Reads cartback.config.{ts,mjs,js,json} from the working directory and secrets
from the environment (see docs/server.md). With no credentials it starts local API emulators.

Options:
  --port N       listen on N (default: PORT, server.port or 3000; 0 picks a free port)
  --host H       listen on H (default: HOST, server.host or 127.0.0.1, this machine only); 0.0.0.0
                 listens on every interface and needs a write key (CARTBACK_WRITE_KEY) unless
                 server.protectedMode is false (CARTBACK_PROTECTED_MODE=off)
  --config FILE  the config file (default: cartback.config.* in the working directory)
`;

interface ServeArgs {
  port?: number;
  host?: string;
  config?: string;
  help: boolean;
}

/** reads the command line; throws UsageError saying which argument is wrong */
export function parseServeArgs(argv: string[]): ServeArgs {
  const args: ServeArgs = { help: false };
  const positionals = readFlags(argv, USAGE, (flag, value) => {
    if (flag === "--help" || flag === "-h") args.help = true;
    else if (flag === "--port") args.port = parsePort(value());
    else if (flag === "--config") args.config = value();
    else if (flag === "--host") args.host = value();
    else return false;
    return true;
  });
  takePositionals(positionals, [], USAGE);
  return args;
}

/** the WhatsApp steps that will be skipped (`no_template`) until their template is configured */
export function missingTemplateLines(journeys: readonly JourneySpec[]): string[] {
  const missing = missingTemplates(journeys);
  if (missing.length === 0) return [];
  return [
    "",
    `  WhatsApp: ${missing.length === 1 ? "1 step has" : `${missing.length} steps have`} no approved template and will be skipped (no_template):`,
    ...missing.map(
      (m) =>
        `    ${m.journey} stage ${m.stage} step "${m.step}"${m.given ? ` (contentSid "${m.given}" is not an HX… SID)` : ""}`,
    ),
    "  run `cartback setup twilio` and set the SIDs it prints (CARTBACK_WHATSAPP_NUDGE, CARTBACK_WHATSAPP_URGENCY)",
    "  or whatsappTemplates in the config file; see docs/twilio.md.",
  ];
}

/** the lines printed at start; the emulator notice is meant to be impossible to miss */
export function startBanner(config: ResolvedConfig, running: RunningCartback): string {
  const store =
    config.store.kind === "sqlite"
      ? `SQLite ${config.store.path}`
      : config.store.kind === "postgres"
        ? "PostgreSQL (DATABASE_URL)"
        : "in memory (lost on exit)";
  // the address it really listens on; on every interface, also where to reach it from this machine
  const address = running.server?.address ?? running.url;
  const everywhere = /^(0\.0\.0\.0|\[::\]):/.test(address);
  const lines = [
    everywhere
      ? `cartback serve: listening on ${address}, every network interface (from this machine: ${running.url})`
      : `cartback serve: listening on ${running.url}`,
    `  config:    ${config.source ?? "none found, using defaults"}`,
    `  env file:  ${config.envFile ?? "none (.env in the working directory is read when present)"}`,
    `  store:     ${store}`,
    `  journeys:  ${config.journeys.map((j) => j.name).join(", ")}`,
    `  send data: RudderStack data plane URL ${running.url} (POST ${routePath("rudderstackBatch")})`,
    `  write key: ${config.writeKeyFrom ? `set (${config.writeKeyFrom})` : "none set: any write key is accepted"}`,
  ];
  if (running.emulators) {
    const urls = running.emulators.urls;
    lines.push(
      "",
      "!!! ============================================================================ !!!",
      "!!! NO CREDENTIALS CONFIGURED: messages go to LOCAL EMULATORS, nobody is contacted !!!",
      "!!! ============================================================================ !!!",
      `  MailerLite emulator: ${urls.mailerlite}`,
      `  Twilio emulator:     ${urls.twilio}`,
      `  inspect what was sent: curl ${urls.mailerlite}/_emulator/requests`,
      `                         curl ${urls.twilio}/_emulator/requests`,
      "  set MAILERLITE_API_KEY and TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM to send for real.",
    );
    if (running.temporaryLinkSecret)
      lines.push(
        `  checkout links: ${running.config.links.baseUrl}/r/…, signed with a secret made up at start (set CARTBACK_LINK_SECRET to keep them valid across restarts)`,
      );
  }
  lines.push(...missingTemplateLines(config.journeys));
  lines.push("", "Press Ctrl-C to stop.", "");
  return lines.join("\n");
}

/** runs until `until` resolves, then drains and stops */
export async function runServe(argv: string[], io: CliIO, until: Promise<unknown>): Promise<number> {
  const args = parseServeArgs(argv);
  if (args.help) {
    io.stdout(HELP);
    return 0;
  }
  const config = await loadConfig(args.config ? { path: args.config } : {});
  if (args.port !== undefined) config.server.port = args.port;
  if (args.host !== undefined) config.server.host = args.host;
  const running = await startCartback({ config });
  io.stdout(startBanner(config, running));
  await until;
  io.stdout("cartback serve: stopping (draining in-flight work)…\n");
  await running.stop();
  io.stdout("cartback serve: stopped\n");
  return 0;
}

export const serveCommand: CliCommand = {
  name: "serve",
  usage: USAGE,
  summary: "run the HTTP API, scheduler and outbox (local emulators when no credentials are set)",
  run: (argv, io) =>
    runServe(
      argv,
      io,
      new Promise<void>((resolve) => {
        const stop = () => {
          // a second Ctrl-C while draining means: stop now
          process.once("SIGINT", () => {
            io.stderr("cartback serve: stopped without draining\n");
            process.exit(130);
          });
          resolve();
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      }),
    ),
};
