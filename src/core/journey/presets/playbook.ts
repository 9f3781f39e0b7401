/**
 * The 4-stage, 5-segment playbook: nudge (15/60/90 min by intent), consideration (4 h, 24 h for low
 * carts), urgency (24 h, 12 h for first-time high carts, 48 h for low; only for shoppers who did not
 * engage) and a long tail on day 7 and day 21. Returning customers never get a discount; the loyalty
 * tier gets one personal message and a task instead of the sequence.
 */
import type { DiscountProvider, JourneySpec } from "../schema.js";

export interface PlaybookOptions {
  id?: string;
  /** currency of carts that have none (thresholds per currency: see `DEFAULT_THRESHOLDS`) */
  currency?: string;
  thresholds?: Record<string, Record<string, number>>;
  /** prefix of the MailerLite groups whose automations send the emails */
  groupPrefix?: string;
  /**
   * approved WhatsApp Content API templates (`HX…`, as `cartback setup twilio` prints them); a
   * WhatsApp step without one is skipped with `no_template`
   */
  whatsappTemplates?: WhatsAppTemplates;
  discounts?: DiscountProvider;
  /** the webhook that receives sales calls and personal-message tasks */
  tasksTarget?: string;
}

/** the playbook's WhatsApp templates by role */
export interface WhatsAppTemplates {
  nudge?: string;
  urgency?: string;
}

const NOT_LOYALTY = { not: { segment: ["loyalty"] } };

export const PLAYBOOK_SEGMENTS = [
  "loyalty",
  "returning",
  "first-time-high",
  "first-time-medium",
  "first-time-low",
];

