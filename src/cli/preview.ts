/**
 * What `cartback preview` shows: from a replay's commands and skips (the simulate machinery), each
 * shopper's timeline of messages as they would land. An email is the shipped MailerLite template
 * filled with the fields cartback wrote to the subscriber by then (merge tags substituted as
 * MailerLite does); a text is its body with encoding and segments; a WhatsApp message its template
 * and variables; a message not sent, its reason. Rendered as one self-contained HTML page.
 */
import type { Command } from "../core/commands.js";
import type { Channel } from "../core/events.js";
import type { Profile } from "../core/profile.js";
import { fillMergeTags, findEmailTemplate, readEmailTemplate } from "./mailerlite-templates.js";
import type { SimulatedCommand, SimulatedSkip } from "./simulation.js";

interface EntryBase {
  at: number;
  stage: number | null;
  step: string | null;
  segment: string | null;
  variant: string | null;
  cartId: string | null;
  /** went out later than due: when it was due and what held it */
  held?: { due: number; by: string[] };
}

export type PreviewEntry = EntryBase &
  (
    | {
        kind: "email";
        group: string;
        to: string;
        /** the template file, or null when no shipped template is for this group */
        template: string | null;
        subject: string;
        html: string | null;
        /** merge tags with no value and no default, e.g. a missing restore link */
        emptyTags: string[];
        fields: Record<string, string | number | null>;
      }
    | { kind: "sms"; to: string; body: string; encoding: string; segments: number }
    | { kind: "whatsapp"; to: string; contentSid: string; variables: Record<string, string> }
    | { kind: "task"; target: string; event: string }
    | { kind: "other"; type: string; summary: string }
    | { kind: "skipped"; channel: Channel | null; reason: string }
  );

export interface PreviewShopper {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  entries: PreviewEntry[];
}

export interface Preview {
  journey: string;
  shoppers: PreviewShopper[];
}

/** skips that are the journey's design (another segment's step), not news */
const QUIET_REASONS = new Set(["step_condition", "stage_condition"]);

/** an empty tag the email does not show: a part its display field hides, or a line that may be empty */
function hiddenByDisplay(tag: string, fields: Record<string, string | number | null>): boolean {
  if (tag === "cart_more_items") return true;
  const slot = /^cart_item_(\d+)_(\w+)$/.exec(tag);
  if (slot) {
    if (fields[`cart_item_${slot[1]}_display`] !== "table-row") return true;
    return slot[2] === "image" && fields[`cart_item_${slot[1]}_image_display`] !== "block";
  }
  if (tag.startsWith("discount_")) return fields.discount_display !== "block";
  return false;
}

/** a content SID Twilio could know: `HX` and 32 hex digits */
export const CONTENT_SID = /^HX[0-9a-f]{32}$/i;

/**
 * Collects a replay into timelines. Feed it every command (`onCommand`) and skip (`onSkip`) of a
 * simulation in order, then `finish` with the replay's final profiles.
 */
