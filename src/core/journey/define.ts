/**
 * `defineJourney` / `parseJourney`: a journey is checked once, with errors that say what is wrong and
 * where, and resolved into the settings the planner uses (every default filled in).
 */
import { fail, formatIssues, type Issue, issue, ok, type Result } from "../result.js";
import { type ResolvedJourney, resolveCheckedJourney, resolvedJourneyOf } from "./resolve.js";
import { type Amount, JourneySchema, type JourneySpec, type Predicate } from "./schema.js";
import { renderSms, SAMPLE_ITEMS, SAMPLE_VALUES } from "./sms-render.js";
import { unknownTemplateVariables } from "./template.js";
import { mergeThresholds } from "./thresholds.js";

export {
  DEFAULT_CHANNEL_RULES,
  type ResolvedChannelRules,
  type ResolvedJourney,
  resolveCheckedJourney,
} from "./resolve.js";

const JOURNEY_ERROR = Symbol.for("cartback.JourneyError");

/** a journey that does not validate; `issues` says what and where */
export class JourneyError extends Error {
  override name = "JourneyError";
  readonly [JOURNEY_ERROR] = true;
  readonly issues: Issue[];
  constructor(issues: Issue[]) {
    super(`invalid journey: ${formatIssues(issues)}`);
    this.issues = issues;
  }
}

export function isJourneyError(error: unknown): error is JourneyError {
  return (
    typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[JOURNEY_ERROR] === true
  );
}

function zodPath(path: readonly PropertyKey[]): (string | number)[] {
  return path.map((p) => (typeof p === "number" ? p : String(p)));
}

function* predicatesOf(p: Predicate | undefined): Generator<Predicate> {
  if (!p) return;
  yield p;
  if ("all" in p) for (const q of p.all) yield* predicatesOf(q);
  if ("any" in p) for (const q of p.any) yield* predicatesOf(q);
  if ("not" in p) yield* predicatesOf(p.not);
}

