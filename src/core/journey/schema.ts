/**
 * The journey language: a journey is JSON data, validated here with zod/mini so that it can live in a
 * config file, travel inside a paste bundle and be previewed by `cartback simulate`.
 */
import * as z from "zod/mini";
import { CHANNELS } from "../events.js";

/** `15m`, `4h`, `7d` (a leading `-` for shifts); plain numbers are minutes */
export const DurationSchema = z.union([
  z.number().check(z.refine(Number.isFinite, "must be a finite number of minutes")),
  z.string().check(z.regex(/^-?\d+(\.\d+)?[mhd]$/, 'must look like "15m", "4h" or "7d"')),
]);
export type Duration = z.infer<typeof DurationSchema>;

/** an amount in the cart's currency, or the name of a currency-aware threshold such as `"sms"` */
export const AmountSchema = z.union([z.number().check(z.minimum(0)), z.string().check(z.minLength(1))]);
export type Amount = z.infer<typeof AmountSchema>;

export const ComparisonSchema = z.strictObject({
  gte: z.optional(AmountSchema),
  gt: z.optional(AmountSchema),
  lte: z.optional(AmountSchema),
  lt: z.optional(AmountSchema),
});
export type Comparison = z.infer<typeof ComparisonSchema>;

export const CountComparisonSchema = z.strictObject({
  gte: z.optional(z.number()),
  gt: z.optional(z.number()),
  lte: z.optional(z.number()),
  lt: z.optional(z.number()),
});
export type CountComparison = z.infer<typeof CountComparisonSchema>;

export const ChannelSchema = z.enum(CHANNELS);
export const INTENTS = ["high", "medium", "low"] as const;
export type Intent = (typeof INTENTS)[number];
export const IntentSchema = z.enum(INTENTS);
export const EngagementSchema = z.enum([
  "delivered",
  "opened",
  "clicked",
  "replied",
  "failed",
  "bounced",
  "complained",
  "unsubscribed",
]);

/**
 * A condition, evaluated on the current state when a step is due. One key per object; combine with
 * `all`, `any` and `not`.
 */
export type Predicate =
  | { all: Predicate[] }
  | { any: Predicate[] }
  | { not: Predicate }
  /** the cart's value, compared with amounts or threshold names */
  | { cartValue: Comparison }
  /** the shopper's lifetime order value */
  | { lifetimeValue: Comparison }
  /** how many orders the shopper placed before */
  | { orders: CountComparison }
  | { segment: string[] }
  | { intent: Intent[] }
  /** explicit consent for the channel (email: not denied) */
  | { consent: z.infer<typeof ChannelSchema> }
  /** an open, click or reply on this cart's messages since the first message of a stage */
  | { engaged: { sinceStage: number; kinds?: z.infer<typeof EngagementSchema>[] } }
  /** the last message on a channel is at least `hours` old and was neither opened nor clicked */
  | { unopenedFor: { channel: z.infer<typeof ChannelSchema>; hours: number } }
  | { device: ("mobile" | "tablet" | "desktop")[] }
  /** minutes since the cart was judged abandoned */
  | { sinceAbandonment: CountComparison }
  | { trait: { key: string; equals?: string | number | boolean; exists?: boolean } }
  | { checkoutStarted: boolean };

const PREDICATE_KEYS = [
  "all",
  "any",
  "not",
  "cartValue",
  "lifetimeValue",
  "orders",
  "segment",
  "intent",
  "consent",
  "engaged",
  "unopenedFor",
  "device",
  "sinceAbandonment",
  "trait",
  "checkoutStarted",
] as const;

/** one schema per kind of condition, in the order of PREDICATE_KEYS (also the JSON Schema's `anyOf`) */
export const PredicateVariants: z.ZodMiniType<Predicate>[] = [
  z.strictObject({
    get all() {
      return z.array(PredicateSchema);
    },
  }),
  z.strictObject({
    get any() {
      return z.array(PredicateSchema);
    },
  }),
  z.strictObject({
    get not() {
      return PredicateSchema;
    },
  }),
  z.strictObject({ cartValue: ComparisonSchema }),
  z.strictObject({ lifetimeValue: ComparisonSchema }),
  z.strictObject({ orders: CountComparisonSchema }),
  z.strictObject({ segment: z.array(z.string()) }),
  z.strictObject({ intent: z.array(IntentSchema) }),
  z.strictObject({ consent: ChannelSchema }),
  z.strictObject({
    engaged: z.strictObject({
      sinceStage: z.number(),
      kinds: z.optional(z.array(EngagementSchema)),
    }),
  }),
  z.strictObject({
    unopenedFor: z.strictObject({ channel: ChannelSchema, hours: z.number().check(z.minimum(0)) }),
  }),
  z.strictObject({ device: z.array(z.enum(["mobile", "tablet", "desktop"])) }),
  z.strictObject({ sinceAbandonment: CountComparisonSchema }),
  z.strictObject({
    trait: z.strictObject({
      key: z.string(),
      equals: z.optional(z.union([z.string(), z.number(), z.boolean()])),
      exists: z.optional(z.boolean()),
    }),
  }),
  z.strictObject({ checkoutStarted: z.boolean() }),
];

