/** The three playbook presets, by name (what `cartback simulate --journey <name>` accepts). */
import type { JourneySpec } from "../schema.js";
import { classicJourney } from "./classic.js";
import { coordinatedJourney } from "./coordinated.js";
import { playbookJourney } from "./playbook.js";

export { type ClassicOptions, classicJourney } from "./classic.js";
export { type CoordinatedOptions, coordinatedJourney } from "./coordinated.js";
export { PLAYBOOK_SEGMENTS, type PlaybookOptions, playbookJourney } from "./playbook.js";

export const PRESETS: Record<string, () => JourneySpec> = {
  playbook: () => playbookJourney(),
  classic: () => classicJourney(),
  coordinated: () => coordinatedJourney(),
};

export type PresetName = "playbook" | "classic" | "coordinated";
