/**
 * Coordinated email and SMS: an email at abandonment, an SMS 10–15 minutes later (an experiment picks
 * which), a second email within 24 h and a final SMS with urgency.
 */
import type { JourneySpec } from "../schema.js";

export interface CoordinatedOptions {
  id?: string;
  currency?: string;
  groupPrefix?: string;
}

export function coordinatedJourney(options: CoordinatedOptions = {}): JourneySpec {
  const g = options.groupPrefix ?? "cartback-coordinated";
  return {
    id: options.id ?? "coordinated",
    name: "Coordinated email + SMS",
    currency: options.currency ?? "USD",
    stages: [
      {
        stage: 1,
        name: "first-touch",
        after: "0m",
        steps: [
          { id: "email", channel: "email", group: `${g}-first` },
          {
            id: "sms",
            channel: "sms",
            offset: "10m",
            template:
              "{{firstName|Hi}}, we saved your cart ({{items}}). Pick up where you left off: {{link}}",
          },
        ],
      },
      {
        stage: 2,
        name: "second-email",
        after: "20h",
        steps: [{ id: "email", channel: "email", group: `${g}-second` }],
      },
      {
        stage: 3,
        name: "final-sms",
        after: "23h",
        steps: [
          {
            id: "sms",
            channel: "sms",
            template:
              "Last chance {{firstName|}}: items in your cart are selling fast and we can only hold it today. {{link}}",
          },
        ],
      },
    ],
    experiments: [
      {
        id: "sms-delay",
        stages: [1],
        variants: [
          { id: "10m", offsets: { sms: "10m" } },
          { id: "15m", offsets: { sms: "15m" } },
        ],
      },
    ],
  };
}
