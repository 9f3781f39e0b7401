import { RegionSetting } from "../../config/settings.js";
import type { CartEvent } from "../../core/events.js";
import { normalizeEvent } from "../../core/normalize/index.js";
import { formatPath, type Issue, issue } from "../../core/result.js";
import { flagChoice, flagSetting, readFlags, takePositionals } from "../args.js";
import { openInput, readNdjson } from "../ndjson.js";
import type { CliCommand } from "../types.js";

const HELP = `Usage: cartback validate [--format text|json] [--region CC] <events.ndjson|->

Reads NDJSON (one message per line: RudderStack messages, Shopify checkout or WooCommerce order
webhook bodies) and prints, per line, the cart events it became or why it was rejected.
A bad line never stops the run. Exits 1 when any line was rejected. An accepted line whose contact
details cannot be used (a phone number that is not valid, a timezone that is not one) gets a warning:
it is kept, but a journey would later skip the channel.

Options:
  --format text|json  text for people (default); json prints one object per line and a summary
  --region CC         ISO country for phone numbers without a country code (e.g. IN, US)
`;

function describeEvent(event: CartEvent): string {
  switch (event.type) {
    case "consent_changed":
      return `consent_changed(${event.channel} ${event.status})`;
    case "item_added":
      return `item_added(${event.item.productId} ×${event.item.quantity})`;
    case "message_engaged":
      return `message_engaged(${event.channel} ${event.engagement})`;
    case "order_completed":
      return `order_completed(${event.value}${event.currency ? ` ${event.currency}` : ""})`;
    default:
      return event.type;
  }
}

/**
 * Contact details an accepted line carries that the journey cannot use: kept on the profile, but
 * they would later show up only as a skip (`no_phone`), so validate says so now.
 */
function contactWarnings(message: unknown, events: CartEvent[], region: string | undefined): string[] {
  const warnings = new Set<string>();
  let timezone = false;
  for (const event of events) {
    const contact = event.contact;
    if (contact?.timezone) timezone = true;
    if (contact?.invalidPhone)
      warnings.add(
        `phone "${contact.invalidPhone}" is not a valid number${region ? ` for ${region}` : " (no country code: give one, or pass --region such as --region GB)"}; kept, but SMS and WhatsApp cannot reach it`,
      );
  }
  const zone = (message as { context?: { timezone?: unknown } }).context?.timezone;
  if (typeof zone === "string" && zone !== "" && !timezone && events.some((e) => e.contact))
    warnings.add(`timezone "${zone}" is not an IANA time zone; ignored, the store's timezone is used`);
  return [...warnings];
}

function ignoredReason(message: unknown): string {
  const m = message as { type?: unknown; event?: unknown };
  return m.type === "track"
    ? `track "${String(m.event)}" is not used by cartback`
    : `${String(m.type)} carries nothing cartback uses`;
}

const USAGE = "validate [--format text|json] [--region CC] <events.ndjson|->";

export const validateCommand: CliCommand = {
  name: "validate",
  usage: USAGE,
  summary: "check a stream of events and show what each line becomes",
  async run(argv, io) {
    let format = "text" as "text" | "json";
    let help = false;
    const options: { defaultRegion?: string } = {};
    const positionals = readFlags(argv, USAGE, (flag, value) => {
      if (flag === "--help" || flag === "-h") help = true;
      else if (flag === "--format") format = flagChoice(flag, value(), ["text", "json"]);
      else if (flag === "--region") options.defaultRegion = flagSetting(flag, value(), RegionSetting);
      else return false;
      return true;
    });
    if (help) {
      io.stdout(HELP);
      return 0;
    }
    const [path] = takePositionals(positionals, ["<events.ndjson|->"], USAGE, 0);
    const json = format === "json";
    const input = await openInput(path, io.stdin);
    const totals = { lines: 0, accepted: 0, rejected: 0, ignored: 0, events: 0, warnings: 0 };

    for await (const entry of readNdjson(input)) {
      totals.lines++;
      const issues: Issue[] | undefined =
        "error" in entry ? [issue("invalid_json", [], entry.error)] : undefined;
      const result = issues ? undefined : normalizeEvent((entry as { value: unknown }).value, options);
      if (issues || (result && !result.success)) {
        totals.rejected++;
        const problems = issues ?? (result as { error: Issue[] }).error;
        if (json)
          io.stdout(`${JSON.stringify({ line: entry.line, status: "rejected", issues: problems })}\n`);
        else
          for (const p of problems)
            io.stdout(`line ${entry.line}: rejected: ${formatPath(p.path)}: ${p.message} [${p.code}]\n`);
        continue;
      }
      const events = (result as { data: CartEvent[] }).data;
      if (events.length === 0) {
        totals.ignored++;
        const reason = ignoredReason((entry as { value: unknown }).value);
        if (json) io.stdout(`${JSON.stringify({ line: entry.line, status: "ignored", reason })}\n`);
        else io.stdout(`line ${entry.line}: ignored: ${reason}\n`);
        continue;
      }
      totals.accepted++;
      totals.events += events.length;
      const warnings = contactWarnings((entry as { value: unknown }).value, events, options.defaultRegion);
      if (warnings.length > 0) totals.warnings++;
      if (json)
        io.stdout(
          `${JSON.stringify({ line: entry.line, status: "accepted", events, ...(warnings.length > 0 ? { warnings } : {}) })}\n`,
        );
      else {
        io.stdout(`line ${entry.line}: ok → ${events.map(describeEvent).join(", ")}\n`);
        for (const warning of warnings) io.stdout(`line ${entry.line}: warning: ${warning}\n`);
      }
    }
    if (json) io.stdout(`${JSON.stringify({ summary: totals })}\n`);
    else {
      io.stdout(
        `\n${totals.lines} lines: ${totals.accepted} accepted (${totals.events} cart events${totals.warnings > 0 ? `; ${totals.warnings} with warnings` : ""}), ${totals.rejected} rejected, ${totals.ignored} ignored\n`,
      );
    }
    return totals.rejected > 0 ? 1 : 0;
  },
};
