import { statSync } from "node:fs";
import { readEnvironment } from "../../config/env-file.js";
import { RegionSetting, SecretSetting, TimezoneSetting, UrlSetting } from "../../config/settings.js";
import { createReportBuilder } from "../../core/analytics/index.js";
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
import type { NormalizeOptions } from "../../core/normalize/index.js";
import { formatIssues } from "../../core/result.js";
import { renderReportHtml } from "../../report/html.js";
import { renderReportText } from "../../report/text.js";
import { envSetting, flagChoice, flagSetting, readFlags, takePositionals } from "../args.js";
import { canReadInWorker, readEvents, readEventsInWorker } from "../event-reader.js";
import { readJourneyArgument } from "../journey-argument.js";
import { checkInput, openChecked } from "../ndjson.js";
import {
  createSimulation,
  type SimulatedCommand,
  type SimulatedSkip,
  toRecord,
  toSkipRecord,
} from "../simulation.js";
import { type CliCommand, type CliIO, UsageError } from "../types.js";

const HELP = `Usage: cartback simulate [--journey <preset|file.json>] [--until <ISO time|+duration>]
                         [--format ndjson|table] [--explain] [--report [--format text|json|html]]
                         [--region CC] [--store-timezone TZ] [--link-base URL] [--shop-url URL]
                         [--reorder-window auto|all|<duration>] <events.ndjson|->

Replays events in timestamp order on a virtual clock and shows every command the journey would
produce, when. Nothing is sent. Invalid lines are reported on stderr and skipped (exit code 1).

Options:
  --journey         playbook (default), classic, coordinated, or a journey JSON file
  --until           stop at an ISO-8601 instant, or a duration after the last event such as +7d
                    (default: 30 days after the last event)
  --format          ndjson (default): one JSON object per command, in time order;
                    table: messages, tasks and the messages not sent, for people, with totals
  --explain         ndjson: also a record for every message not sent (with its reason), and
                    when a message went out later than due, when it was due and what held it
  --report          instead of the commands, the recovery report of the replay: which orders in
                    the export the journey would have been credited with (a back-test; every
                    planned message counts as sent). --format text (default), json or html
  --region          ISO country for phone numbers without a country code (e.g. IN, US)
  --store-timezone  timezone for shoppers whose own is unknown (default UTC)
  --link-base       base URL of signed checkout links; the signing key is read from
                    CARTBACK_LINK_SECRET (without both, messages carry the shop's checkout URL)
  --shop-url        where a message's link leads when the cart has no checkout URL (e.g. the
                    shop's cart page); without a link, a text that shows one is not sent (no_link)
  --reorder-window  how far out of order the input may be while it is replayed as it is read:
                    auto (default): 1h, unless one of the first 10,000 events is further out
                    of order, then all; all: hold every event and sort (any order, more memory);
                    or a duration such as 15m or 1d. A line further out of order than the window
                    is reported and skipped

Unique discount codes are derived with CARTBACK_DISCOUNT_SECRET.
`;

/** `--format` with `--report`: text unless given, else text, json or html */
function reportFormat(format: string | undefined): "text" | "json" | "html" {
  if (format === undefined) return "text";
  if (format === "text" || format === "json" || format === "html") return format;
  throw new UsageError(`with --report, --format must be text, json or html, got "${format}"`);
}

/**
 * the flags `simulate` and `preview` share: the journey, the end of the replay, and what planning and
 * reading need to know about the store; false for any other flag
 */
export function readReplayFlag(
  flag: string,
  value: () => string,
  flags: { journey: string; until: string | undefined },
  context: PlanContext,
  options: NormalizeOptions,
): boolean {
  if (flag === "--journey") flags.journey = value();
  else if (flag === "--until") flags.until = value();
  else if (flag === "--region") options.defaultRegion = flagSetting(flag, value(), RegionSetting);
  else if (flag === "--store-timezone") context.storeTimezone = flagSetting(flag, value(), TimezoneSetting);
  else if (flag === "--link-base") context.linkBaseUrl = flagSetting(flag, value(), UrlSetting);
  else if (flag === "--shop-url") context.shopUrl = flagSetting(flag, value(), UrlSetting);
  else return false;
  return true;
}

/**
 * the signing keys `simulate` and `preview` plan with, from the environment or `.env`, into
 * `context.secrets`; `--link-base` without its key is a usage error
 */
