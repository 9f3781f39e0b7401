/**
 * WhatsApp steps send an approved Content API template (`HX` and 32 hex digits). A step whose
 * template is not configured — absent, or a placeholder such as `HX-set-your-nudge-template` — is
 * skipped with `no_template` rather than handed to Twilio to fail.
 */
import { evaluatePredicate, type PredicateContext } from "./predicates.js";
import type { JourneySpec, Step } from "./schema.js";

export const NO_TEMPLATE = "no_template";

const CONTENT_SID = /^HX[0-9a-f]{32}$/i;

/** true for a Content API template SID Twilio could accept */
export function isContentSid(sid: string | null | undefined): sid is string {
  return typeof sid === "string" && CONTENT_SID.test(sid);
}

/** the template a WhatsApp step sends to this shopper (its chosen alternate's first), or null when none is configured */
export function stepContentSid(step: Step, ctx: PredicateContext): string | null {
  if (step.channel !== "whatsapp") return null;
  const alternate = step.alternates?.find((a) => evaluatePredicate(a.when, ctx));
  const sid = alternate?.contentSid ?? step.contentSid;
  return isContentSid(sid) ? sid : null;
}

/** a WhatsApp step that has no configured template */
export interface MissingTemplate {
  journey: string;
  stage: number;
  step: string;
  /** what the step holds instead of a template SID, if anything */
  given: string | null;
}

/** every WhatsApp step of the journeys without a configured template (alternates aside) */
export function missingTemplates(journeys: readonly JourneySpec[]): MissingTemplate[] {
  const missing: MissingTemplate[] = [];
  for (const journey of journeys)
    for (const stage of journey.stages)
      for (const step of stage.steps)
        if (step.channel === "whatsapp" && !isContentSid(step.contentSid))
          missing.push({
            journey: journey.id,
            stage: stage.stage,
            step: step.id,
            given: step.contentSid ?? null,
          });
  return missing;
}