/** picks the variant by the object's single key, so errors point inside it instead of "no union matched" */
export const PredicateSchema: z.ZodMiniType<Predicate> = z.custom<Predicate>().check(
  z.superRefine((value, ctx) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      ctx.addIssue({ code: "custom", message: 'a condition must be an object such as { "consent": "sms" }' });
      return;
    }
    const keys = Object.keys(value);
    const index = PREDICATE_KEYS.indexOf(keys[0] as (typeof PREDICATE_KEYS)[number]);
    if (keys.length !== 1 || index < 0) {
      ctx.addIssue({
        code: "custom",
        message: `a condition has exactly one of ${PREDICATE_KEYS.join(", ")}; got ${keys.length === 0 ? "none" : keys.join(", ")}`,
      });
      return;
    }
    const result = (PredicateVariants[index] as z.ZodMiniType<Predicate>).safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) {
        ctx.addIssue({ code: "custom", message: issue.message, path: issue.path as PropertyKey[] });
      }
    }
  }),
);

const TimeOfDaySchema = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be "HH:MM" (24 h)'));

export const QuietHoursSchema = z.strictObject({
  /** the window in which sending is allowed, local time of the recipient */
  start: TimeOfDaySchema,
  end: TimeOfDaySchema,
  policy: z.enum(["hold", "drop"]),
});
export type QuietHours = z.infer<typeof QuietHoursSchema>;

export const ChannelRulesSchema = z.strictObject({
  /** most messages on this channel per cart sequence */
  cap: z.optional(z.nullable(z.int().check(z.minimum(0)))),
  /** `granted`: explicit opt-in; `not_denied`: anything but an opt-out */
  consent: z.optional(z.enum(["granted", "not_denied"])),
  minCartValue: z.optional(AmountSchema),
  /** stages that may use the channel; all when absent */
  stages: z.optional(z.array(z.int())),
  /** null: no quiet hours for this channel */
  quietHours: z.optional(z.nullable(QuietHoursSchema)),
});
export type ChannelRules = z.infer<typeof ChannelRulesSchema>;

/** an alternative content for a step, chosen when its condition holds (e.g. no open after 48 h) */
export const AlternateSchema = z.strictObject({
  when: PredicateSchema,
  variant: z.string().check(z.minLength(1)),
  group: z.optional(z.string()),
  template: z.optional(z.string()),
  contentSid: z.optional(z.string()),
});

/** a step fires after an engagement (e.g. a click on this stage's email) instead of at the stage time */
export const TriggerSchema = z.strictObject({
  engagement: EngagementSchema,
  channel: z.optional(ChannelSchema),
  delay: z.optional(DurationSchema),
});

const StepIdSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]+$/, "may contain only letters, digits, _ and - (it is part of the key)"));

const StepBase = {
  id: StepIdSchema,
  /** time after the stage's start */
  offset: z.optional(DurationSchema),
  when: z.optional(PredicateSchema),
  after: z.optional(TriggerSchema),
  alternates: z.optional(z.array(AlternateSchema)),
};

export const EmailStepSchema = z.strictObject({
  ...StepBase,
  channel: z.literal("email"),
  /** the MailerLite group whose automation sends this email */
  group: z.string().check(z.minLength(1)),
});
export const SmsStepSchema = z.strictObject({
  ...StepBase,
  channel: z.literal("sms"),
  /** `{{firstName|there}}`, `{{items}}`, `{{link}}`, `{{discountCode}}`, `{{discountPercent}}`, … */
  template: z.string().check(z.minLength(1)),
});
export const WhatsAppStepSchema = z.strictObject({
  ...StepBase,
  channel: z.literal("whatsapp"),
  /**
   * an approved Content API template, `HX…`; without one (or with a placeholder) the step is skipped
   * with `no_template`
   */
  contentSid: z.optional(z.string().check(z.minLength(1))),
  /** template variables by number, each rendered like an SMS template */
  variables: z.record(z.string(), z.string()),
});
export const TaskStepSchema = z.strictObject({
  ...StepBase,
  channel: z.literal("task"),
  /** the configured webhook to call */
  target: z.string().check(z.minLength(1)),
  /** e.g. `sales_call`, `personal_message` */
  event: z.string().check(z.minLength(1)),
});
export const StepSchema = z.discriminatedUnion("channel", [
  EmailStepSchema,
  SmsStepSchema,
  WhatsAppStepSchema,
  TaskStepSchema,
]);
export type Step = z.infer<typeof StepSchema>;
export type StepChannel = Step["channel"];

