/**
 * Paste bundle: the journey planner run statelessly over a batch of profile-carrying events.
 */
import { describeMessage } from "./lib/describe.js";
import { type JourneySettings, planContext, runJourneyEvent, settingsJourney } from "./lib/journey-run.js";

declare const SETTINGS: JourneySettings;

const journey = settingsJourney(SETTINGS);

/**
 * Plans every profile in the batch. A bad event is logged and skipped so the rest of the batch is
 * delivered (a throw here would fail the whole batch).
 */
export function transformBatch(events: Record<string, unknown>[], metadata: RudderMetadata) {
  const now = Date.now();
  const linkSecret = getCredential("CARTBACK_LINK_SECRET");
  // read once per batch, when the first request needs it
  let token: string | undefined;
  const env = {
    settings: SETTINGS,
    journey,
    now,
    timestamp: new Date(now).toISOString(),
    context: planContext(SETTINGS, linkSecret ? { links: linkSecret } : undefined),
    mailerliteToken: () => {
      token ??= getCredential("MAILERLITE_API_TOKEN");
      if (!token) throw new Error("missing credential MAILERLITE_API_TOKEN");
      return token;
    },
    log,
  };
  const out: Record<string, unknown>[] = [];
  for (const message of events) {
    try {
      out.push(...runJourneyEvent({ message, destinationType: metadata(message).destinationType }, env));
    } catch (error) {
      log(`skipped ${describeMessage(message)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return out;
}