/** the playbook as journey data; every option has a default */
export function playbookJourney(options: PlaybookOptions = {}): JourneySpec {
  const g = options.groupPrefix ?? "cartback";
  const tasks = options.tasksTarget ?? "tasks";
  const spec: JourneySpec = {
    id: options.id ?? "playbook",
    name: "Cart recovery playbook",
    description: "4 stages, 5 segments: nudge, consideration, urgency, long tail",
    currency: options.currency ?? "USD",
    segments: [
      {
        id: "loyalty",
        description: "top lifetime value or a loyalty_tier trait",
        when: {
          any: [{ lifetimeValue: { gte: "loyalty" } }, { trait: { key: "loyalty_tier", exists: true } }],
        },
      },
      { id: "returning", description: "ordered before", when: { orders: { gte: 1 } } },
      { id: "first-time-high", when: { cartValue: { gte: "high" } } },
      { id: "first-time-medium", when: { cartValue: { gte: "medium" } } },
      { id: "first-time-low" },
    ],
    channels: {
      sms: { cap: 2, minCartValue: "sms", stages: [2, 3] },
      whatsapp: { cap: 2, stages: [1, 3] },
    },
    stages: [
      {
        stage: 1,
        name: "nudge",
        after: "0m",
        steps: [
          {
            id: "email",
            channel: "email",
            group: `${g}-stage-1`,
            when: NOT_LOYALTY,
            alternates: [
              { when: { segment: ["returning"] }, variant: "returning", group: `${g}-stage-1-returning` },
            ],
          },
          {
            id: "whatsapp",
            channel: "whatsapp",
            ...(options.whatsappTemplates?.nudge ? { contentSid: options.whatsappTemplates.nudge } : {}),
            variables: { "1": "{{firstName|there}}", "2": "{{items}}", "3": "{{link}}" },
            when: NOT_LOYALTY,
          },
          {
            id: "personal",
            channel: "email",
            group: `${g}-loyalty-personal`,
            when: { segment: ["loyalty"] },
          },
          {
            id: "personal-task",
            channel: "task",
            target: tasks,
            event: "personal_message",
            when: { segment: ["loyalty"] },
          },
          {
            id: "sales-call",
            channel: "task",
            target: tasks,
            event: "sales_call",
            when: { all: [{ cartValue: { gte: "veryHigh" } }, NOT_LOYALTY] },
          },
        ],
      },
      {
        stage: 2,
        name: "consideration",
        after: "4h",
        afterBySegment: { "first-time-low": "24h" },
        when: NOT_LOYALTY,
        discount: {
          percent: 5,
          when: { cartValue: { gte: "discount" } },
          bySegment: { returning: null, loyalty: null },
        },
        steps: [
          {
            id: "email",
            channel: "email",
            group: `${g}-stage-2`,
            alternates: [
              { when: { segment: ["returning"] }, variant: "returning", group: `${g}-stage-2-returning` },
            ],
          },
          {
            id: "sms",
            channel: "sms",
            // a shopper who clicked the email by now gets the click follow-up instead: one text a stage
            when: { not: { engaged: { sinceStage: 2, kinds: ["clicked"] } } },
            template:
              "{{firstName|Hi}}, you left {{items}} in your cart.{{#discountCode}} {{discountPercent}}% off with {{discountCode}}.{{/discountCode}} {{link}}",
          },
          {
            id: "click-sms",
            channel: "sms",
            after: { engagement: "clicked", channel: "email", delay: "30m" },
            template:
              "{{firstName|Hi}}, questions about {{items}}? Reply here or finish in one tap: {{link}}",
          },
        ],
      },
      {
        stage: 3,
        name: "urgency",
        after: "24h",
        afterBySegment: { "first-time-high": "12h", "first-time-low": "48h" },
        when: { all: [NOT_LOYALTY, { not: { engaged: { sinceStage: 1 } } }] },
        discount: { percent: 10, bySegment: { "first-time-high": 12, returning: null, loyalty: null } },
        steps: [
          {
            id: "email",
            channel: "email",
            group: `${g}-stage-3`,
            alternates: [
              { when: { segment: ["returning"] }, variant: "returning", group: `${g}-stage-3-returning` },
              {
                when: { unopenedFor: { channel: "email", hours: 12 } },
                variant: "no-open",
                group: `${g}-stage-3-no-open`,
              },
            ],
          },
          {
            id: "sms",
            channel: "sms",
            template:
              "Last call {{firstName|}}: your cart will not be held much longer.{{#discountCode}} {{discountPercent}}% off with {{discountCode}} today.{{/discountCode}} {{link}}",
          },
          {
            id: "whatsapp",
            channel: "whatsapp",
            ...(options.whatsappTemplates?.urgency ? { contentSid: options.whatsappTemplates.urgency } : {}),
            variables: {
              "1": "{{firstName|there}}",
              "2": "{{#discountCode}}Use {{discountCode}} for {{discountPercent}}% off today.{{/discountCode}}{{^discountCode}}It is still here for now.{{/discountCode}}",
              "3": "{{link}}",
            },
          },
        ],
      },
      {
        stage: 4,
        name: "long-tail",
        after: "7d",
        when: NOT_LOYALTY,
        steps: [
          {
            id: "day-7",
            channel: "email",
            group: `${g}-stage-4`,
            alternates: [
              {
                when: { unopenedFor: { channel: "email", hours: 48 } },
                variant: "no-open",
                group: `${g}-stage-4-no-open`,
              },
            ],
          },
          { id: "day-21", channel: "email", group: `${g}-stage-4-final`, offset: "14d" },
        ],
      },
    ],
    experiments: [
      {
        id: "urgency-discount",
        stages: [3],
        when: { segment: ["first-time-high"] },
        variants: [
          { id: "12", discountPercent: 12 },
          { id: "15", discountPercent: 15 },
        ],
      },
    ],
    discounts: options.discounts ?? {
      kind: "static",
      codes: { "5": "COMEBACK5", "10": "COMEBACK10", "12": "COMEBACK12", "15": "COMEBACK15" },
    },
  };
  if (options.thresholds) spec.thresholds = options.thresholds;
  return spec;
}
