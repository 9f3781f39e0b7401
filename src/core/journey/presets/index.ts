/** The three playbook presets, by name (what `cartback simulate --journey <name>` accepts). */
import type { JourneySpec } from "../schema.js";
import { classicJourney } from "./classic.js";
import { coordinatedJourney } from "./coordinated.js";
import { type PlaybookOptions, playbookJourney } from "./playbook.js";

export { type ClassicOptions, classicJourney } from "./classic.js";
export { type CoordinatedOptions, coordinatedJourney } from "./coordinated.js";
export { PLAYBOOK_SEGMENTS, type PlaybookOptions, playbookJourney } from "./playbook.js";

/**
 * the presets by name; `whatsappTemplates` gives the playbook its approved WhatsApp templates (the
 * others send none)
 */
export const PRESETS: Record<string, (options?: Pick<PlaybookOptions, "whatsappTemplates">) => JourneySpec> =
  {
    playbook: (options) => playbookJourney(options),
    classic: () => classicJourney(),
    coordinated: () => coordinatedJourney(),
  };

export type PresetName = "playbook" | "classic" | "coordinated";
