/** The journey engine: the journey language, the planner and the presets. */

export { assignVariant } from "./ab.js";
export { type AbandonmentCheck, checkAbandonment, classifyIntent, isReachable } from "./abandonment.js";
export {
  DEFAULT_CHANNEL_RULES,
  defineJourney,
  isJourneyError,
  JourneyError,
  parseJourney,
  type ResolvedJourney,
  resolveCheckedJourney,
  resolveJourney,
} from "./define.js";
export { issueDiscountCode } from "./discounts.js";
export { formatDuration, toMs } from "./duration.js";
export * from "./instance.js";
export { journeyKey, stepKey } from "./keys.js";
export {
  type CheckoutToken,
  checkoutLinkUrl,
  createCheckoutToken,
  linkClickEvent,
  linkStep,
  parseLinkStep,
  verifyCheckoutToken,
} from "./links.js";
export { type JourneyPlan, type PlanContext, planResolvedJourney } from "./plan.js";
export { planJourney } from "./plan-journey.js";
export { planShopper, type ShopperPlan } from "./plan-shopper.js";
export { evaluatePredicate, type PredicateContext } from "./predicates.js";
export * from "./presets/index.js";
export { isInSendWindow, nextSendWindowOpen } from "./quiet-hours.js";
export * from "./schema.js";
export { renderSms, type SmsRender } from "./sms-render.js";
export { countSmsSegments, type SmsEncoding, type SmsSegmentInfo } from "./sms-segments.js";
export { renderTemplate, TEMPLATE_VARIABLES } from "./template.js";
export { DEFAULT_THRESHOLDS, type ThresholdTable } from "./thresholds.js";
