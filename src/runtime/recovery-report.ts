/**
 * The recovery report over a store: every profile, a page at a time, with each message's delivery
 * read from the outbox. Everything it counts is in the database, so the numbers are the same after a
 * restart and whichever of several workers serves them.
 */
import {
  createReportBuilder,
  type DeliveryFact,
  messageKeysOf,
  type RecoveryReport,
  type ReportOptions,
} from "../core/analytics/index.js";
import type { OutboxEntry, Store } from "./store.js";

export interface StoreReportOptions extends ReportOptions {
  /** profiles read per page (default 500) */
  pageSize?: number;
}

/** what the report needs of an outbox entry */
export function deliveryFact(entry: OutboxEntry): DeliveryFact {
  const units = entry.command.type === "twilio.sendSms" ? entry.command.segments : null;
  switch (entry.state) {
    case "sent":
      return { state: "sent", at: entry.sentAt, units };
    case "dead":
      return { state: "failed", at: null, units };
    case "dropped":
      return { state: "dropped", at: null, units };
    default:
      return { state: "queued", at: null, units };
  }
}

/**
 * Builds the report from what the store holds.
 *
 * @example
 * const report = await reportFromStore(store, { journeys, now: Date.now(), since: Date.now() - 30 * DAY });
 */
export async function reportFromStore(store: Store, options: StoreReportOptions): Promise<RecoveryReport> {
  const builder = createReportBuilder(options);
  const pageSize = options.pageSize ?? 500;
  let after: string | null = null;
  for (;;) {
    const profiles = await store.listProfiles({ after, limit: pageSize });
    if (profiles.length === 0) break;
    const keys = profiles.flatMap(messageKeysOf);
    const facts = new Map<string, DeliveryFact>();
    for (let i = 0; i < keys.length; i += 1000) {
      for (const entry of await store.listOutbox({ keys: keys.slice(i, i + 1000) }))
        facts.set(entry.key, deliveryFact(entry));
    }
    for (const profile of profiles) builder.add(profile, (key) => facts.get(key));
    after = (profiles[profiles.length - 1] as { id: string }).id;
    if (profiles.length < pageSize) break;
  }
  return builder.finish();
}
