/**
 * The journey engine without a server: each event carries one shopper's profile (with its journey
 * state); the planner runs at the current time and what is due leaves as MailerLite requests, Twilio
 * form fields or cartback's own events. Nothing is remembered between batches: the advanced state
 * leaves as a `Cart Recovery State` event for whoever sends the next profile.
 */
import { journeyChecksum } from "../../../src/core/journey/checksum.js";
import type { PlanContext } from "../../../src/core/journey/plan.js";
import { planShopper } from "../../../src/core/journey/plan-shopper.js";
import { PRESETS } from "../../../src/core/journey/presets/index.js";
import { type ResolvedJourney, resolveCheckedJourney } from "../../../src/core/journey/resolve.js";
import type { JourneySpec } from "../../../src/core/journey/schema.js";
import { MESSAGE_SENT } from "../../../src/core/journey/step-commands.js";
import type { Profile } from "../../../src/core/profile.js";
import { MESSAGE_DUE, toDueMessages } from "./due-events.js";
import { type MailerliteSettings, mailerliteRequestForDue } from "./mailerlite-requests.js";
import { decideTwilioMessage, type TwilioSettings } from "./twilio-requests.js";

export type JourneyOutput = "auto" | "mailerlite" | "twilio" | "events";

export interface JourneySettings {
  output: JourneyOutput;
  preset: string;
  journey: unknown;
  /** stamped by `cartback transformation journey` when it checked `journey` */
  journeyChecksum: string | null;
  storeTimezone: string;
  storeName: string | null;
  linkBaseUrl: string | null;
  /** where a text leads when the cart has no checkout URL of its own */
  shopUrl: string | null;
  mailerlite: MailerliteSettings;
  twilio: TwilioSettings;
}

export const PROFILE_EVENT = "Cart Recovery Profile";
export const STATE_EVENT = "Cart Recovery State";

export const CHECK_COMMAND = "npx cartback transformation journey --journey <your-journey.json>";

/**
 * The journey the settings name, resolved once per batch. A preset is trusted; a custom journey must
 * carry the checksum `cartback transformation journey` stamped on it when it checked it, so the bundle
 * needs no schema of its own.
 */
export function settingsJourney(settings: JourneySettings): ResolvedJourney {
  if (settings.journey !== null && settings.journey !== undefined) {
    if (!settings.journeyChecksum) {
      throw new Error(
        `SETTINGS.journey has not been checked: run \`${CHECK_COMMAND}\` and paste the file it prints`,
      );
    }
    if (settings.journeyChecksum !== journeyChecksum(settings.journey)) {
      throw new Error(
        `SETTINGS.journey was changed after it was checked: edit the journey file, run \`${CHECK_COMMAND}\` again and paste the file it prints`,
      );
    }
    return resolveCheckedJourney(settings.journey as JourneySpec);
  }
  const preset = PRESETS[settings.preset];
  if (!preset) {
    throw new Error(
      `SETTINGS.preset "${settings.preset}" is unknown; use one of ${Object.keys(PRESETS).join(", ")}`,
    );
  }
  return resolveCheckedJourney(preset());
}

/** which shape of output a destination needs */
export function resolveOutput(
  output: JourneyOutput,
  destinationType: unknown,
): Exclude<JourneyOutput, "auto"> {
  if (output !== "auto") return output;
  const type = typeof destinationType === "string" ? destinationType.toUpperCase() : "";
  if (type === "WEBHOOK") return "mailerlite";
  if (type === "HTTP") return "twilio";
  return "events";
}

const PROFILE_KEYS = ["id", "consent", "carts", "orders", "journeys", "engagement", "anonymousIds"] as const;