export function createPreviewCollector(journey: string) {
  // the subscriber's fields as MailerLite holds them: upserts merge, null clears
  const subscribers = new Map<string, Record<string, string | number | null>>();
  const byProfile = new Map<string, PreviewEntry[]>();
  const push = (profileId: string, entry: PreviewEntry) => {
    const list = byProfile.get(profileId);
    if (list) list.push(entry);
    else byProfile.set(profileId, [entry]);
  };
  const base = (at: number, command: Command, held?: { due: number; by: string[] }): EntryBase => ({
    at,
    stage: command.stage,
    step: command.step,
    segment: command.segment,
    variant: command.variant,
    cartId: command.cartId,
    ...(held ? { held } : {}),
  });

  function email(
    at: number,
    command: Command & { type: "mailerlite.addToGroup" },
    held?: SimulatedCommand["held"],
  ) {
    const fields = { ...(subscribers.get(command.email.toLowerCase()) ?? {}) };
    const spec = findEmailTemplate(command.group);
    const specials = { unsubscribe: "#unsubscribe", preferences: "#preferences", email: command.email };
    let html: string | null = null;
    let subject = `(no template for group ${command.group})`;
    let emptyTags: string[] = [];
    if (spec) {
      const filled = fillMergeTags(readEmailTemplate(spec), fields, specials);
      html = filled.text;
      emptyTags = filled.empty.filter((tag) => !hiddenByDisplay(tag, fields));
      // a subject is text: MailerLite shows it as is, so no HTML escaping here
      subject = spec.subject.replace(
        /\{\$([a-z0-9_]+)(?:\|default\('([^']*)'\))?\}/g,
        (_, key: string, d?: string) => {
          const value = fields[key];
          return value !== null && value !== undefined && value !== "" ? String(value) : (d ?? "");
        },
      );
    }
    push(command.profileId, {
      ...base(at, command, held),
      kind: "email",
      group: command.group,
      to: command.email,
      template: spec?.file ?? null,
      subject,
      html,
      emptyTags,
      fields,
    });
  }

  return {
    onCommand({ at, command, held }: SimulatedCommand) {
      switch (command.type) {
        case "mailerlite.upsertSubscriber": {
          const key = command.email.toLowerCase();
          subscribers.set(key, { ...(subscribers.get(key) ?? {}), ...command.fields });
          return;
        }
        case "mailerlite.addToGroup":
          if (command.kind === "message") email(at, command, held);
          return;
        case "twilio.sendSms":
          push(command.profileId, {
            ...base(at, command, held),
            kind: "sms",
            to: command.to,
            body: command.body,
            encoding: command.encoding,
            segments: command.segments,
          });
          return;
        case "twilio.sendWhatsApp":
          push(command.profileId, {
            ...base(at, command, held),
            kind: "whatsapp",
            to: command.to,
            contentSid: command.contentSid,
            variables: command.contentVariables,
          });
          return;
        case "webhook.post":
          if (command.kind === "task")
            push(command.profileId, {
              ...base(at, command, held),
              kind: "task",
              target: command.target,
              event: command.event,
            });
          return;
        default:
          if (command.kind === "message")
            push(command.profileId, {
              ...base(at, command, held),
              kind: "other",
              type: command.type,
              summary: command.type,
            });
      }
    },
    onSkip(skip: SimulatedSkip) {
      if (QUIET_REASONS.has(skip.reason)) return;
      push(skip.profileId, {
        at: skip.at,
        stage: skip.stage,
        step: skip.step,
        segment: skip.segment,
        variant: null,
        cartId: skip.cartId,
        kind: "skipped",
        channel: skip.channel,
        reason: skip.reason,
      });
    },
    finish(profiles: Iterable<Profile>): Preview {
      const known = new Map<string, Profile>();
      for (const profile of profiles) known.set(profile.id, profile);
      const shoppers: PreviewShopper[] = [];
      for (const [id, entries] of byProfile) {
        const profile = known.get(id);
        const name =
          profile?.name ?? ([profile?.firstName, profile?.lastName].filter(Boolean).join(" ") || null);
        shoppers.push({
          id,
          name,
          email: profile?.email ?? null,
          phone: profile?.phone ?? null,
          entries: entries.sort((a, b) => a.at - b.at),
        });
      }
      shoppers.sort((a, b) => (a.entries[0]?.at ?? 0) - (b.entries[0]?.at ?? 0));
      return { journey, shoppers };
    },
  };
}

/** whether a shopper is the one `--shopper` names: profile id, user id, email or anonymous id */
export function matchesShopper(
  shopper: PreviewShopper,
  profile: Profile | undefined,
  wanted: string,
): boolean {
  const w = wanted.toLowerCase();
  return (
    shopper.id.toLowerCase() === w ||
    profile?.userId?.toLowerCase() === w ||
    profile?.email?.toLowerCase() === w ||
    (profile?.anonymousIds ?? []).some((a) => a.toLowerCase() === w)
  );
}
