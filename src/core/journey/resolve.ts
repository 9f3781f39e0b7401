/**
 * A checked journey with every default filled in: what the planner runs on. Nothing here validates,
 * so the paste bundles can plan a journey without carrying the schema; `resolveJourney` in define.ts
 * checks first.
 */
import { type AttributionWindows, resolveAttributionWindows } from "../analytics/attribution.js";
import type { Channel } from "../events.js";
import { toMs } from "./duration.js";
import type {
  Amount,
  Blackout,
  ChannelRules,
  DiscountProvider,
  Experiment,
  Intent,
  JourneySpec,
  Predicate,
  QuietHours,
  Stage,
} from "./schema.js";
import { mergeThresholds, type ThresholdSettings } from "./thresholds.js";

export interface ResolvedChannelRules {
  cap: number | null;
  consent: "granted" | "not_denied";
  minCartValue: Amount | null;
  stages: number[] | null;
  quietHours: QuietHours | null;
}

export interface ResolvedPacing {
  stageGap: number;
  textGap: number;
  dailyMax: number | null;
  textDelay: number;
  oneTextPerStage: boolean;
  preferText: "whatsapp" | "sms";
  maxDrift: number;
  policy: "hold" | "skip";
}

function resolvePacing(pacing: JourneySpec["pacing"]): ResolvedPacing {
  const p = pacing ?? {};
  return {
    stageGap: toMs(p.stageGap ?? "3h"),
    textGap: toMs(p.textGap ?? "4h"),
    dailyMax: p.dailyMax === undefined ? 6 : p.dailyMax,
    textDelay: toMs(p.textDelay ?? "10m"),
    oneTextPerStage: p.oneTextPerStage ?? true,
    preferText: p.preferText ?? "whatsapp",
    maxDrift: toMs(p.maxDrift ?? "24h"),
    policy: p.policy ?? "hold",
  };
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
  pacing: ResolvedPacing;
  segments: { id: string; when?: Predicate }[];
  stages: Stage[];
  blackouts: { name: string; from: number; to: number; policy: "pause" | "skip" }[];
  experiments: Experiment[];
  /** whether an experiment's variant moves a stage or step (`shift`, `offsets`) */
  timedExperiments: boolean;
  sendTime: { enabled: boolean; maxDelay: number; minSignals: number };
  discounts: DiscountProvider | null;
  linkTtl: number;
  smsMaxSegments: number;
  analytics: boolean;
  /** the share of carts held out, 0–50 (0: no holdout) */
  holdoutPercent: number;
  /** attribution windows in ms, per channel (after a message) and for clicks */
  attribution: AttributionWindows;
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

/** the resolved form of a journey, when it has been resolved before */
export function resolvedJourneyOf(spec: JourneySpec): ResolvedJourney | undefined {
  return resolved.get(spec);
}

/**
 * Fills in every default of a journey that has already been checked (`parseJourney`, `defineJourney`,
 * a preset, or `cartback transformation journey`), cached per journey object. It does not validate:
 * an unchecked journey goes through `resolveJourney`.
 */
export function resolveCheckedJourney(spec: JourneySpec): ResolvedJourney {
  const cached = resolved.get(spec);
  if (cached) return cached;
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
    pacing: resolvePacing(spec.pacing),
    segments: spec.segments ?? [],
    stages: spec.stages,
    blackouts: (spec.blackouts ?? []).map(parseBlackout).sort((x, y) => x.from - y.from),
    experiments: spec.experiments ?? [],
    timedExperiments: (spec.experiments ?? []).some((e) =>
      e.variants.some((v) => v.shift !== undefined || v.offsets !== undefined),
    ),
    sendTime: {
      enabled: spec.sendTime?.enabled ?? false,
      maxDelay: toMs(spec.sendTime?.maxDelay ?? "4h"),
      minSignals: spec.sendTime?.minSignals ?? 3,
    },
    discounts: spec.discounts ?? null,
    linkTtl: toMs(spec.links?.ttl ?? "7d"),
    smsMaxSegments: spec.sms?.maxSegments ?? 2,
    analytics: spec.analytics ?? true,
    holdoutPercent: spec.holdout?.percent ?? 0,
    attribution: resolveAttributionWindows(spec.attribution),
  };
  if (journey.minCartTime < 0) journey.minCartTime = 0;
  resolved.set(spec, journey);
  return journey;
}
