import { parseArgs } from "node:util";
import { findProfileId, forgetProfile } from "../../runtime/report.js";
import { STORE_HELP, STORE_OPTIONS, withStore } from "../store-access.js";
import { type CliCommand, UsageError } from "../types.js";

const HELP = `Usage: cartback forget <profile id | email | phone | user id>

Erases a shopper (GDPR): their profile, identity keys, schedule and every outbox entry, in one step,
and queues MailerLite's \`forget\` for their email, which the running engine delivers.

${STORE_HELP}
`;

export const forgetCommand: CliCommand = {
  name: "forget",
  usage: "forget <id|email|phone> [--db file | --database-url url]",
  summary: "erase a shopper: state, outbox, and the MailerLite forget call",
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...STORE_OPTIONS, help: { type: "boolean", short: "h" } },
    });
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    const [who, ...extra] = positionals;
    if (who === undefined || extra.length > 0)
      throw new UsageError("usage: cartback forget <id|email|phone>");
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
