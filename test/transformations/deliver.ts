/**
 * What RudderStack's destinations do with a transformed event, over real HTTP: the Webhook
 * destination POSTs the event as JSON to `fullPath` with `header` added; the HTTP destination in FORM
 * format posts the mapped fields url-encoded with basic auth.
 */

export interface Delivered {
  status: number;
  body: unknown;
}

/** the Webhook destination (method POST): `fullPath`, `header` and `messageId` are not part of the body */
export async function deliverWebhook(event: Record<string, unknown>): Promise<Delivered> {
  const { fullPath, header, messageId: _messageId, ...body } = event;
  if (typeof fullPath !== "string") throw new Error("the event has no fullPath");
  const response = await fetch(fullPath, {
    method: "POST",
    headers: { "content-type": "application/json", ...(header as Record<string, string>) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** the Twilio form fields the HTTP destination's body mapping lists ($.To → To, …) */
export const TWILIO_FORM_FIELDS = [
  "To",
  "From",
  "MessagingServiceSid",
  "Body",
  "ContentSid",
  "ContentVariables",
  "StatusCallback",
] as const;

/** the HTTP destination: POST, FORM format, basic auth, body mapped from the event */
export async function deliverForm(
  apiUrl: string,
  auth: { username: string; password: string },
  event: Record<string, unknown>,
): Promise<Delivered> {
  const form = new URLSearchParams();
  for (const key of TWILIO_FORM_FIELDS) {
    const value = event[key];
    if (typeof value === "string") form.set(key, value);
  }
  const response = await fetch(apiUrl, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString("base64")}`,
    },
    body: form.toString(),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
