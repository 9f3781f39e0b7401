/**
 * `cartback serve`: config → store → destinations (or the local emulators) → engine → HTTP server,
 * until SIGINT or SIGTERM, which stop taking requests and drain in-flight work before exiting.
 */
import { loadConfig } from "../../config/load.js";
import type { ResolvedConfig } from "../../config/resolve.js";
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

/** WhatsApp Content API sids in the journeys that cannot be real ones (the presets' defaults) */
export function placeholderTemplates(journeys: readonly unknown[]): string[] {
  const found = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object")
      for (const [key, item] of Object.entries(value)) {
        if (key === "contentSid" && typeof item === "string" && !/^HX[0-9a-f]{32}$/i.test(item))
          found.add(item);
        else visit(item);
      }
  };
  visit(journeys);
  return [...found];
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
  const placeholders = placeholderTemplates(config.journeys);
  if (placeholders.length > 0)
    lines.push(
      "",
      `  note: WhatsApp ${placeholders.length === 1 ? "template" : "templates"} ${placeholders.map((p) => `"${p}"`).join(", ")} ${placeholders.length === 1 ? "is a placeholder" : "are placeholders"}: Twilio will refuse`,
      "        those messages (dead-lettered) until the journey gets your approved HX… templates (whatsappTemplates).",
    );
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