export const DiscountRuleSchema = z.strictObject({
  percent: z.number().check(z.minimum(0), z.maximum(100)),
  when: z.optional(PredicateSchema),
  /** a different percent per segment; null: no discount for that segment */
  bySegment: z.optional(z.record(z.string(), z.nullable(z.number().check(z.minimum(0), z.maximum(100))))),
});
export type DiscountRule = z.infer<typeof DiscountRuleSchema>;

export const StageSchema = z.strictObject({
  stage: z.int().check(z.minimum(1)),
  name: z.string(),
  /** what the stage is for, for people reading the journey (JSON has no comments) */
  description: z.optional(z.string()),
  /** time after abandonment; overridden per intent, then per segment */
  after: DurationSchema,
  afterByIntent: z.optional(z.partialRecord(IntentSchema, DurationSchema)),
  afterBySegment: z.optional(z.record(z.string(), DurationSchema)),
  when: z.optional(PredicateSchema),
  discount: z.optional(DiscountRuleSchema),
  steps: z.array(StepSchema).check(z.minLength(1)),
});
export type Stage = z.infer<typeof StageSchema>;

export const SegmentSchema = z.strictObject({
  id: z.string().check(z.minLength(1)),
  description: z.optional(z.string()),
  /** first matching segment wins; absent: matches everyone */
  when: z.optional(PredicateSchema),
});

export const BlackoutSchema = z.strictObject({
  name: z.optional(z.string()),
  /** ISO-8601 instants with an offset or Z */
  from: z.string(),
  to: z.string(),
  /** `pause`: the journey clock stops and resumes after; `skip`: steps due inside are not sent */
  policy: z.enum(["pause", "skip"]),
});
export type Blackout = z.infer<typeof BlackoutSchema>;

export const VariantSchema = z.strictObject({
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]+$/, "may contain only letters, digits, _ and -")),
  weight: z.optional(z.number().check(z.minimum(0))),
  /** timing: shift the experiment's stages (e.g. "5m" or "-2h") */
  shift: z.optional(DurationSchema),
  /** discount: replaces the stage's percent (null: no discount) */
  discountPercent: z.optional(z.nullable(z.number().check(z.minimum(0), z.maximum(100)))),
  /** copy: a group per email step id */
  groups: z.optional(z.record(z.string(), z.string())),
  /** timing: a different offset per step id (e.g. the SMS 10 or 15 minutes after the email) */
  offsets: z.optional(z.record(z.string(), DurationSchema)),
  /** copy: an SMS template per step id */
  templates: z.optional(z.record(z.string(), z.string())),
});
export const ExperimentSchema = z.strictObject({
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]+$/, "may contain only letters, digits, _ and -")),
  /** the stages it applies to; all when absent */
  stages: z.optional(z.array(z.int())),
  /** only carts matching this take part (evaluated when each step is due) */
  when: z.optional(PredicateSchema),
  variants: z.array(VariantSchema).check(z.minLength(2)),
});
export type Experiment = z.infer<typeof ExperimentSchema>;

export const DiscountProviderSchema = z.discriminatedUnion("kind", [
  /** one code per percent: `{ "5": "COMEBACK5" }` */
  z.strictObject({ kind: z.literal("static"), codes: z.record(z.string(), z.string()) }),
  /** pre-created codes per percent; a cart gets one by hash (pools should be larger than traffic) */
  z.strictObject({
    kind: z.literal("pool"),
    codes: z.record(z.string(), z.array(z.string()).check(z.minLength(1))),
  }),
  /** an HMAC-derived code per cart and stage, registered in the shop through a webhook */
  z.strictObject({
    kind: z.literal("unique"),
    prefix: z.optional(z.string()),
    length: z.optional(z.int().check(z.minimum(6), z.maximum(24))),
    target: z.string(),
  }),
]);
export type DiscountProvider = z.infer<typeof DiscountProviderSchema>;

/**
 * How the shopper's conversation is paced, across every stage, cart and journey of theirs. Defaults
 * (docs/journeys.md explains each choice): 3 h between messages of different stages or carts, 4 h
 * between texts, at most 6 messages in 24 h, a text 10 min after its stage's email, one text channel
 * per stage (WhatsApp where allowed), a stage skipped once it would go out more than 24 h late, and
 * a message that pacing blocks held until it may go.
 */
