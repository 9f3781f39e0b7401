/** `--journey <preset|file.json>`, shared by the commands that take a journey */
import { readFile } from "node:fs/promises";
import { PRESETS } from "../core/journey/index.js";
import { UsageError } from "./types.js";

export type JourneyArgument = { preset: string } | { file: string; json: unknown };

/** a preset's name, or a journey file read and parsed as JSON (not yet checked as a journey) */
export async function readJourneyArgument(name: string): Promise<JourneyArgument> {
  if (PRESETS[name]) return { preset: name };
  if (!name.endsWith(".json")) {
    throw new UsageError(
      `--journey must be ${Object.keys(PRESETS).join(", ")} or a .json file, got "${name}"`,
    );
  }
  let text: string;
  try {
    text = await readFile(name, "utf8");
  } catch {
    throw new UsageError(`cannot read journey file ${name}`);
  }
  try {
    return { file: name, json: JSON.parse(text) };
  } catch (error) {
    throw new UsageError(
      `${name} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
