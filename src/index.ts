/**
 * @module cartback — the pure core: normalise events, reduce them into one profile per shopper,
 * and plan the recovery journey. No I/O, no clock, no SDKs: it runs the same in Node, in a browser
 * and inside a RudderStack transformation.
 *
 * Every name here is public API, documented in docs/api.md; anything else in `src/core` is internal
 * and may change without notice. `test/api/public-api.test.ts` lists these names, so a change to them
 * is a deliberate one.
 */

// what the journeys earned: attribution, the report, experiment and holdout statistics
export {
  type ArmCounts,
  type ArmVerdict,
  type Attribution,
  type AttributionInput,
  type AttributionWindows,
  attributeOrder,
  type CartCounts,
  type CartRates,
  type CartRow,
  type ChannelResult,
  type ClickThrough,
  checkTargets,
  createReportBuilder,
  DEFAULT_ATTRIBUTION_WINDOWS,
  DEFAULT_WINNER_RULE,
  type DeliveryFact,
  type DeliveryLookup,
  differenceInterval,
  type ExperimentResult,
  experimentVerdict,
  type HoldoutArm,
  type HoldoutComparison,
  type Interval,
  type JourneyResult,
  type MessageCounts,
  type MessageRow,
  type Money,
  type OrderCounts,
  PLAYBOOK_TARGETS,
  type Prices,
  probabilityToBeat,
  type RecoveredBy,
  type RecoveryReport,
  type ReportBuilder,
  type ReportOptions,
  resolveAttributionWindows,
  type SegmentResult,
  type StageResult,
  type Target,
  type TargetCheck,
  type Touch,
  twoProportionTest,
  type VariantResult,
  type Verdict,
  type VerdictStatus,
  type WinnerRule,
  wilsonInterval,
} from "./core/analytics/index.js";
// commands out: what the adapters execute
export {
  COMMAND_TYPES,
  type Command,
  type CommandKind,
  type CommandMeta,
  type CommandType,
  commandDestination,
  type FieldValue,
  type MailerliteAddToGroup,
  type MailerliteForget,
  type MailerliteRemoveFromGroup,
  type MailerliteUpsertSubscriber,
  type RudderstackTrack,
  type SendgridSendEmail,
  type TwilioSendSms,
  type TwilioSendWhatsApp,
  type WebhookPost,
} from "./core/commands.js";
export {
  type MailerliteParseOptions,
  parseMailerliteWebhook,
} from "./core/engagement/mailerlite.js";
export { parseTwilioWebhook, type TwilioParseOptions } from "./core/engagement/twilio.js";
export { MAX_CLOCK_SKEW_MS } from "./core/event-time.js";
// events in: sources → cart events
export {
  type ActivityEvent,
  type CartEvent,
  type CartEventType,
  type CartItem,
  type CartRefs,
  type CartViewedEvent,
  CHANNELS,
  type Channel,
  type CheckoutStartedEvent,
  type ConsentChangedEvent,
  type ConsentStatus,
  type Contact,
  type CouponChangedEvent,
  type Device,
  type Engagement,
  type EventSource,
  type IdentifiedEvent,
  type IdentityMergedEvent,
  type ItemAddedEvent,
  type ItemRemovedEvent,
  type MessageEngagedEvent,
  type OrderCancelledEvent,
  type OrderCompletedEvent,
} from "./core/events.js";
// one profile per shopper
export { type ApplyResult, createProfileBook, type ProfileBook } from "./core/identity.js";
export {
  defineJourney,
  isJourneyError,
  JourneyError,
  parseJourney,
  type ResolvedJourney,
  resolveJourney,
} from "./core/journey/define.js";
export { issueDiscountCode } from "./core/journey/discounts.js";
export { formatDuration, toMs } from "./core/journey/duration.js";
export type { JourneyInstance, JourneyStatus, SentStep, SkippedStep } from "./core/journey/instance.js";
export {
  type CheckoutToken,
  checkoutLinkUrl,
  createCheckoutToken,
  verifyCheckoutToken,
} from "./core/journey/links.js";
export type { JourneyPlan, PlanContext } from "./core/journey/plan.js";
export { planJourney } from "./core/journey/plan-journey.js";
export {
  type ClassicOptions,
  type CoordinatedOptions,
  classicJourney,
  coordinatedJourney,
  PLAYBOOK_SEGMENTS,
  type PlaybookOptions,
  PRESETS,
  type PresetName,
  playbookJourney,
} from "./core/journey/presets/index.js";
// journeys: the language, the presets and the planner
export {
  type Amount,
  type Blackout,
  type ChannelRules,
  type Comparison,
  type CountComparison,
  type DiscountProvider,
  type DiscountRule,
  type Duration,
  type Experiment,
  type Intent,
  JourneySchema,
  type JourneySpec,
  type Predicate,
  type QuietHours,
  type Stage,
  type Step,
  type StepChannel,
} from "./core/journey/schema.js";
// what a journey's messages carry: SMS copy, checkout links, discount codes
export { renderSms, type SmsRender } from "./core/journey/sms-render.js";
export { countSmsSegments, type SmsEncoding, type SmsSegmentInfo } from "./core/journey/sms-segments.js";
export { renderTemplate, TEMPLATE_VARIABLES } from "./core/journey/template.js";
export { DEFAULT_THRESHOLDS, type ThresholdTable } from "./core/journey/thresholds.js";
export {
  journeyMailerliteGroups,
  MAILERLITE_FIELDS,
  MAILERLITE_ITEM_SLOTS,
  MAILERLITE_STAGE_GROUPS,
  type MailerliteFieldSpec,
  type MailerliteFieldType,
  mailerliteStageGroup,
} from "./core/mailerlite-fields.js";
export {
  DEFAULT_KEEP_TRAITS,
  detectFormat,
  FIELD_LIMITS,
  type MessageFormat,
  type NormalizeOptions,
  normalizeEvent,
  normalizePhone,
  SUPPORTED_TRACK_EVENTS,
} from "./core/normalize/index.js";
export type {
  Cart,
  CartStatus,
  ConsentInstruction,
  ConsentState,
  EngagementRecord,
  OrderHistory,
  Profile,
} from "./core/profile.js";
export { emptyProfile, reachableChannels, reduceProfile } from "./core/reduce.js";
// results and issues, the same shape as zod's
export { formatIssues, type Issue, type IssueCode, type Result } from "./core/result.js";
