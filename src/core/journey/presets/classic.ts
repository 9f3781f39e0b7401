/** The classic three-touch sequence: a reminder at 24 h, a 10 % coupon at 48 h, a last chance at 72 h. */
import type { DiscountProvider, JourneySpec } from "../schema.js";

export interface ClassicOptions {
  id?: string;
  currency?: string;
  groupPrefix?: string;
  discounts?: DiscountProvider;
}

export function classicJourney(options: ClassicOptions = {}): JourneySpec {
  const g = options.groupPrefix ?? "cartback-classic";
  return {
    id: options.id ?? "classic",
    name: "Classic 24 h / 48 h / 72 h",
    currency: options.currency ?? "USD",
    stages: [
      {
        stage: 1,
        name: "reminder",
        after: "24h",
        steps: [
          { id: "email", channel: "email", group: `${g}-reminder` },
          {
            id: "sms",
            channel: "sms",
            template: "{{firstName|Hi}}, you left {{items}} in your cart: {{link}}",
          },
        ],
      },
      {
        stage: 2,
        name: "coupon",
        after: "48h",
        discount: { percent: 10 },
        steps: [
          { id: "email", channel: "email", group: `${g}-coupon` },
          {
            id: "sms",
            channel: "sms",
            template: "{{firstName|Hi}}, {{discountPercent}}% off your cart with {{discountCode}}: {{link}}",
          },
        ],
      },
      {
        stage: 3,
        name: "last-chance",
        after: "72h",
        steps: [{ id: "email", channel: "email", group: `${g}-last-chance` }],
      },
    ],
    discounts: options.discounts ?? { kind: "static", codes: { "10": "COMEBACK10" } },
  };
}
