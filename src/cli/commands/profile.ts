import { resolveJourney } from "../../core/journey/index.js";
import { findProfileId, type ProfileReport, reportProfile } from "../../runtime/report.js";
import { flagChoice, readFlags, takePositionals } from "../args.js";
import { readStoreFlag, STORE_HELP, type StoreFlags, withStore } from "../store-access.js";
import { type CliCommand, UsageError } from "../types.js";

const USAGE = "profile show <id|email|phone> [--format text|json] [--db file | --database-url url]";

const HELP = `Usage: cartback profile show <profile id | email | phone | user id> [--format text|json]

Shows one shopper: contact and consent, carts, the journey timeline so far, what is scheduled next
and why, and their outbox.

${STORE_HELP}
`;

const iso = (at: number | null | undefined) => (typeof at === "number" ? new Date(at).toISOString() : "-");

export function formatReport(report: ProfileReport): string {
  const p = report.profile;
  const out: string[] = [];
  out.push(`profile ${report.id} (version ${report.version})`);
  out.push(`  keys      ${report.keys.join(", ")}`);
  out.push(`  contact   ${p.email ?? "-"}  ${p.phone ?? "-"}  timezone ${p.timezone ?? "-"}`);
  out.push(
    `  consent   ${Object.entries(p.consent)
      .map(([channel, c]) => `${channel} ${c.status}`)
      .join(", ")}`,
  );
  out.push(`  orders    ${p.orders.count} (lifetime ${p.orders.lifetimeValue})`);
  out.push("carts");
  for (const cart of p.carts) {
    out.push(
      `  ${cart.id}  ${cart.status}  ${cart.value} ${cart.currency ?? ""}  ${cart.items.length} items  updated ${iso(cart.updatedAt)}`,
    );
  }
  out.push("timeline");
  if (report.timeline.length === 0) out.push("  (nothing yet)");
  for (const t of report.timeline)
    out.push(`  ${iso(t.at)}  ${t.journey} ${t.cartId}  ${t.what}  ${t.detail}`);
  out.push("next");
  if (report.next === null) out.push("  nothing scheduled");
  else {
    out.push(`  wake-up at ${iso(report.next.at)}`);
    for (const why of report.next.why) out.push(`    ${why}`);
    if (report.next.commands.length === 0)
      out.push("    then: nothing to send on today's state (timers or windows only)");
    for (const c of report.next.commands)
      out.push(`    then: ${c.type} ${c.channel ?? ""} ${c.step ?? ""}  (${c.key})`);
    if (report.next.after !== null) out.push(`  after that, wake-up at ${iso(report.next.after)}`);
  }
  out.push("outbox");
  if (report.outbox.length === 0) out.push("  (empty)");
  for (const e of report.outbox) {
    const when =
      e.state === "sent"
        ? `sent ${iso(e.sentAt)}`
        : e.state === "pending"
          ? `due ${iso(e.dueAt)}`
          : `${e.state} ${e.deadReason ?? ""}`;
    out.push(`  ${e.key}  ${e.command.type}  ${when}`);
  }
  return `${out.join("\n")}\n`;
}

export const profileCommand: CliCommand = {
  name: "profile",
  usage: USAGE,
  summary: "a shopper's state, journey timeline and what is scheduled next",
  async run(argv, io) {
    const values: StoreFlags = {};
    let format = "text" as "text" | "json";
    let help = false;
    const positionals = readFlags(argv, USAGE, (flag, value) => {
      if (flag === "--help" || flag === "-h") help = true;
      else if (flag === "--format") format = flagChoice(flag, value(), ["text", "json"]);
      else return readStoreFlag(flag, value, values);
      return true;
    });
    if (help) {
      io.stdout(HELP);
      return 0;
    }
    const [action, who] = takePositionals(positionals, ["show", "<id|email|phone>"], USAGE) as [
      string,
      string,
    ];
    if (action !== "show")
      throw new UsageError(`unknown profile action "${action}"; use show\n\nUsage: cartback ${USAGE}`);
    return withStore(values, async ({ store, journeys, plan }) => {
      const id = await findProfileId(store, who);
      const report = id === null ? null : await reportProfile(store, id, journeys.map(resolveJourney), plan);
      if (report === null) {
        io.stderr(`no shopper found for "${who}"\n`);
        return 1;
      }
      io.stdout(format === "json" ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      return 0;
    });
  },
};
