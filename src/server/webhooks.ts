/** The providers' webhooks: Twilio (status callbacks, STOP/START, replies) and MailerLite. */
import type { CartEvent } from "../core/events.js";
import { mailerliteWebhookHandler } from "../webhooks/mailerlite.js";
import type { WebhookLogEntry } from "../webhooks/outcome.js";
import { twilioWebhookHandler } from "../webhooks/twilio.js";
import { readBody } from "./body.js";
import type { RouteContext, RouteHandler } from "./context.js";
import { HttpError } from "./http-error.js";

export function createWebhookRoutes({ engine, config, logger, now }: RouteContext): RouteHandler {
  const webhookLogger = (entry: WebhookLogEntry) =>
    logger[entry.level](
      { provider: entry.provider, reason: entry.reason },
      `${entry.provider} webhook: ${entry.message}`,
    );
  const onEvents = async (events: CartEvent[]) => {
    if (events.length > 0) await engine.ingestEvents(events);
  };
  const publicOrigin = config.server.publicUrl ?? undefined;
  const twilio = config.webhooks.twilioAuthToken
    ? twilioWebhookHandler({
        authToken: config.webhooks.twilioAuthToken,
        onEvents,
        logger: webhookLogger,
        now,
        ...(publicOrigin ? { publicOrigin } : {}),
      })
    : null;
  const mailerlite = config.webhooks.mailerliteSecret
    ? mailerliteWebhookHandler({
        secret: config.webhooks.mailerliteSecret,
        onEvents,
        logger: webhookLogger,
        now,
      })
    : null;

  /**
   * the same request with its body read within the size limit, for handlers that read it whole; without
   * the provider's signature header the body is not read at all (the handler refuses it unsigned)
   */
  async function bounded(request: Request, signatureHeader: string): Promise<Request> {
    if (request.method !== "POST") return request;
    const body = request.headers.has(signatureHeader)
      ? await readBody(request, config.server.maxBodyBytes)
      : new Uint8Array(0);
    const headers = new Headers(request.headers);
    headers.delete("content-encoding");
    headers.delete("content-length");
    return new Request(request.url, {
      method: request.method,
      headers,
      body: body as Uint8Array<ArrayBuffer>,
    });
  }

  return async (request, route) => {
    if (route.name === "twilioWebhook") {
      if (!twilio) throw new HttpError(404, "Twilio webhooks are off: set TWILIO_AUTH_TOKEN");
      return twilio(await bounded(request, "x-twilio-signature"));
    }
    if (!mailerlite) throw new HttpError(404, "MailerLite webhooks are off: set MAILERLITE_WEBHOOK_SECRET");
    return mailerlite(await bounded(request, "signature"));
  };
}
