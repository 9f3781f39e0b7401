/**
 * `cartback preview`: replays events like `cartback simulate` (the same replay, so the two always
 * agree) and writes one HTML page with every message each shopper would receive.
 */
import { writeFile } from "node:fs/promises";
import type { CartEvent } from "../../core/events.js";
import type { PlanContext } from "../../core/journey/index.js";
import type { NormalizeOptions } from "../../core/normalize/index.js";
import type { Profile } from "../../core/profile.js";
import { readFlags, takePositionals } from "../args.js";
import { readEvents } from "../event-reader.js";
import { checkInput, openChecked } from "../ndjson.js";
import { createPreviewCollector, matchesShopper } from "../preview.js";
import { renderPreviewHtml } from "../preview-html.js";
import { createSimulation } from "../simulation.js";
import { type CliCommand, UsageError } from "../types.js";
import { loadJourney, parseUntil, parseWindow, readReplayFlag, readReplaySecrets } from "./simulate.js";

const USAGE =
  "preview [--journey <preset|file.json>] [--shopper ID] [--store-name NAME] [--out FILE] <events.ndjson|->";

const HELP = `Usage: cartback ${USAGE}

Replays events as \`cartback simulate\` does and writes one self-contained HTML page with, per
shopper, the timeline of what they would receive: each email as the shipped MailerLite template
(templates/mailerlite/) filled with the fields cartback writes, each SMS with its encoding and
segment count, each WhatsApp message as its template and variables, each message not sent with its
reason, and when a message was held (quiet hours, spacing). Nothing is sent.

Options:
  --journey         playbook (default), classic, coordinated, or a journey JSON file
  --shopper ID      only this shopper: a profile id, user id, email or anonymous id
  --until           stop at an ISO-8601 instant or a duration after the last event (default +30d)
  --out FILE        write the page to FILE (default: standard output)
  --region          ISO country for phone numbers without a country code (e.g. IN, US)
  --store-timezone  timezone for shoppers whose own is unknown (default UTC)
  --link-base       base URL of signed checkout links (key in CARTBACK_LINK_SECRET)
  --shop-url        where a message's link leads when the cart has no checkout URL
  --store-name      the store's name, as \`storeName\` in the config (the emails' \`store_name\`)

See docs/simulate.md and, for the emails, docs/mailerlite.md.
`;

export const previewCommand: CliCommand = {
  name: "preview",
  usage: USAGE,
  summary: "write an HTML page with every email, text and WhatsApp message each shopper would get",
  async run(argv, io) {
    const flags = {
      journey: "playbook",
      until: undefined as string | undefined,
      out: undefined as string | undefined,
      shopper: undefined as string | undefined,
      help: false,
    };
    const context: PlanContext = {};
    const options: NormalizeOptions = {};
    const positionals = readFlags(argv, USAGE, (flag, value) => {
      if (flag === "--help" || flag === "-h") flags.help = true;
      else if (readReplayFlag(flag, value, flags, context, options)) return true;
      else if (flag === "--out") flags.out = value();
      else if (flag === "--shopper") flags.shopper = value();
      else if (flag === "--store-name") context.storeName = value();
      else return false;
      return true;
    });
    if (flags.help) {
      io.stdout(HELP);
      return 0;
    }
    const [input] = takePositionals(positionals, ["<events.ndjson|->"], USAGE, 0);
    const until = parseUntil(flags.until);
    readReplaySecrets(context);
    const journey = await loadJourney(flags.journey);
    const path = await checkInput(input);

    const collector = createPreviewCollector(journey.id);
    const simulation = createSimulation({
      journeys: [journey],
      context,
      until: "at" in until ? until.at : Number.POSITIVE_INFINITY,
      onCommand: collector.onCommand,
      explain: { onSkip: collector.onSkip },
    });
    const read = await readEvents(
      openChecked(path, io.stdin),
      { normalize: options, ...parseWindow("auto") },
      {
        events(events: CartEvent[]) {
          for (const event of events) simulation.push(event);
        },
        skipped(line: number, reason: string) {
          io.stderr(`line ${line}: skipped: ${reason}\n`);
        },
      },
    );
    const lastAt = read.lastAt ?? 0;
    simulation.close("at" in until ? until.at : lastAt + until.afterLast);
    simulation.finish();

    const profiles = new Map<string, Profile>();
    for (const profile of simulation.profiles()) profiles.set(profile.id, profile);
    const preview = collector.finish(profiles.values());
    if (flags.shopper !== undefined) {
      const wanted = flags.shopper;
      const all = preview.shoppers;
      preview.shoppers = all.filter((s) => matchesShopper(s, profiles.get(s.id), wanted));
      if (preview.shoppers.length === 0)
        throw new UsageError(
          `no shopper "${wanted}" receives anything in this replay; shoppers: ${
            all
              .slice(0, 10)
              .map((s) => s.email ?? s.id)
              .join(", ") || "none"
          }`,
        );
    }
    const html = renderPreviewHtml(preview);
    if (flags.out) {
      await writeFile(flags.out, html);
      const messages = preview.shoppers.reduce(
        (n, s) => n + s.entries.filter((e) => e.kind !== "skipped" && e.kind !== "task").length,
        0,
      );
      io.stdout(
        `wrote ${flags.out}: ${preview.shoppers.length} shopper${preview.shoppers.length === 1 ? "" : "s"}, ${messages} messages\n`,
      );
    } else io.stdout(html);
    return read.skipped > 0 ? 1 : 0;
  },
};
