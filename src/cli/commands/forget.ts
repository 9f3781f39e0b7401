import { findProfileId, forgetProfile } from "../../runtime/report.js";
import { readFlags, takePositionals } from "../args.js";
import { readStoreFlag, STORE_HELP, type StoreFlags, withStore } from "../store-access.js";
import type { CliCommand } from "../types.js";

const USAGE = "forget <id|email|phone> [--db file | --database-url url]";

const HELP = `Usage: cartback forget <profile id | email | phone | user id>

Erases a shopper (GDPR): their profile, identity keys, schedule and every outbox entry, in one step,
and queues MailerLite's \`forget\` for their email, which the running engine delivers.

${STORE_HELP}
`;

export const forgetCommand: CliCommand = {
  name: "forget",
  usage: USAGE,
  summary: "erase a shopper: state, outbox, and the MailerLite forget call",
  async run(argv, io) {
    const values: StoreFlags = {};
    let help = false;
    const positionals = readFlags(argv, USAGE, (flag, value) => {
      if (flag === "--help" || flag === "-h") help = true;
      else return readStoreFlag(flag, value, values);
      return true;
    });
    if (help) {
      io.stdout(HELP);
      return 0;
    }
    const [who] = takePositionals(positionals, ["<id|email|phone>"], USAGE) as [string];
    return withStore(values, async ({ store }) => {
      const id = await findProfileId(store, who);
      if (id === null) {
        io.stderr(`no shopper found for "${who}"; nothing erased\n`);
        return 1;
      }
      const report = await forgetProfile(store, id, Date.now());
      io.stdout(
        `erased ${id}: ${report.keys.length} identity keys, ${report.outboxRemoved} outbox entries\n`,
      );
      io.stdout(
        report.mailerliteForget
          ? `queued MailerLite forget (${report.mailerliteForget}); the running engine delivers it\n`
          : "no email on file: nothing to forget at MailerLite\n",
      );
      return 0;
    });
  },
};
