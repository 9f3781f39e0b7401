/**
 * `defineJourney` / `parseJourney`: a journey is checked once, with errors that say what is wrong and
 * where, and resolved into the settings the planner uses (every default filled in).
 */
import type { Channel } from "../events.js";
import { fail, formatIssues, type Issue, issue, ok, type Result } from "../result.js";
import { HOUR, toMs } from "./duration.js";
import {
  type Amount,
  type Blackout,
  type ChannelRules,
  type DiscountProvider,
  type Experiment,
  type Intent,
  JourneySchema,
  type JourneySpec,
  type Predicate,
  type QuietHours,
  type Stage,
} from "./schema.js";
import { renderSms, SAMPLE_ITEMS, SAMPLE_VALUES } from "./sms-render.js";
import { unknownTemplateVariables } from "./template.js";
import { mergeThresholds, type ThresholdSettings } from "./thresholds.js";

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

export interface ResolvedChannelRules {
  cap: number | null;
  consent: "granted" | "not_denied";
  minCartValue: Amount | null;
  stages: number[] | null;
  quietHours: QuietHours | null;
}

/** a validated journey with every default filled in */
export interface ResolvedJourney {
  spec: JourneySpec;
  id: string;
  thresholds: ThresholdSettings;
  inactivity: Record<Intent, number>;
  highIntentValue: Amount;
  minCartTime: number;
  mediumIntentValue: Amount;
  maxAge: number;
  cartChange: "restart" | "continue";
  onAnyOrder: boolean;
  suppressOtherJourneys: boolean;
  suppressOtherCarts: boolean;
  channels: Record<Channel, ResolvedChannelRules>;
  stageGap: number;
  segments: { id: string; when?: Predicate }[];
  stages: Stage[];
  blackouts: { name: string; from: number; to: number; policy: "pause" | "skip" }[];
  experiments: Experiment[];
  sendTime: { enabled: boolean; maxDelay: number; minSignals: number };
  discounts: DiscountProvider | null;
  linkTtl: number;
  smsMaxSegments: number;
  analytics: boolean;
}

export const DEFAULT_CHANNEL_RULES: Record<Channel, ResolvedChannelRules> = {
  email: {
    cap: null,
    consent: "not_denied",
    minCartValue: null,
    stages: null,
    quietHours: { start: "08:00", end: "22:00", policy: "hold" },
  },
  sms: {
    cap: 2,
    consent: "granted",
    minCartValue: null,
    stages: null,
    quietHours: { start: "09:00", end: "21:00", policy: "hold" },
  },
  whatsapp: {
    cap: 2,
    consent: "granted",
    minCartValue: null,
    stages: null,
    quietHours: { start: "09:00", end: "21:00", policy: "hold" },
  },
  push: { cap: null, consent: "granted", minCartValue: null, stages: null, quietHours: null },
};

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
        if (!render.ok) {
          issues.push(issue("invalid_config", tPath, `SMS template ${render.reason} (sms.maxSegments)`));
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

const resolved = new WeakMap<JourneySpec, ResolvedJourney>();

function resolveChannel(channel: Channel, rules: ChannelRules | undefined): ResolvedChannelRules {
  const base = DEFAULT_CHANNEL_RULES[channel];
  if (!rules) return base;
  return {
    cap: rules.cap === undefined ? base.cap : rules.cap,
    consent: rules.consent ?? base.consent,
    minCartValue: rules.minCartValue ?? base.minCartValue,
    stages: rules.stages ?? base.stages,
    quietHours: rules.quietHours === undefined ? base.quietHours : rules.quietHours,
  };
}

function parseBlackout(b: Blackout, i: number) {
  return {
    name: b.name ?? `blackout-${i + 1}`,
    from: Date.parse(b.from),
    to: Date.parse(b.to),
    policy: b.policy,
  };
}

/** the planner's view of a journey: validated once (throws `JourneyError`), defaults filled in, cached */
export function resolveJourney(spec: JourneySpec): ResolvedJourney {
  const cached = resolved.get(spec);
  if (cached) return cached;
  const result = parseJourney(spec);
  if (!result.success) throw new JourneyError(result.error);
  const a = spec.abandonment ?? {};
  const journey: ResolvedJourney = {
    spec,
    id: spec.id,
    thresholds: mergeThresholds(spec.thresholds, spec.currency, spec.fallbackCurrency),
    inactivity: {
      high: toMs(a.inactivity?.high ?? "15m"),
      medium: toMs(a.inactivity?.medium ?? "60m"),
      low: toMs(a.inactivity?.low ?? "90m"),
    },
    highIntentValue: a.highIntentValue ?? "highIntent",
    minCartTime: toMs(a.minCartTime ?? "3m"),
    mediumIntentValue: a.mediumIntentValue ?? "medium",
    maxAge: toMs(a.maxAge ?? "30d"),
    cartChange: spec.cartChange ?? "restart",
    onAnyOrder: spec.exit?.onAnyOrder ?? true,
    suppressOtherJourneys: spec.suppression?.otherJourneys ?? true,
    suppressOtherCarts: spec.suppression?.otherCarts ?? false,
    channels: {
      email: resolveChannel("email", spec.channels?.email),
      sms: resolveChannel("sms", spec.channels?.sms),
      whatsapp: resolveChannel("whatsapp", spec.channels?.whatsapp),
      push: resolveChannel("push", spec.channels?.push),
    },
    stageGap: spec.stageGap === undefined ? HOUR : toMs(spec.stageGap),
    segments: spec.segments ?? [],
    stages: spec.stages,
    blackouts: (spec.blackouts ?? []).map(parseBlackout).sort((x, y) => x.from - y.from),
    experiments: spec.experiments ?? [],
    sendTime: {
      enabled: spec.sendTime?.enabled ?? false,
      maxDelay: toMs(spec.sendTime?.maxDelay ?? "4h"),
      minSignals: spec.sendTime?.minSignals ?? 3,
    },
    discounts: spec.discounts ?? null,
    linkTtl: toMs(spec.links?.ttl ?? "7d"),
    smsMaxSegments: spec.sms?.maxSegments ?? 2,
    analytics: spec.analytics ?? true,
  };
  if (journey.minCartTime < 0) journey.minCartTime = 0;
  resolved.set(spec, journey);
  return journey;
}