export const PacingSchema = z.strictObject({
  /** least time between two messages of different stages or carts */
  stageGap: z.optional(DurationSchema),
  /** least time between two texts (SMS or WhatsApp), whatever their stage or cart */
  textGap: z.optional(DurationSchema),
  /** most messages in any 24 hours; null: no limit */
  dailyMax: z.optional(z.nullable(z.int().check(z.minimum(1)))),
  /** a text goes at least this long after its stage's email */
  textDelay: z.optional(DurationSchema),
  /** one text channel per stage: the preferred one where the shopper may get it, else the other */
  oneTextPerStage: z.optional(z.boolean()),
  preferText: z.optional(z.enum(["whatsapp", "sms"])),
  /** a message that would go out more than this after its designed time is skipped (`too_late`) */
  maxDrift: z.optional(DurationSchema),
  /** a message that pacing blocks: `hold` it until it may go, or `skip` it (`paced`) */
  policy: z.optional(z.enum(["hold", "skip"])),
});
export type Pacing = z.infer<typeof PacingSchema>;

export const JourneySchema = z.strictObject({
  /** the JSON Schema an editor checks the file against, e.g. `./node_modules/cartback/schemas/journey.schema.json` */
  $schema: z.optional(z.string()),
  id: z
    .string()
    .check(
      z.regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lowercase letters, digits, _ or - (it is part of the key)"),
    ),
  name: z.optional(z.string()),
  description: z.optional(z.string()),
  /** the currency assumed when a cart has none */
  currency: z.optional(z.string().check(z.regex(/^[A-Z]{3}$/, "must be an ISO 4217 code like USD"))),
  /** threshold amounts per currency, merged over the defaults: `{ "INR": { "sms": 1000 } }` */
  thresholds: z.optional(z.record(z.string(), z.record(z.string(), z.number().check(z.minimum(0))))),
  /** whose thresholds a cart in a currency without any uses (amounts taken as they are) */
  fallbackCurrency: z.optional(z.string()),
  abandonment: z.optional(
    z.strictObject({
      inactivity: z.optional(z.partialRecord(IntentSchema, DurationSchema)),
      /** high intent: cart value at least this and at least `minCartTime` on the cart */
      highIntentValue: z.optional(AmountSchema),
      minCartTime: z.optional(DurationSchema),
      /** medium intent: a started checkout or a cart value at least this */
      mediumIntentValue: z.optional(AmountSchema),
      /** carts idle longer than this are never started */
      maxAge: z.optional(DurationSchema),
    }),
  ),
  /** a cart that changes after abandonment: `restart` the timing or `continue` it */
  cartChange: z.optional(z.enum(["restart", "continue"])),
  exit: z.optional(z.strictObject({ onAnyOrder: z.optional(z.boolean()) })),
  suppression: z.optional(
    z.strictObject({
      /** do not start while the shopper is in another journey */
      otherJourneys: z.optional(z.boolean()),
      /** do not start while another cart of the shopper is in this journey */
      otherCarts: z.optional(z.boolean()),
    }),
  ),
  channels: z.optional(z.partialRecord(ChannelSchema, ChannelRulesSchema)),
  pacing: z.optional(PacingSchema),
  segments: z.optional(z.array(SegmentSchema)),
  stages: z.array(StageSchema).check(z.minLength(1)),
  blackouts: z.optional(z.array(BlackoutSchema)),
  experiments: z.optional(z.array(ExperimentSchema)),
  sendTime: z.optional(
    z.strictObject({
      enabled: z.boolean(),
      maxDelay: z.optional(DurationSchema),
      /** opens and clicks needed before the most engaged hour is trusted */
      minSignals: z.optional(z.int().check(z.minimum(1))),
    }),
  ),
  discounts: z.optional(DiscountProviderSchema),
  links: z.optional(z.strictObject({ ttl: z.optional(DurationSchema) })),
  sms: z.optional(z.strictObject({ maxSegments: z.optional(z.int().check(z.minimum(1), z.maximum(10))) })),
  /** send journey events back through RudderStack */
  analytics: z.optional(z.boolean()),
  /**
   * a share of abandoned carts (chosen by hash, like experiments) that enters the journey but gets no
   * message: the baseline that shows how many carts come back anyway
   */
  holdout: z.optional(
    z.strictObject({
      percent: z
        .number()
        .check(z.minimum(0), z.maximum(50, "must be at most 50 (the holdout is the smaller group)")),
    }),
  ),
  /** how long after a message (or a click on it) an order still counts as recovered by it */
  attribution: z.optional(
    z.strictObject({
      email: z.optional(DurationSchema),
      sms: z.optional(DurationSchema),
      whatsapp: z.optional(DurationSchema),
      push: z.optional(DurationSchema),
      click: z.optional(DurationSchema),
    }),
  ),
});

/** a journey as written: everything optional has a documented default */
export type JourneySpec = z.infer<typeof JourneySchema>;
