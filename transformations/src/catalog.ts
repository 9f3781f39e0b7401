/**
 * The paste-ready transformations: what each does, where it goes, and its default settings, which the
 * build writes as the `SETTINGS` constant at the top of each file.
 */
import type { JourneySettings } from "./lib/journey-run.js";
import type { MailerliteSettings } from "./lib/mailerlite-requests.js";
import type { NormalizeSettings } from "./lib/spec-event.js";
import type { TwilioSettings } from "./lib/twilio-requests.js";

export interface TransformationInfo {
  name: string;
  title: string;
  description: string[];
  destination: string;
  credentials: string[];
  settings: object;
  settingsHelp: Record<string, string>;
}

export const NORMALIZE_DEFAULTS: NormalizeSettings = { defaultRegion: null, consentCategories: {} };

export const MAILERLITE_DEFAULTS: MailerliteSettings = {
  apiBase: "https://connect.mailerlite.com",
  groupIds: {},
  defaultRegion: null,
};

export const TWILIO_DEFAULTS: TwilioSettings = {
  from: null,
  messagingServiceSid: null,
  whatsappFrom: null,
  statusCallback: null,
  quietHours: { sms: { start: "09:00", end: "21:00" }, whatsapp: { start: "09:00", end: "21:00" } },
  storeTimezone: "UTC",
};

export const JOURNEY_DEFAULTS: JourneySettings = {
  output: "auto",
  preset: "playbook",
  journey: null,
  journeyChecksum: null,
  storeTimezone: "UTC",
  storeName: null,
  linkBaseUrl: null,
  shopUrl: null,
  mailerlite: MAILERLITE_DEFAULTS,
  twilio: TWILIO_DEFAULTS,
};

export const TRANSFORMATIONS: TransformationInfo[] = [
  {
    name: "normalize-cart-events",
    title: "normalize cart events",
    description: [
      "Maps Shopify (RudderStack source events and raw checkout webhooks), WooCommerce order webhooks and",
      "Segment-style events onto RudderStack's e-commerce v2 spec, with contact and consent fields filled",
      "in, and drops events cartback never uses. A bad event fails alone with a message saying what is wrong.",
    ],
    destination: "any (put it in front of the destination that receives cart events)",
    credentials: [],
    settings: NORMALIZE_DEFAULTS,
    settingsHelp: {
      defaultRegion: 'ISO country for phone numbers typed without a country code, e.g. "US"; null for none',
      consentCategories: 'consent-management category ids per channel, e.g. { "sms": ["C0004"] }',
    },
  },
  {
    name: "mailerlite",
    title: "MailerLite API calls for the Webhook destination",
    description: [
      "MailerLite API requests (fullPath, header, JSON body), only those that change something:",
      "names from identify, cart fields from cart snapshots, the stage group on `Cart Recovery Stage Due`",
      "(it starts the automation), on Order Completed a reset and every stage group left; unsubscribe on refusal.",
    ],
    destination: "Webhook (method POST, JSON); the URL is replaced per event by fullPath",
    credentials: ["MAILERLITE_API_TOKEN"],
    settings: MAILERLITE_DEFAULTS,
    settingsHelp: {
      apiBase: "MailerLite API origin",
      groupIds: 'MailerLite group id per stage group name, e.g. { "cartback-stage-1": "123456" }',
      defaultRegion: "ISO country for phone numbers without a country code; null for none",
    },
  },
  {
    name: "twilio",
    title: "Twilio Messages API bodies for the HTTP destination",
    description: [
      "Turns `Cart Recovery Message Due` events into Twilio Messages API form fields (To, From or",
      "MessagingServiceSid, Body rendered by cartback, or a WhatsApp ContentSid). A send without consent",
      "for its channel, or inside the recipient's quiet hours at delivery time, is dropped with a logged reason.",
    ],
    destination: "HTTP (POST, FORM format, basic auth with the Twilio Account SID and Auth Token)",
    credentials: [],
    settings: TWILIO_DEFAULTS,
    settingsHelp: {
      from: "SMS sender number (E.164), or null to use messagingServiceSid",
      messagingServiceSid: "Messaging Service (MG…); wins over from",
      whatsappFrom: "WhatsApp sender (E.164); defaults to the Messaging Service",
      statusCallback: "URL Twilio posts delivery statuses to (the message key is added as ?key=)",
      quietHours: "per channel, the local-time window in which a message may be delivered",
      storeTimezone: "used when the shopper's timezone is unknown",
    },
  },
  {
    name: "journey",
    title: "stateless journey planner",
    description: [
      "For each event carrying a shopper's profile (properties.profile, as cartback's",
      "backend or a warehouse sync sends it), plans the journey at the current time and emits what is due:",
      "MailerLite requests, Twilio form bodies, or `Cart Recovery … Due` events, and a `Cart Recovery State`",
      "event with the advanced journey state. It keeps no timers: drive it on a schedule (see the guide).",
    ],
    destination:
      "Webhook (MailerLite requests), HTTP (Twilio bodies) or any destination (events); see SETTINGS.output",
    credentials: ["MAILERLITE_API_TOKEN (Webhook output)", "CARTBACK_LINK_SECRET (optional, signed links)"],
    settings: JOURNEY_DEFAULTS,
    settingsHelp: {
      output:
        '"auto" (by destination type: WEBHOOK → mailerlite, HTTP → twilio, else events), "mailerlite", "twilio" or "events"',
      preset: '"playbook", "classic" or "coordinated"; ignored when journey is set',
      journey:
        "a full journey definition, or null to use the preset; set it with `npx cartback transformation journey --journey <file.json>`, which checks it",
      journeyChecksum:
        "written by that command with the journey; a journey edited by hand afterwards is refused",
      storeTimezone: "used when the shopper's timezone is unknown",
      storeName: "shown in messages",
      linkBaseUrl: "where cartback serves signed /r/<token> links; null uses the shop's checkout URL",
      shopUrl: "where links lead when a cart has no checkout URL; with neither, texts are not sent (no_link)",
      mailerlite: "the mailerlite transformation's settings",
      twilio: "the twilio transformation's settings",
    },
  },
];