/** checks that need the whole journey: references, ordering, budgets */
function semanticIssues(spec: JourneySpec): Issue[] {
  const issues: Issue[] = [];
  const thresholds = mergeThresholds(spec.thresholds, spec.currency, spec.fallbackCurrency);
  const segmentIds = new Set((spec.segments ?? []).map((s) => s.id));
  const stageNumbers = new Set<number>();
  const maxSegments = spec.sms?.maxSegments ?? 2;

  if (spec.fallbackCurrency && !thresholds.tables[spec.fallbackCurrency]) {
    issues.push(issue("invalid_config", ["fallbackCurrency"], `no thresholds for ${spec.fallbackCurrency}`));
  }
  const checkAmount = (amount: Amount | undefined, path: (string | number)[]) => {
    if (typeof amount !== "string") return;
    const missing = Object.entries(thresholds.tables)
      .filter(([, table]) => table[amount] === undefined)
      .map(([code]) => code);
    if (missing.length > 0) {
      issues.push(
        issue("invalid_config", path, `threshold "${amount}" is not defined for ${missing.join(", ")}`),
      );
    }
  };
  const checkPredicate = (p: Predicate | undefined, path: (string | number)[]) => {
    for (const q of predicatesOf(p)) {
      if ("cartValue" in q || "lifetimeValue" in q) {
        const cmp = "cartValue" in q ? q.cartValue : q.lifetimeValue;
        for (const amount of [cmp.gte, cmp.gt, cmp.lte, cmp.lt]) checkAmount(amount, path);
      }
      if ("segment" in q) {
        for (const id of q.segment) {
          if (!segmentIds.has(id)) issues.push(issue("invalid_config", path, `unknown segment "${id}"`));
        }
      }
      if ("engaged" in q && !(spec.stages ?? []).some((s) => s.stage === q.engaged.sinceStage)) {
        issues.push(
          issue("invalid_config", path, `engaged.sinceStage ${q.engaged.sinceStage} is not a stage`),
        );
      }
    }
  };

  checkAmount(spec.abandonment?.highIntentValue, ["abandonment", "highIntentValue"]);
  checkAmount(spec.abandonment?.mediumIntentValue, ["abandonment", "mediumIntentValue"]);
  for (const [channel, rules] of Object.entries(spec.channels ?? {})) {
    checkAmount(rules?.minCartValue, ["channels", channel, "minCartValue"]);
  }
  (spec.segments ?? []).forEach((s, i) => {
    checkPredicate(s.when, ["segments", i, "when"]);
  });

  let previous = 0;
  spec.stages.forEach((stage, i) => {
    const path = ["stages", i];
    if (stageNumbers.has(stage.stage))
      issues.push(issue("invalid_config", [...path, "stage"], "duplicate stage"));
    if (stage.stage <= previous) {
      issues.push(issue("invalid_config", [...path, "stage"], "stages must be listed in increasing order"));
    }
    previous = stage.stage;
    stageNumbers.add(stage.stage);
    if (i === 0 && stage.discount) {
      issues.push(issue("invalid_config", [...path, "discount"], "the first stage never carries a discount"));
    }
    for (const id of Object.keys(stage.afterBySegment ?? {})) {
      if (!segmentIds.has(id))
        issues.push(issue("invalid_config", [...path, "afterBySegment", id], `unknown segment "${id}"`));
    }
    for (const id of Object.keys(stage.discount?.bySegment ?? {})) {
      if (!segmentIds.has(id)) {
        issues.push(
          issue("invalid_config", [...path, "discount", "bySegment", id], `unknown segment "${id}"`),
        );
      }
    }
    checkPredicate(stage.when, [...path, "when"]);
    checkPredicate(stage.discount?.when, [...path, "discount", "when"]);
    const stepIds = new Set<string>();
    stage.steps.forEach((step, k) => {
      const stepPath = [...path, "steps", k];
      if (stepIds.has(step.id))
        issues.push(issue("invalid_config", [...stepPath, "id"], `duplicate step id "${step.id}"`));
      stepIds.add(step.id);
      checkPredicate(step.when, [...stepPath, "when"]);
      const templates: [string, (string | number)[]][] = [];
      if (step.channel === "sms") templates.push([step.template, [...stepPath, "template"]]);
      if (step.channel === "whatsapp") {
        for (const [n, t] of Object.entries(step.variables))
          templates.push([t, [...stepPath, "variables", n]]);
      }
      (step.alternates ?? []).forEach((alt, a) => {
        checkPredicate(alt.when, [...stepPath, "alternates", a, "when"]);
        if (alt.template !== undefined)
          templates.push([alt.template, [...stepPath, "alternates", a, "template"]]);
      });
      for (const [template, tPath] of templates) {
        const unknown = unknownTemplateVariables(template);
        if (unknown.length > 0) {
          issues.push(
            issue(
              "invalid_config",
              tPath,
              `unknown template variable ${unknown.map((u) => `{{${u}}}`).join(", ")}`,
            ),
          );
        }
      }
      for (const [template, tPath] of templates) {
        if (step.channel !== "sms") continue;
        const render = renderSms(template, SAMPLE_VALUES, SAMPLE_ITEMS, maxSegments);
        if (!render.success) {
          issues.push(
            issue("invalid_config", tPath, `SMS template ${render.error.reason} (sms.maxSegments)`),
          );
        }
      }
    });
  });

  (spec.blackouts ?? []).forEach((b, i) => {
    const from = Date.parse(b.from);
    const to = Date.parse(b.to);
    if (!/(Z|[+-]\d\d:\d\d)$/.test(b.from) || Number.isNaN(from)) {
      issues.push(
        issue("invalid_config", ["blackouts", i, "from"], "must be an ISO-8601 instant with Z or an offset"),
      );
    }
    if (!/(Z|[+-]\d\d:\d\d)$/.test(b.to) || Number.isNaN(to)) {
      issues.push(
        issue("invalid_config", ["blackouts", i, "to"], "must be an ISO-8601 instant with Z or an offset"),
      );
    }
    if (!Number.isNaN(from) && !Number.isNaN(to) && to <= from) {
      issues.push(issue("invalid_config", ["blackouts", i, "to"], "must be after from"));
    }
  });

  (spec.experiments ?? []).forEach((e, i) => {
    const total = e.variants.reduce((sum, v) => sum + (v.weight ?? 1), 0);
    if (total <= 0)
      issues.push(
        issue("invalid_config", ["experiments", i, "variants"], "weights must add up to more than 0"),
      );
    for (const s of e.stages ?? []) {
      if (!stageNumbers.has(s))
        issues.push(issue("invalid_config", ["experiments", i, "stages"], `${s} is not a stage`));
    }
    checkPredicate(e.when, ["experiments", i, "when"]);
  });

  const discounted = spec.stages.some(
    (s) =>
      s.discount !== undefined ||
      (spec.experiments ?? []).some((e) => e.variants.some((v) => v.discountPercent)),
  );
  if (discounted && !spec.discounts) {
    issues.push(
      issue(
        "invalid_config",
        ["discounts"],
        "a stage offers a discount but no discount code provider is set",
      ),
    );
  }
  return issues;
}

/** validates journey JSON: the schema, then references, ordering and SMS budgets */
export function parseJourney(input: unknown): Result<JourneySpec> {
  if (typeof input === "object" && input !== null && "stageGap" in input) {
    return fail([
      issue(
        "invalid_config",
        ["stageGap"],
        "stageGap is now pacing.stageGap: the least time between two messages of different stages or carts",
      ),
    ]);
  }
  const parsed = JourneySchema.safeParse(input);
  if (!parsed.success) {
    return fail(
      parsed.error.issues.map((i) =>
        issue(i.code === "invalid_type" ? "invalid_type" : "invalid_config", zodPath(i.path), i.message),
      ),
    );
  }
  const issues = semanticIssues(parsed.data);
  return issues.length > 0 ? fail(issues) : ok(parsed.data);
}

/**
 * Types and validates a journey; throws a `JourneyError` listing every problem.
 * @example
 * const journey = defineJourney({ id: "winback", stages: [{ stage: 1, name: "nudge", after: "0m",
 *   steps: [{ id: "email", channel: "email", group: "cart-nudge" }] }] });
 */
export function defineJourney<const T extends JourneySpec>(spec: T): T {
  const result = parseJourney(spec);
  if (!result.success) throw new JourneyError(result.error);
  return spec;
}

/**
 * The planner's view of a journey: validated once (throws `JourneyError`), defaults filled in, cached
 * per journey object.
 */
export function resolveJourney(spec: JourneySpec): ResolvedJourney {
  const cached = resolvedJourneyOf(spec);
  if (cached) return cached;
  const result = parseJourney(spec);
  if (!result.success) throw new JourneyError(result.error);
  return resolveCheckedJourney(spec);
}
