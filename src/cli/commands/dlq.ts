import type { OutboxEntry } from "../../runtime/store.js";
import { flagChoice, readFlags } from "../args.js";
import { readStoreFlag, STORE_HELP, type StoreFlags, withStore } from "../store-access.js";
import { type CliCommand, UsageError } from "../types.js";

const HELP = `Usage: cartback dlq list [--limit N] [--format text|json]
       cartback dlq retry <key…> | --all
       cartback dlq drop <key…> | --all

The dead-letter queue: commands that failed for good (a permanent or configuration error, or too
many attempts). \`retry\` puts them back in the outbox (attempts reset) for the running engine to
deliver; \`drop\` gives them up for good (their keys stay, so a replayed event cannot resend them).

${STORE_HELP}
`;

function line(entry: OutboxEntry): string {
  const when = entry.deadAt !== null ? new Date(entry.deadAt).toISOString() : "-";
  return `${entry.key}  ${entry.command.type}  ${entry.profileId}  attempts ${entry.attempts}  ${when}\n    ${entry.deadReason ?? entry.lastError ?? ""}\n`;
}

const USAGE = "dlq list|retry|drop [<key…>|--all] [--db file | --database-url url]";

export const dlqCommand: CliCommand = {
  name: "dlq",
  usage: USAGE,
  summary: "list, retry or drop dead-lettered commands",
  async run(argv, io) {
    const store: StoreFlags = {};
    const values = { limit: 100, format: "text" as "text" | "json", all: false, help: false };
    const [action, ...keys] = readFlags(argv, USAGE, (flag, value) => {
      if (flag === "--help" || flag === "-h") values.help = true;
      else if (flag === "--all") values.all = true;
      else if (flag === "--format") values.format = flagChoice(flag, value(), ["text", "json"]);
      else if (flag === "--limit") {
        const text = value();
        values.limit = Number(text);
        if (!/^\d+$/.test(text) || values.limit < 1)
          throw new UsageError(`--limit must be a positive integer, got "${text}"`);
      } else return readStoreFlag(flag, value, store);
      return true;
    });
    if (values.help || action === undefined) {
      io.stdout(HELP);
      return values.help ? 0 : 2;
    }
    if (action !== "list" && action !== "retry" && action !== "drop") {
      throw new UsageError(`unknown dlq action "${action}"; use list, retry or drop`);
    }
    const limit = values.limit;
    if (action === "list" && keys.length > 0)
      throw new UsageError(`dlq list takes no keys, got ${keys.map((k) => `"${k}"`).join(" ")}`);
    if (action !== "list" && keys.length === 0 && !values.all) {
      throw new UsageError(`dlq ${action} needs the keys to ${action} (see \`cartback dlq list\`) or --all`);
    }
    if (action !== "list" && keys.length > 0 && values.all)
      throw new UsageError("give keys or --all, not both");

    return withStore(store, async ({ store }) => {
      if (action === "list") {
        const dead = await store.listOutbox({ state: "dead", limit });
        if (values.format === "json") io.stdout(`${JSON.stringify(dead, null, 2)}\n`);
        else if (dead.length === 0) io.stdout("the dead-letter queue is empty\n");
        else {
          for (const entry of dead) io.stdout(line(entry));
          io.stdout(
            `\n${dead.length} dead letter${dead.length === 1 ? "" : "s"}${dead.length === limit ? ` (first ${limit}; --limit for more)` : ""}\n`,
          );
        }
        return 0;
      }
      const targets = values.all
        ? (await store.listOutbox({ state: "dead", limit: 1_000_000 })).map((e) => e.key)
        : keys;
      let done = 0;
      const now = Date.now();
      for (const key of targets) {
        const ok =
          action === "retry" ? await store.retryDeadLetter(key, now) : await store.dropDeadLetter(key);
        if (ok) done++;
        else io.stderr(`${key}: not in the dead-letter queue\n`);
      }
      io.stdout(`${action === "retry" ? "retrying" : "dropped"} ${done} of ${targets.length}\n`);
      return done === targets.length ? 0 : 1;
    });
  },
};
