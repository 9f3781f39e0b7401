/**
 * @module cartback/destinations/twilio — executes `twilio.sendSms` and `twilio.sendWhatsApp` through
 * the official `twilio` SDK: SMS from a number or a Messaging Service, WhatsApp through approved
 * Content API templates.
 *
 * @example
 * const sms = twilioDestination({ accountSid, authToken, messagingServiceSid: "MG…" });
 */
import twilio from "twilio";
import type { Command, CommandType, TwilioSendSms, TwilioSendWhatsApp } from "../core/commands.js";
import type { Channel, ConsentChangedEvent } from "../core/events.js";
import { classifyHttpFailure, classifyUnknown, missingOptionError } from "./errors.js";
import { shapeTwilioMessage, type TwilioSenders, toSdkParams } from "./twilio-form.js";
import { withBaseUrl } from "./twilio-http.js";
import { DeliveryError, type DeliveryReceipt, type Destination } from "./types.js";

export const NAME = "twilio";

export type TwilioClient = Pick<twilio.Twilio, "messages">;

export interface TwilioDestinationOptions {
  /** an SDK client you built; otherwise one is built from `accountSid` and `authToken` */
  client?: TwilioClient;
  accountSid?: string;
  authToken?: string;
  /** e.g. `http://127.0.0.1:4020` to reach the local emulator instead of `https://api.twilio.com` */
  baseUrl?: string;
  /** SMS sender: an E.164 number … */
  from?: string;
  /** … or a Messaging Service (`MG…`), which wins when both are set */
  messagingServiceSid?: string;
  /** WhatsApp sender, E.164 without the `whatsapp:` prefix; defaults to the Messaging Service */
  whatsappFrom?: string;
  /** where Twilio posts delivery statuses; each message adds `?key=<command key>` to it */
  statusCallback?: string;
  /** per request, default 10 s */
  timeoutMs?: number;
}

const HANDLES: readonly CommandType[] = ["twilio.sendSms", "twilio.sendWhatsApp"];

/** Twilio error codes that are not about the HTTP status alone */
const PERMANENT_CODES: Record<number, string> = {
  21211: "invalid 'To' number",
  21614: "'To' number cannot receive SMS",
  21610: "recipient replied STOP (opted out)",
  63016: "WhatsApp message outside the 24-hour window needs an approved template",
};
const CONFIGURATION_CODES: Record<number, string> = {
  20003: "authToken",
  21212: "from",
  21606: "from",
  21659: "from",
  21703: "messagingServiceSid",
  21704: "messagingServiceSid",
  21705: "messagingServiceSid",
  63007: "whatsappFrom",
};
const RETRYABLE_CODES = new Set([20429]);

/** how far before an attempt's start the lookup searches: Twilio's clock and ours may differ a little */
const LOOKUP_SKEW_MS = 60_000;
const LOOKUP_PAGE_SIZE = 50;
/** a recipient with more messages than this since an attempt is not a shopper */
const LOOKUP_MAX_PAGES = 10;

/**
 * An HTTP client for the SDK that can send its requests to another base URL (the emulator) and
 * keeps `Retry-After` on the errors it raises.
 */
export function createTwilioHttpClient(options: { baseUrl?: string; timeoutMs?: number } = {}) {
  const client = withBaseUrl(
    new twilio.RequestClient({ timeout: options.timeoutMs ?? 10_000, autoRetry: false }),
    options.baseUrl,
  );
  const send = client.request.bind(client);
  client.request = (async (opts: Parameters<typeof send>[0]) => {
    const response = await send(opts);
    if (response.statusCode >= 400) {
      const exception = new twilio.RestException(response);
      Object.assign(exception, { headers: response.headers });
      throw exception;
    }
    return response;
  }) as typeof client.request;
  return client;
}

function resolveClient(options: TwilioDestinationOptions): TwilioClient {
  if (options.client) return options.client;
  if (!options.accountSid) throw missingOptionError("twilioDestination", "accountSid");
  if (!options.authToken) throw missingOptionError("twilioDestination", "authToken");
  return twilio(options.accountSid, options.authToken, {
    httpClient: createTwilioHttpClient({
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    }),
  });
}

function optedOutEvent(command: TwilioSendSms | TwilioSendWhatsApp, channel: Channel): ConsentChangedEvent {
  return {
    type: "consent_changed",
    id: `${command.key}:opted-out`,
    at: Date.now(),
    source: "twilio",
    contact: { phone: command.to },
    channel,
    status: "denied",
  };
}

