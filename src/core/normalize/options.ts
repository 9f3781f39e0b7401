import type { Channel } from "../events.js";

export interface NormalizeOptions {
  /** ISO country used for phone numbers typed without a country code, e.g. `"IN"`, `"US"` */
  defaultRegion?: string;
  /**
   * RudderStack consent-management category ids that stand for each channel, e.g.
   * `{ sms: ["C0004"] }`; categories named after a channel (`email`, `sms_marketing`, …) are always read
   */
  consentCategories?: Partial<Record<Channel, string[]>>;
  /** traits kept on the profile besides contact and consent fields */
  keepTraits?: readonly string[];
}

export const DEFAULT_KEEP_TRAITS = [
  "loyalty_tier",
  "customer_type",
  "orders_count",
  "total_spent",
  "lifetime_value",
  "segment",
  // the local hour the shopper engages most (0–23): send-time optimisation holds messages to it
  "engaged_hour",
] as const;
