import { parseArgs } from "node:util";
import type { Command } from "../../core/commands.js";
import type { CartEvent } from "../../core/events.js";
import {
  formatDuration,
  type JourneySpec,
  type PlanContext,
  PRESETS,
  parseJourney,
  toMs,
} from "../../core/journey/index.js";
import { normalizeEvent } from "../../core/normalize/index.js";
import { formatIssues } from "../../core/result.js";
import { readJourneyArgument } from "../journey-argument.js";
import { openInput, readNdjson } from "../ndjson.js";
import { runSimulation, type SimulatedCommand, toRecord } from "../simulation.js";
import { type CliCommand, type CliIO, UsageError } from "../types.js";

const HELP = `Usage: cartback simulate [--journey <preset|file.json>] [--until <ISO time|+duration>]
                         [--format ndjson|table] [--region CC] [--store-timezone TZ]
                         [--link-base URL] <events.ndjson|->

Replays events in timestamp order on a virtual clock and shows every command the journey would
produce, when. Nothing is sent. Invalid lines are reported on stderr and skipped (exit code 1).

Options:
  --journey         playbook (default), classic, coordinated, or a journey JSON file
  --until           stop at an ISO-8601 instant, or a duration after the last event such as +7d
                    (default: 30 days after the last event)
  --format          ndjson (default): one JSON object per command, in time order;
                    table: messages and tasks for people, with totals
  --region          ISO country for phone numbers without a country code (e.g. IN, US)
  --store-timezone  timezone for shoppers whose own is unknown (default UTC)
  --link-base       base URL of signed checkout links; the signing key is read from
                    CARTBACK_LINK_SECRET (without both, messages carry the shop's checkout URL)

Unique discount codes are derived with CARTBACK_DISCOUNT_SECRET.
`;

async function loadJourney(name: string): Promise<JourneySpec> {
  const argument = await readJourneyArgument(name);
  if ("preset" in argument) return (PRESETS[argument.preset] as () => JourneySpec)();
  const result = parseJourney(argument.json);
  if (!result.success) throw new UsageError(`${name} is not a valid journey: ${formatIssues(result.error)}`);
  return result.data;
}

