/**
 * `cartback journey check <file|preset>`: every problem of a journey file with its path, or a
 * one-screen summary of what the journey does; `cartback journey schema`: the JSON Schema editors use.
 */

import { parseJourney, resolveJourney } from "../../core/journey/define.js";
import { formatDuration, toMs } from "../../core/journey/duration.js";
import { PRESETS } from "../../core/journey/presets/index.js";
import type { ResolvedJourney } from "../../core/journey/resolve.js";
import type { Amount, Duration, JourneySpec, Predicate, Stage } from "../../core/journey/schema.js";
import { formatPath } from "../../core/result.js";
import { readFlags, takePositionals } from "../args.js";
import { readJourneyArgument } from "../journey-argument.js";
import { journeyJsonSchema } from "../journey-schema.js";
import { type CliCommand, UsageError } from "../types.js";

const USAGE = "journey check <file.json|preset> | journey schema";

const HELP = `Usage: cartback journey check <file.json|preset>
       cartback journey schema

check   validates a journey file and prints every problem with its place in the file (exit 1),
        or a one-screen summary of the journey: stages and their timing per segment, channels
        and their rules, discounts, experiments
schema  prints the journey JSON Schema; the package ships it as schemas/journey.schema.json, so a
        journey file can start with
          "$schema": "./node_modules/cartback/schemas/journey.schema.json"
        and editors complete and check it as you type

A commented example to start from: examples/journeys/custom.json (and the presets as JSON beside it).
`;

const duration = (value: Duration): string => formatDuration(toMs(value));

function amount(value: Amount | null, journey: ResolvedJourney): string {
  if (value === null) return "any value";
  if (typeof value === "number") return `${value}`;
  const table = journey.thresholds.tables[journey.thresholds.currency];
  return `"${value}" (${journey.thresholds.currency} ${table?.[value] ?? "?"})`;
}

/** a condition in one line, close to how it is written */
function condition(p: Predicate): string {
  const [key, value] = Object.entries(p)[0] as [string, unknown];
  if (key === "all" || key === "any") return `${key}(${(value as Predicate[]).map(condition).join(", ")})`;
  if (key === "not") return `not ${condition(value as Predicate)}`;
  return `${key} ${JSON.stringify(value)}`;
}

/** when a stage starts, per segment: its own time, or the per-segment and per-intent overrides */
function timing(stage: Stage, segments: readonly string[]): string {
  const parts = [`after ${duration(stage.after)}`];
  for (const [intent, after] of Object.entries(stage.afterByIntent ?? {}))
    parts.push(`${intent} intent ${duration(after as Duration)}`);
  for (const segment of segments) {
    const after = stage.afterBySegment?.[segment];
    if (after !== undefined) parts.push(`${segment} ${duration(after)}`);
  }
  return parts.join("; ");
}

function pacingSummary(p: ResolvedJourney["pacing"]): string {
  const parts = [
    `${formatDuration(p.stageGap)} between stages or carts`,
    `${formatDuration(p.textGap)} between texts`,
    p.dailyMax === null ? "no daily limit" : `at most ${p.dailyMax} a day`,
    `texts ${formatDuration(p.textDelay)} after the email`,
    p.oneTextPerStage ? `one text a stage (${p.preferText} first)` : "every text channel a stage",
    `${p.policy === "hold" ? "held" : "skipped"} when blocked`,
  ];
  return parts.join(", ");
}

