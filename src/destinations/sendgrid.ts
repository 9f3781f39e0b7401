/**
 * @module cartback/destinations/sendgrid — executes `sendgrid.sendEmail` through the official
 * `@sendgrid/mail` SDK with dynamic templates, for stores that send email through SendGrid.
 *
 * @example
 * const email = sendgridDestination({ apiKey: process.env.SENDGRID_API_KEY, from: "shop@example.com" });
 */
import sendgrid from "@sendgrid/mail";
import type { Command, CommandType } from "../core/commands.js";
import { classifyHttpFailure, classifyUnknown, headerValue, missingOptionError } from "./errors.js";
import { DeliveryError, type DeliveryReceipt, type Destination } from "./types.js";

export const NAME = "sendgrid";

type MailService = typeof sendgrid;
// the package exports a singleton whose types omit the class it also exports
const MailService = (sendgrid as unknown as { MailService: new () => MailService }).MailService;

export type SendgridClient = Pick<MailService, "send">;

export interface SendgridDestinationOptions {
  /** a `MailService` you configured; otherwise one is built from `apiKey` and `baseUrl` */
  client?: SendgridClient;
  apiKey?: string;
  /** e.g. `http://127.0.0.1:4030/` for the local emulator; default `https://api.sendgrid.com/` */
  baseUrl?: string;
  /** the verified sender, `shop@example.com` or `{ email, name }` */
  from: string | { email: string; name?: string };
  /** SendGrid validates and drops the message: nothing reaches an inbox */
  sandboxMode?: boolean;
  /** per request, default 10 s */
  timeoutMs?: number;
}

const HANDLES: readonly CommandType[] = ["sendgrid.sendEmail"];

function resolveClient(options: SendgridDestinationOptions): SendgridClient {
  if (options.client) return options.client;
  if (!options.apiKey) throw missingOptionError("sendgridDestination", "apiKey");
  // an instance of our own: the package's default export is a process-wide singleton
  const mail = new MailService();
  mail.setApiKey(options.apiKey);
  mail.setTimeout(options.timeoutMs ?? 10_000);
  if (options.baseUrl) {
    (
      mail as unknown as { client: { setDefaultRequest(key: string, value: string): void } }
    ).client.setDefaultRequest(
      "baseUrl",
      options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`,
    );
  }
  return mail;
}

/** The SendGrid destination: one dynamic-template send per command. */
export function sendgridDestination(options: SendgridDestinationOptions): Destination {
  if (!options?.from) throw missingOptionError("sendgridDestination", "from");
  const client = resolveClient(options);

  async function execute(command: Command): Promise<DeliveryReceipt> {
    if (command.type !== "sendgrid.sendEmail") {
      throw new DeliveryError(`${NAME}: cannot execute ${command.type}`, {
        kind: "configuration",
        destination: NAME,
        setting: "destinations",
      });
    }
    try {
      const [response] = await client.send({
        to: command.to,
        from: options.from,
        templateId: command.templateId,
        dynamicTemplateData: command.dynamicTemplateData,
        customArgs: { cartback_key: command.key },
        ...(options.sandboxMode ? { mailSettings: { sandboxMode: { enable: true } } } : {}),
      });
      const messageId = headerValue(response?.headers, "x-message-id");
      return typeof messageId === "string" ? { providerId: messageId } : {};
    } catch (error) {
      const response = (error as { response?: { headers?: Record<string, unknown>; body?: unknown } })
        .response;
      const status = (error as { code?: unknown }).code;
      if (response && typeof status === "number") {
        throw classifyHttpFailure(
          { status, headers: response.headers ?? {}, body: response.body },
          { destination: NAME, authSetting: "apiKey", action: "send email", cause: error },
        );
      }
      throw classifyUnknown(error, { destination: NAME, authSetting: "apiKey", action: "send email" });
    }
  }

  return { name: NAME, handles: HANDLES, execute };
}