/** classifies what `messages.create` threw, by Twilio error code first, then by HTTP status */
export function classifyTwilioError(
  error: unknown,
  command: TwilioSendSms | TwilioSendWhatsApp,
): DeliveryError {
  const action = command.type === "twilio.sendSms" ? "send SMS" : "send WhatsApp message";
  const { status, code, message, headers } = (error ?? {}) as {
    status?: unknown;
    code?: unknown;
    message?: unknown;
    headers?: Record<string, unknown>;
  };
  if (typeof status !== "number")
    return classifyUnknown(error, { destination: NAME, authSetting: "authToken", action });
  const numeric = typeof code === "number" ? code : undefined;
  const failure = {
    status,
    ...(headers ? { headers } : {}),
    ...(numeric !== undefined ? { code: numeric } : {}),
    ...(typeof message === "string" ? { message } : {}),
  };
  const context = { destination: NAME, authSetting: "authToken", action, cause: error };
  if (numeric !== undefined && RETRYABLE_CODES.has(numeric)) {
    return classifyHttpFailure({ ...failure, status: 429 }, context);
  }
  if (numeric !== undefined && PERMANENT_CODES[numeric]) {
    const channel: Channel = command.type === "twilio.sendSms" ? "sms" : "whatsapp";
    const events = numeric === 21610 ? [optedOutEvent(command, channel)] : undefined;
    return new DeliveryError(`${NAME}: ${action} failed: ${PERMANENT_CODES[numeric]} (code ${numeric})`, {
      kind: "permanent",
      destination: NAME,
      status,
      code: numeric,
      cause: error,
      ...(events ? { events } : {}),
    });
  }
  const setting = numeric !== undefined ? CONFIGURATION_CODES[numeric] : undefined;
  if (setting) {
    return new DeliveryError(
      `${NAME}: ${action} failed: ${typeof message === "string" ? message : `code ${numeric}`}; check the \`${setting}\` setting`,
      { kind: "configuration", destination: NAME, status, code: numeric as number, setting, cause: error },
    );
  }
  return classifyHttpFailure(failure, context);
}

/** The Twilio destination: one `messages.create` per command, classified failures. */
export function twilioDestination(options: TwilioDestinationOptions): Destination {
  if (options.statusCallback) {
    try {
      new URL(options.statusCallback);
    } catch {
      throw new Error(
        `Invalid option \`statusCallback\` for twilioDestination: "${options.statusCallback}" is not a URL`,
      );
    }
  }
  if (!options.client && !options.from && !options.messagingServiceSid) {
    throw missingOptionError("twilioDestination", "from` or `messagingServiceSid");
  }
  const client = resolveClient(options);
  const senders: TwilioSenders = options;

  function senderMissing(setting: "from" | "whatsappFrom"): DeliveryError {
    const message =
      setting === "from"
        ? `${NAME}: no SMS sender configured; set \`from\` or \`messagingServiceSid\``
        : `${NAME}: no WhatsApp sender configured; set \`whatsappFrom\``;
    return new DeliveryError(message, { kind: "configuration", destination: NAME, setting });
  }

  async function execute(command: Command): Promise<DeliveryReceipt> {
    if (command.type !== "twilio.sendSms" && command.type !== "twilio.sendWhatsApp") {
      throw new DeliveryError(`${NAME}: cannot execute ${command.type}`, {
        kind: "configuration",
        destination: NAME,
        setting: "destinations",
      });
    }
    const shaped = shapeTwilioMessage(
      command.type === "twilio.sendSms"
        ? { channel: "sms", to: command.to, body: command.body, key: command.key }
        : {
            channel: "whatsapp",
            to: command.to,
            contentSid: command.contentSid,
            contentVariables: command.contentVariables,
            key: command.key,
          },
      senders,
    );
    if (!shaped.success) throw senderMissing(shaped.error.setting);
    try {
      const params = toSdkParams(shaped.data) as unknown as Parameters<TwilioClient["messages"]["create"]>[0];
      const message = await client.messages.create(params);
      return { providerId: message.sid };
    } catch (error) {
      throw classifyTwilioError(error, command);
    }
  }

  /**
   * Did an earlier attempt, started at `since`, create this message? Reads the messages to the
   * recipient newest first, page by page, and matches an outbound one created from `since` on (less
   * `LOOKUP_SKEW_MS` for the clocks of this host and Twilio) by its body (SMS) or by the recipient
   * alone (WhatsApp templates, whose rendered text is Twilio's). No `DateSent` filter: a message still
   * queued has no `date_sent` yet, and it is exactly the one an attempt without an answer can leave.
   */
  async function lookup(command: Command, since: number): Promise<DeliveryReceipt | null> {
    if (command.type !== "twilio.sendSms" && command.type !== "twilio.sendWhatsApp") return null;
    const to = command.type === "twilio.sendSms" ? command.to : `whatsapp:${command.to}`;
    const from = since - LOOKUP_SKEW_MS;
    try {
      let page:
        | Pick<Awaited<ReturnType<TwilioClient["messages"]["page"]>>, "instances" | "nextPage">
        | undefined = await client.messages.page({ to, pageSize: LOOKUP_PAGE_SIZE });
      for (let pages = 1; page !== undefined && pages <= LOOKUP_MAX_PAGES; pages++) {
        for (const m of page.instances) {
          const created = m.dateCreated instanceof Date ? m.dateCreated.getTime() : Number.NaN;
          const sent = m.dateSent instanceof Date ? m.dateSent.getTime() : created;
          // newest first: once one was both created and sent before the window, so were the rest
          if (created < from && sent < from) return null;
          const outbound = m.direction !== "inbound";
          if (
            outbound &&
            created >= from &&
            (command.type === "twilio.sendWhatsApp" || m.body === command.body)
          )
            return { providerId: m.sid };
        }
        page = await page.nextPage();
      }
      return null;
    } catch (error) {
      throw classifyTwilioError(error, command);
    }
  }

  return { name: NAME, handles: HANDLES, execute, lookup };
}