export function summarizeJourney(spec: JourneySpec): string {
  const journey = resolveJourney(spec);
  const segments = journey.segments.map((s) => s.id);
  const lines = [`${journey.id}${spec.name ? ` — ${spec.name}` : ""}`];
  const inactivity = Object.entries(journey.inactivity)
    .map(([intent, ms]) => `${intent} ${formatDuration(ms)}`)
    .join(", ");
  lines.push(
    `  abandoned after ${inactivity} without activity (by intent); currency ${journey.thresholds.currency}`,
    `  exits on ${journey.onAnyOrder ? "any order" : "an order of this cart"}${journey.suppressOtherJourneys ? "; waits while the shopper is in another journey" : ""}`,
    `  pacing: ${pacingSummary(journey.pacing)}`,
  );
  if (segments.length > 0) {
    lines.push("segments (first match wins)");
    for (const segment of journey.segments)
      lines.push(`  ${segment.id.padEnd(20)} ${segment.when ? condition(segment.when) : "everyone else"}`);
  }
  lines.push("stages");
  for (const stage of journey.stages) {
    lines.push(`  ${stage.stage}. ${stage.name.padEnd(18)} ${timing(stage, segments)}`);
    if (stage.when) lines.push(`     only when ${condition(stage.when)}`);
    for (const step of stage.steps) {
      const offset = step.offset !== undefined ? ` +${duration(step.offset)}` : "";
      const what =
        step.channel === "email"
          ? `group ${step.group}`
          : step.channel === "sms"
            ? `"${step.template.length > 60 ? `${step.template.slice(0, 57)}…` : step.template}"`
            : step.channel === "whatsapp"
              ? `template ${step.contentSid}`
              : `${step.event} → ${step.target}`;
      lines.push(
        `     ${step.channel.padEnd(8)} ${step.id}${offset}: ${what}${step.when ? ` when ${condition(step.when)}` : ""}`,
      );
    }
    if (stage.discount) {
      const bySegment = Object.entries(stage.discount.bySegment ?? {})
        .map(([segment, percent]) => `${segment} ${percent === null ? "none" : `${percent} %`}`)
        .join(", ");
      lines.push(
        `     discount ${stage.discount.percent} %${bySegment ? ` (${bySegment})` : ""}${stage.discount.when ? ` when ${condition(stage.discount.when)}` : ""}`,
      );
    }
  }
  lines.push("channels");
  const used = new Set(journey.stages.flatMap((s) => s.steps.map((step) => step.channel)));
  for (const [channel, rules] of Object.entries(journey.channels)) {
    if (!used.has(channel as "email")) continue;
    const quiet = rules.quietHours
      ? `sends ${rules.quietHours.start}–${rules.quietHours.end} local time (${rules.quietHours.policy} outside)`
      : "any time";
    lines.push(
      `  ${channel.padEnd(9)} consent ${rules.consent}; at most ${rules.cap ?? "∞"} per cart; carts of ${amount(rules.minCartValue, journey)}${rules.minCartValue === null ? "" : " or more"}; ${rules.stages ? `stages ${rules.stages.join(", ")}` : "every stage"}; ${quiet}`,
    );
  }
  if (journey.discounts) lines.push(`discount codes: ${journey.discounts.kind}`);
  for (const experiment of journey.experiments) {
    const variants = experiment.variants
      .map((v) => `${v.id}${v.shift ? ` (shift ${v.shift})` : ""}`)
      .join(", ");
    lines.push(
      `experiment ${experiment.id}${experiment.stages ? ` (stages ${experiment.stages.join(", ")})` : ""}: ${variants}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export const journeyCommand: CliCommand = {
  name: "journey",
  usage: USAGE,
  summary: "check a journey file and summarise it, or print the journey JSON Schema",
  async run(argv, io) {
    let help = false;
    const positionals = readFlags(argv, USAGE, (flag) => {
      if (flag === "--help" || flag === "-h") help = true;
      else return false;
      return true;
    });
    if (help) {
      io.stdout(HELP);
      return 0;
    }
    const [action, target] = takePositionals(positionals, ["check|schema", "<file.json|preset>"], USAGE, 1);
    if (action === "schema") {
      if (target !== undefined) throw new UsageError(`journey schema takes no file, got "${target}"`);
      io.stdout(`${JSON.stringify(journeyJsonSchema(), null, 2)}\n`);
      return 0;
    }
    if (action !== "check")
      throw new UsageError(
        `unknown journey action "${action}"; use check or schema\n\nUsage: cartback ${USAGE}`,
      );
    if (target === undefined)
      throw new UsageError(`journey check needs a journey file or preset\n\nUsage: cartback ${USAGE}`);
    const argument = await readJourneyArgument(target);
    const json = "preset" in argument ? (PRESETS[argument.preset] as () => JourneySpec)() : argument.json;
    const result = parseJourney(json);
    if (!result.success) {
      io.stdout(`${target}: ${result.error.length} ${result.error.length === 1 ? "problem" : "problems"}\n`);
      for (const problem of result.error) io.stdout(`  ${formatPath(problem.path)}: ${problem.message}\n`);
      return 1;
    }
    io.stdout(`${target}: a valid journey\n\n${summarizeJourney(result.data)}`);
    return 0;
  },
};
