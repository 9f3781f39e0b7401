/**
 * The Twilio Messages API request for one message, as data: the form fields Twilio documents (`To`,
 * `From` or `MessagingServiceSid`, `Body` or `ContentSid` + `ContentVariables`, `StatusCallback`).
 * One shaper for both ways cartback sends: the Node destination hands it to the `twilio` SDK, the
 * paste bundle hands it to RudderStack's HTTP destination. Pure and import-free, so the bundle stays
 * free of `node:*` and SDKs; it uses no `URL` either, which RudderStack's sandbox lacks.
 */

/** the senders and status callback a Twilio sender is configured with */
export interface TwilioSenders {
  from?: string | null | undefined;
  /** wins over `from` for SMS */
  messagingServiceSid?: string | null | undefined;
  /** WhatsApp sender, E.164 without `whatsapp:`; defaults to the Messaging Service */
  whatsappFrom?: string | null | undefined;
  /** each message adds `?key=<message key>`, so a delivery status finds its step */
  statusCallback?: string | null | undefined;
}

export type TwilioMessageInput =
  | { channel: "sms"; to: string; body: string; key?: string | undefined }
  | {
      channel: "whatsapp";
      to: string;
      contentSid: string;
      contentVariables: unknown;
      key?: string | undefined;
    };

/** the Messages API form fields, named as Twilio names its parameters */
export type TwilioForm = {
  To: string;
  From?: string;
  MessagingServiceSid?: string;
  Body?: string;
  ContentSid?: string;
  ContentVariables?: string;
  StatusCallback?: string;
};

export type TwilioFormResult =
  | { success: true; data: TwilioForm }
  /** no sender for the channel: the setting that would give one */
  | { success: false; error: { setting: "from" | "whatsappFrom" } };

/** `?key=` (or `&key=`) on the status callback, before any `#fragment` */
export function callbackWithKey(callback: string, key: string): string {
  const [base, hash] = callback.split("#", 2) as [string, string?];
  const sep = base.includes("?") ? "&" : "?";
  return `${base}${sep}key=${encodeURIComponent(key)}${hash ? `#${hash}` : ""}`;
}

/** the form for one message, or which sender setting is missing */
export function shapeTwilioMessage(message: TwilioMessageInput, senders: TwilioSenders): TwilioFormResult {
  const form: TwilioForm =
    message.channel === "sms"
      ? { To: message.to, Body: message.body }
      : {
          To: `whatsapp:${message.to}`,
          ContentSid: message.contentSid,
          ContentVariables: JSON.stringify(message.contentVariables ?? {}),
        };
  if (message.channel === "whatsapp" && senders.whatsappFrom) form.From = `whatsapp:${senders.whatsappFrom}`;
  else if (senders.messagingServiceSid) form.MessagingServiceSid = senders.messagingServiceSid;
  else if (message.channel === "sms" && senders.from) form.From = senders.from;
  else return { success: false, error: { setting: message.channel === "sms" ? "from" : "whatsappFrom" } };
  if (senders.statusCallback && message.key)
    form.StatusCallback = callbackWithKey(senders.statusCallback, message.key);
  return { success: true, data: form };
}

/** the same request as the `twilio` SDK's `messages.create` parameters (`To` → `to`, …) */
export function toSdkParams(form: TwilioForm): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) {
    if (value !== undefined) params[key.charAt(0).toLowerCase() + key.slice(1)] = value;
  }
  return params;
}
