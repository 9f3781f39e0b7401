import { writeFile } from "node:fs/promises";
import { renderReportHtml } from "../../report/html.js";
import { parseSince } from "../../report/since.js";
import { renderReportText } from "../../report/text.js";
import { reportFromStore } from "../../runtime/recovery-report.js";
import { flagChoice, readFlags, takePositionals } from "../args.js";
import { readStoreFlag, STORE_HELP, type StoreFlags, withStore } from "../store-access.js";
import { type CliCommand, UsageError } from "../types.js";

const HELP = `Usage: cartback report [--journey id] [--since ISO|duration] [--format text|json|html] [--out file]

What the journeys earned: carts entered and recovered, revenue, the holdout comparison, results per
stage, segment, channel and variant, experiment verdicts, cost and return on spend, next to the
playbook's targets. Reads the store cartback serve writes (SQLite or PostgreSQL).

  --journey   only this journey
  --since     only carts abandoned since then: an ISO time (2026-11-01) or a duration back from now (30d, 12h)
  --format    text (default), json, or html (one self-contained page)
  --out       write to this file instead of standard output

Prices and the winner rule come from the config file's \`report\` section (see docs/analytics.md).

${STORE_HELP}
`;

const USAGE = "report [--journey id] [--since ISO|duration] [--format text|json|html] [--out file]";

export const reportCommand: CliCommand = {
  name: "report",
  usage: USAGE,
  summary: "what the journeys earned: recovery, revenue, holdout, experiments, targets",
  async run(argv, io) {
    const values: StoreFlags & { journey?: string; since?: string; out?: string } = {};
    let format = "text" as "text" | "json" | "html";
    let help = false;
    const positionals = readFlags(argv, USAGE, (flag, value) => {
      if (flag === "--help" || flag === "-h") help = true;
      else if (flag === "--format") format = flagChoice(flag, value(), ["text", "json", "html"]);
      else if (flag === "--journey") values.journey = value();
      else if (flag === "--since") values.since = value();
      else if (flag === "--out") values.out = value();
      else return readStoreFlag(flag, value, values);
      return true;
    });
    if (help) {
      io.stdout(HELP);
      return 0;
    }
    takePositionals(positionals, [], USAGE);
    const now = Date.now();
    const since = values.since !== undefined ? parseSince(values.since, now) : null;
    if (typeof since === "string") throw new UsageError(`--${since}`);
    return withStore(values, async ({ store, journeys, report: settings }) => {
      if (values.journey !== undefined && !journeys.some((j) => j.id === values.journey)) {
        const known = journeys.map((j) => j.id).join(", ");
        io.stderr(
          `note: journey "${values.journey}" is not configured (configured: ${known}); reporting what the store holds\n`,
        );
      }
      const report = await reportFromStore(store, {
        journeys,
        now,
        since,
        journey: values.journey ?? null,
        prices: settings.prices,
        winnerRule: settings.winnerRule,
      });
      const text =
        format === "json"
          ? `${JSON.stringify(report, null, 2)}\n`
          : format === "html"
            ? renderReportHtml(report)
            : renderReportText(report);
      if (values.out !== undefined) {
        await writeFile(values.out, text);
        io.stderr(`wrote the ${format} report to ${values.out}\n`);
      } else io.stdout(text);
      return 0;
    });
  },
};
