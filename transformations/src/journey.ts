/**
 * Paste bundle: the journey planner run statelessly, one profile-carrying event at a time.
 */
import type { ResolvedJourney } from "../../src/core/journey/resolve.js";
import {
  type JourneySettings,
  planContext,
  type RunEnvironment,
  runJourneyEvent,
  settingsJourney,
} from "./lib/journey-run.js";
import { say } from "./lib/say.js";

declare const SETTINGS: JourneySettings;

// resolved at the first event, not when the file is evaluated (RudderStack evaluates it for every
// batch): a batch with nothing to plan pays nothing, and a bad SETTINGS.journey fails each event
// with the command that fixes it
let journey: ResolvedJourney | undefined;
let context: RunEnvironment["context"] | undefined;
let token: string | undefined;

function mailerliteToken(): string {
  token ??= getCredential("MAILERLITE_API_TOKEN");
  if (!token)
    throw new Error("missing credential MAILERLITE_API_TOKEN (RudderStack → Transformations → Credentials)");
  return token;
}

/**
 * Plans the profile the event carries at the current time and returns what is due for the
 * destination (each output keeps the event's messageId), or null when nothing is. A bad event, or
 * a setting the destination needs and lacks, is an error for that event alone.
 */
export function transformEvent(event: Record<string, unknown>, metadata: RudderMetadata) {
  journey ??= settingsJourney(SETTINGS);
  if (!context) {
    const linkSecret = getCredential("CARTBACK_LINK_SECRET");
    context = planContext(SETTINGS, linkSecret ? { links: linkSecret } : undefined);
  }
  const now = Date.now();
  const env: RunEnvironment = {
    settings: SETTINGS,
    journey,
    now,
    timestamp: new Date(now).toISOString(),
    context,
    mailerliteToken,
    log: say,
  };
  const out = runJourneyEvent({ message: event, destinationType: metadata(event).destinationType }, env);
  return out.length > 0 ? out : null;
}