export function readReplaySecrets(context: PlanContext): void {
  const secrets: NonNullable<PlanContext["secrets"]> = {};
  const { env } = readEnvironment();
  const linkSecret = envSetting(env, "CARTBACK_LINK_SECRET", SecretSetting);
  const discountSecret = envSetting(env, "CARTBACK_DISCOUNT_SECRET", SecretSetting);
  if (context.linkBaseUrl && !linkSecret)
    throw new UsageError("--link-base needs the signing key in CARTBACK_LINK_SECRET");
  if (linkSecret) secrets.links = linkSecret;
  if (discountSecret) secrets.discounts = discountSecret;
  context.secrets = secrets;
}

export async function loadJourney(name: string): Promise<JourneySpec> {
  const argument = await readJourneyArgument(name);
  if ("preset" in argument) return (PRESETS[argument.preset] as () => JourneySpec)();
  const result = parseJourney(argument.json);
  if (!result.success) throw new UsageError(`${name} is not a valid journey: ${formatIssues(result.error)}`);
  return result.data;
}

/** `--until`: an instant, or a time after the last event (known once the input has been read) */
export function parseUntil(value: string | undefined): { at: number } | { afterLast: number } {
  if (value === undefined) return { afterLast: toMs("30d") };
  if (value.startsWith("+")) {
    if (!/^\+\d+(\.\d+)?[mhd]$/.test(value))
      throw new UsageError(`--until duration must look like +12h or +7d, got "${value}"`);
    return { afterLast: toMs(value.slice(1)) };
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new UsageError(`--until must be an ISO-8601 time or +duration, got "${value}"`);
  return { at };
}

/** the window an input that is read as one stream may be out of order by, by default */
const DEFAULT_WINDOW = "1h";
/** files from this size up are read in a worker thread; below it, starting one costs more than it saves */
const WORKER_FILE_BYTES = 4 << 20;
/** profiles woken between two looks at the reader, once the input has ended */
const WAKE_SLICE = 1024;
/** how many events `auto` looks at before it trusts the input to stay within the window */
const PROBE_EVENTS = 10_000;

export function parseWindow(value: string): { window: number; probe: number } {
  if (value === "auto") return { window: toMs(DEFAULT_WINDOW), probe: PROBE_EVENTS };
  if (value === "all") return { window: Number.POSITIVE_INFINITY, probe: 0 };
  if (!/^\d+(\.\d+)?[mhd]$/.test(value))
    throw new UsageError(
      `--reorder-window must be auto, all or a duration such as 15m or 1d, got "${value}"`,
    );
  return { window: toMs(value), probe: 0 };
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

const hhmm = (at: number) => new Date(at).toISOString().slice(11, 16);

function createTable(io: CliIO) {
  const counts = { message: 0, task: 0, support: 0, analytics: 0 };
  const byChannel: Record<string, number> = {};
  const skips: Record<string, number> = {};
  let held = 0;
  const line = (cols: string[]) => io.stdout(`${cols.join("  ")}\n`);
  return {
    skip(s: SimulatedSkip) {
      skips[s.reason] = (skips[s.reason] ?? 0) + 1;
      // a step whose condition does not hold is the journey's design (another segment's step), not news
      if (s.reason === "step_condition" || s.reason === "stage_condition") return;
      line([
        new Date(s.at).toISOString().slice(0, 16).replace("T", " "),
        s.profileId.slice(0, 18).padEnd(18),
        s.cartId.slice(0, 16).padEnd(16),
        (s.channel ?? "task").padEnd(8),
        `${s.stage}/${s.step}`.padEnd(18),
        (s.segment ?? "-").padEnd(17),
        "".padEnd(4),
        "".padEnd(12),
        `not sent: ${s.reason}`,
      ]);
    },
    row({ at, command, held: hold }: SimulatedCommand) {
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
        (hold ? `[held from ${hhmm(hold.due)}: ${hold.by.join(", ")}] ` : "") +
          summarise(command).replace(/\s+/g, " ").slice(0, 90),
      ];
      if (hold) held++;
      line(cols);
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
      const conditions = (skips.step_condition ?? 0) + (skips.stage_condition ?? 0);
      const reasons = Object.entries(skips)
        .filter(([reason]) => reason !== "step_condition" && reason !== "stage_condition")
        .sort((a, b) => b[1] - a[1])
        .map(([reason, n]) => `${n} ${reason}`)
        .join(", ");
      io.stdout(
        `${held} messages held past their designed time; not sent: ${reasons || "none"} (and ${conditions} steps for other segments or conditions)\n`,
      );
    },
  };
}

const USAGE =
  "simulate [--journey <preset|file.json>] [--until <time|+duration>] [--format ndjson|table] [--explain] [--report] <events.ndjson|->";

export const simulateCommand: CliCommand = {
  name: "simulate",
  usage: USAGE,
  summary: "preview the commands a journey would produce for a stream of events",
  async run(argv, io) {
    const flags = {
      journey: "playbook",
      until: undefined as string | undefined,
      format: undefined as string | undefined,
      reorderWindow: "auto",
      explain: false,
      report: false,
      help: false,
    };
    const context: PlanContext = {};
    const options: NormalizeOptions = {};
    const positionals = readFlags(argv, USAGE, (flag, value) => {
      if (flag === "--help" || flag === "-h") flags.help = true;
      else if (readReplayFlag(flag, value, flags, context, options)) return true;
      else if (flag === "--format") flags.format = value();
      else if (flag === "--reorder-window") flags.reorderWindow = value();
      else if (flag === "--explain") flags.explain = true;
      else if (flag === "--report") flags.report = true;
      else return false;
      return true;
    });
    if (flags.help) {
      io.stdout(HELP);
      return 0;
    }
    const [input] = takePositionals(positionals, ["<events.ndjson|->"], USAGE, 0);
    const until = parseUntil(flags.until);
    const order = parseWindow(flags.reorderWindow);
    // with --report, the recovery report of the replay replaces the commands
    const report = flags.report ? reportFormat(flags.format) : null;
    const format = report ? null : flagChoice("--format", flags.format ?? "ndjson", ["ndjson", "table"]);
    readReplaySecrets(context);
    const journey = await loadJourney(flags.journey);
    const path = await checkInput(input);

    const table = format === "table" ? createTable(io) : null;
    // for the report: what each SMS would be billed (segments), by its key
    const units = new Map<string, number>();
    table?.header();
    let buffer = "";
    const write = (record: unknown) => {
      buffer += `${JSON.stringify(record)}\n`;
      if (buffer.length > 1 << 16) {
        io.stdout(buffer);
        buffer = "";
      }
    };
    const explain = !report && (table !== null || flags.explain);
    const simulation = createSimulation({
      journeys: [journey],
      context,
      until: "at" in until ? until.at : Number.POSITIVE_INFINITY,
      onCommand(entry) {
        if (report) {
          if (entry.command.type === "twilio.sendSms") units.set(entry.command.key, entry.command.segments);
        } else if (table) table.row(entry);
        else write(toRecord(entry, explain));
      },
      ...(explain
        ? {
            explain: {
              onSkip: (skip: SimulatedSkip) => (table ? table.skip(skip) : write(toSkipRecord(skip))),
            },
          }
        : {}),
    });
    const reading = { normalize: options, ...order };
    // a reader slower than the replay (`| jq …`) holds the replay back, batch by batch
    const ready = () => {
      if (buffer.length > 0) {
        io.stdout(buffer);
        buffer = "";
      }
      return io.stdoutReady?.() ?? undefined;
    };
    const sink = {
      events(events: CartEvent[]) {
        for (const event of events) simulation.push(event);
        return ready();
      },
      skipped(line: number, reason: string) {
        io.stderr(`line ${line}: skipped: ${reason}\n`);
      },
    };
    // a large file is read and normalized in a worker thread, beside the replay
    const read =
      path !== "-" && canReadInWorker && statSync(path).size >= WORKER_FILE_BYTES
        ? await readEventsInWorker(path, reading, sink)
        : await readEvents(openChecked(path, io.stdin), reading, sink);
    const lastAt = read.lastAt ?? 0;
    const end = "at" in until ? until.at : lastAt + until.afterLast;
    simulation.close(end);
    // the wake-ups after the last event, a slice at a time
    while (simulation.wakeSome(WAKE_SLICE)) await ready();
    const summary = simulation.finish();
    if (report) {
      const builder = createReportBuilder({ journeys: [journey], now: end });
      for (const profile of simulation.profiles())
        builder.add(profile, (key) => ({ state: "sent", at: null, units: units.get(key) ?? null }));
      const result = builder.finish();
      io.stdout(
        report === "json"
          ? `${JSON.stringify(result, null, 2)}\n`
          : report === "html"
            ? renderReportHtml(result)
            : renderReportText(result),
      );
      return read.skipped > 0 ? 1 : 0;
    }
    if (buffer) io.stdout(buffer);
    table?.footer();
    if (table) {
      io.stdout(
        `${summary.events} events, ${summary.profiles} shoppers, simulated until ${new Date(end).toISOString()} (${formatDuration(end - lastAt)} after the last event)\n`,
      );
    }
    return read.skipped > 0 ? 1 : 0;
  },
};