/** the profile an event carries (an object, or a JSON string as a warehouse column holds it) */
export function readProfile(message: Record<string, unknown>): Profile | undefined {
  const props = message.properties as Record<string, unknown> | undefined;
  const traits = message.traits as Record<string, unknown> | undefined;
  let raw = props?.profile ?? traits?.profile;
  if (raw === undefined) return undefined;
  if (typeof raw === "string") {
    try {
      raw = JSON.parse(raw);
    } catch {
      throw new Error("properties.profile is a string but not JSON");
    }
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error("properties.profile must be a cartback profile object");
  }
  const profile = raw as Record<string, unknown>;
  const missing = PROFILE_KEYS.filter((k) => profile[k] === undefined || profile[k] === null);
  if (missing.length > 0) {
    throw new Error(
      `properties.profile is missing ${missing.join(", ")} (send the profile as cartback stores it)`,
    );
  }
  if (!Array.isArray(profile.carts)) throw new Error("properties.profile.carts must be an array");
  return raw as Profile;
}

export interface RunInput {
  message: Record<string, unknown>;
  destinationType: unknown;
}

export interface RunEnvironment {
  settings: JourneySettings;
  journey: ResolvedJourney;
  now: number;
  /** `now` as ISO-8601, formatted once per batch */
  timestamp: string;
  /** what the planner gets besides the journey, the same for the whole batch */
  context: PlanContext;
  mailerliteToken: () => string;
  log: (line: string) => void;
}

/** the planner's context from the settings and the batch's secrets */
export function planContext(settings: JourneySettings, secrets: PlanContext["secrets"]): PlanContext {
  const context: PlanContext = { storeTimezone: settings.storeTimezone };
  if (settings.storeName) context.storeName = settings.storeName;
  if (settings.linkBaseUrl) context.linkBaseUrl = settings.linkBaseUrl;
  if (settings.shopUrl) context.shopUrl = settings.shopUrl;
  if (secrets) context.secrets = secrets;
  return context;
}

/** plans one event's profile and returns the outputs for its destination (all carry its messageId) */
export function runJourneyEvent(input: RunInput, env: RunEnvironment): Record<string, unknown>[] {
  const { message } = input;
  const profile = readProfile(message);
  if (!profile) return [];
  const messageId = String(message.messageId ?? "");
  const plan = planShopper([env.journey], profile, env.now, env.context);
  const due = toDueMessages(plan.commands, plan.profile, env.now, env.timestamp);
  const output = resolveOutput(env.settings.output, input.destinationType);
  const out: Record<string, unknown>[] = [];
  if (output === "events") {
    const dueKeys = new Set<string>();
    for (const m of due) {
      // the message's key stays in `properties.key`; the event takes the input's messageId
      dueKeys.add(m.messageId);
      m.messageId = messageId;
      out.push(m);
    }
    for (const command of plan.commands) {
      if (command.type !== "rudderstack.track") continue;
      // a message's Due event is its record; the analytics event for the same message would repeat it
      if (command.event === MESSAGE_SENT && dueKeys.has(command.properties.message_key as string)) continue;
      const track: Record<string, unknown> = {
        type: "track",
        event: command.event,
        messageId,
        timestamp: env.timestamp,
        properties: command.properties,
      };
      command.properties.key = command.key;
      if (command.userId) track.userId = command.userId;
      if (command.anonymousId) track.anonymousId = command.anonymousId;
      out.push(track);
    }
    if (plan.instances.length > 0 || plan.wakeAt !== null) {
      const state: Record<string, unknown> = {
        type: "track",
        event: STATE_EVENT,
        messageId,
        timestamp: env.timestamp,
        properties: { profile_id: profile.id, journeys: plan.profile.journeys, wake_at: plan.wakeAt },
      };
      if (profile.userId) state.userId = profile.userId;
      else state.anonymousId = profile.anonymousIds[0] ?? profile.id;
      out.push(state);
    }
    return out;
  }
  for (const m of due) {
    if (output === "mailerlite") {
      const request = mailerliteRequestForDue(m, env.settings.mailerlite, env.mailerliteToken);
      if (request) {
        request.messageId = messageId;
        out.push(request);
      }
    } else if (m.event === MESSAGE_DUE) {
      const decision = decideTwilioMessage(m, env.settings.twilio, env.now);
      if (decision.send) out.push(Object.assign({}, decision.form, { messageId }));
      else env.log(`dropped ${String(m.properties.key)}: ${decision.reason}`);
    }
  }
  return out;
}