function parseUntil(value: string | undefined, lastEventAt: number): number {
  if (value === undefined) return lastEventAt + toMs("30d");
  if (value.startsWith("+")) {
    if (!/^\+\d+(\.\d+)?[mhd]$/.test(value))
      throw new UsageError(`--until duration must look like +12h or +7d, got "${value}"`);
    return lastEventAt + toMs(value.slice(1));
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new UsageError(`--until must be an ISO-8601 time or +duration, got "${value}"`);
  return at;
}

function summarise(command: Command): string {
  switch (command.type) {
    case "mailerlite.addToGroup":
    case "mailerlite.removeFromGroup":
      return `group ${command.group}`;
    case "twilio.sendSms":
      return `${command.segments}× ${command.encoding}: ${command.body}`;
    case "twilio.sendWhatsApp":
      return `template ${command.contentSid}`;
    case "webhook.post":
      return `${command.event} → ${command.target}`;
    case "rudderstack.track":
      return command.event;
    default:
      return "";
  }
}

function createTable(io: CliIO) {
  const counts = { message: 0, task: 0, support: 0, analytics: 0 };
  const byChannel: Record<string, number> = {};
  return {
    row({ at, command }: SimulatedCommand) {
      counts[command.kind]++;
      if (command.kind === "message")
        byChannel[command.channel ?? "none"] = (byChannel[command.channel ?? "none"] ?? 0) + 1;
      if (command.kind !== "message" && command.kind !== "task") return;
      const when = new Date(at).toISOString().slice(0, 16).replace("T", " ");
      const stage = command.stage === null ? "-" : `${command.stage}/${command.step ?? "-"}`;
      const discount = command.discountPercent !== null ? `${command.discountPercent}%` : "";
      const cols = [
        when,
        command.profileId.slice(0, 18).padEnd(18),
        (command.cartId ?? "-").slice(0, 16).padEnd(16),
        (command.channel ?? "task").padEnd(8),
        stage.padEnd(18),
        (command.segment ?? "-").padEnd(17),
        discount.padEnd(4),
        (command.variant ?? "").padEnd(12),
        summarise(command).replace(/\s+/g, " ").slice(0, 90),
      ];
      io.stdout(`${cols.join("  ")}\n`);
    },
    header() {
      const cols = [
        "time (UTC)      ",
        "profile".padEnd(18),
        "cart".padEnd(16),
        "channel ",
        "stage/step".padEnd(18),
        "segment".padEnd(17),
        "disc",
        "variant".padEnd(12),
        "what",
      ];
      io.stdout(`${cols.join("  ")}\n`);
    },
    footer() {
      const channels = Object.entries(byChannel)
        .map(([c, n]) => `${n} ${c}`)
        .join(", ");
      io.stdout(
        `\n${counts.message} messages (${channels || "none"}), ${counts.task} tasks, ${counts.support} support and ${counts.analytics} analytics commands\n`,
      );
    },
  };
}

export const simulateCommand: CliCommand = {
  name: "simulate",
  usage:
    "simulate [--journey <preset|file.json>] [--until <time|+duration>] [--format ndjson|table] <events.ndjson|->",
  summary: "preview the commands a journey would produce for a stream of events",
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        journey: { type: "string", default: "playbook" },
        until: { type: "string" },
        format: { type: "string", default: "ndjson" },
        region: { type: "string" },
        "store-timezone": { type: "string" },
        "link-base": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    if (values.format !== "ndjson" && values.format !== "table") {
      throw new UsageError(`--format must be ndjson or table, got "${values.format}"`);
    }
    const journey = await loadJourney(values.journey);
    const input = await openInput(positionals[0], io.stdin);
    const options = values.region ? { defaultRegion: values.region } : {};

    const events: CartEvent[] = [];
    let invalid = 0;
    for await (const entry of readNdjson(input)) {
      if ("error" in entry) {
        invalid++;
        io.stderr(`line ${entry.line}: skipped: ${entry.error}\n`);
        continue;
      }
      const result = normalizeEvent(entry.value, options);
      if (!result.success) {
        invalid++;
        io.stderr(`line ${entry.line}: skipped: ${formatIssues(result.error)}\n`);
        continue;
      }
      for (const event of result.data) events.push(event);
    }
    // stable: events at the same instant keep their input order
    events.sort((a, b) => a.at - b.at);
    const lastAt = events.length > 0 ? (events[events.length - 1] as CartEvent).at : 0;
    const until = parseUntil(values.until, lastAt);

    const context: PlanContext = {};
    if (values["store-timezone"]) context.storeTimezone = values["store-timezone"];
    const linkSecret = process.env.CARTBACK_LINK_SECRET;
    if (values["link-base"]) {
      if (!linkSecret) throw new UsageError("--link-base needs the signing key in CARTBACK_LINK_SECRET");
      context.linkBaseUrl = values["link-base"];
    }
    const secrets: NonNullable<PlanContext["secrets"]> = {};
    if (linkSecret) secrets.links = linkSecret;
    if (process.env.CARTBACK_DISCOUNT_SECRET) secrets.discounts = process.env.CARTBACK_DISCOUNT_SECRET;
    context.secrets = secrets;

    const table = values.format === "table" ? createTable(io) : null;
    table?.header();
    let buffer = "";
    const summary = runSimulation(events, {
      journey,
      context,
      until,
      consume: true,
      onCommand(entry) {
        if (table) table.row(entry);
        else {
          buffer += `${JSON.stringify(toRecord(entry))}\n`;
          if (buffer.length > 1 << 16) {
            io.stdout(buffer);
            buffer = "";
          }
        }
      },
    });
    if (buffer) io.stdout(buffer);
    table?.footer();
    if (table) {
      io.stdout(
        `${summary.events} events, ${summary.profiles} shoppers, simulated until ${new Date(until).toISOString()} (${formatDuration(until - lastAt)} after the last event)\n`,
      );
    }
    return invalid > 0 ? 1 : 0;
  },
};
