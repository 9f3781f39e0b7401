/**
 * An emulator of SendGrid's mail send endpoint (`POST /v3/mail/send`) for tests and demos: Bearer auth,
 * SendGrid's 400 error shape, 202 with `X-Message-Id` and sandbox mode (200, nothing sent). Point
 * `@sendgrid/mail` at it with `client.setDefaultRequest("baseUrl", emulator.url)` after `setApiKey`.
 */
import { createHash } from "node:crypto";
import { type EmulatorCall, type EmulatorReply, type EmulatorServer, startEmulatorServer } from "./server.js";

/** a mail the emulator accepted */
export interface SendGridMail {
  messageId: string;
  /** sandbox mode: validated, answered 200, not sent */
  sandbox: boolean;
  /** the v3 request body as sent */
  body: Record<string, unknown>;
  /** ISO time it arrived */
  time: string;
}

export interface SendGridEmulatorOptions {
  port?: number;
  /** accepted API keys; any non-empty key when unset */
  apiKeys?: string[];
  now?: () => number;
}

export interface SendGridEmulator extends EmulatorServer {
  /** accepted mails, oldest first, sandboxed ones included */
  mails(): SendGridMail[];
}

interface SendGridErrorItem {
  message: string;
  field: string | null;
  help: string | null;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const TEMPLATE_ID = /^(d-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html";

/** starts a SendGrid mail send emulator on 127.0.0.1 */
export async function startSendGridEmulator(
  options: SendGridEmulatorOptions = {},
): Promise<SendGridEmulator> {
  const now = options.now ?? Date.now;
  let mails: SendGridMail[] = [];
  let counter = 0;

  function handle(call: EmulatorCall): EmulatorReply {
    const auth = call.headers.authorization ?? "";
    const key = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : "";
    if (!key || (options.apiKeys && !options.apiKeys.includes(key))) {
      return errorReply(401, [
        {
          message: "The provided authorization grant is invalid, expired, or revoked",
          field: null,
          help: null,
        },
      ]);
    }
    if (call.path !== "/v3/mail/send") {
      return errorReply(404, [
        { message: `${call.path} is not emulated; only POST /v3/mail/send`, field: null, help: null },
      ]);
    }
    if (call.method !== "POST")
      return errorReply(405, [{ message: "method not allowed", field: null, help: null }]);
    if (typeof call.body !== "object" || call.body === null || Array.isArray(call.body)) {
      return errorReply(400, [{ message: "Bad Request", field: null, help: null }]);
    }
    const body = call.body as Record<string, unknown>;
    const errors = validateMail(body);
    if (errors.length > 0) return errorReply(400, errors);

    counter += 1;
    const messageId = createHash("sha256").update(`sendgrid:${counter}`).digest("base64url").slice(0, 22);
    const settings = body.mail_settings as { sandbox_mode?: { enable?: boolean } } | undefined;
    const sandbox = settings?.sandbox_mode?.enable === true;
    mails.push({ messageId, sandbox, body, time: new Date(call.receivedAt).toISOString() });
    return sandbox ? { status: 200 } : { status: 202, headers: { "X-Message-Id": messageId } };
  }

  const server = await startEmulatorServer({
    name: "sendgrid",
    handler: handle,
    port: options.port ?? 0,
    now,
    onReset: () => {
      mails = [];
      counter = 0;
    },
    faultBody: (status) => ({
      errors: [
        { message: status === 429 ? "too many requests" : "internal server error", field: null, help: null },
      ],
    }),
  });

  return { ...server, mails: () => mails.map((mail) => ({ ...mail })) };
}

/** the checks SendGrid applies before it accepts a mail, with its messages and field paths */
function validateMail(body: Record<string, unknown>): SendGridErrorItem[] {
  const errors: SendGridErrorItem[] = [];
  const from = body.from as { email?: unknown } | undefined;
  if (typeof from !== "object" || from === null || from.email === undefined) {
    errors.push({
      message:
        "The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.",
      field: "from",
      help: `${HELP}#message.from`,
    });
  } else if (typeof from.email !== "string" || !EMAIL.test(from.email)) {
    errors.push({
      message: "The from email does not contain a valid address.",
      field: "from.email",
      help: `${HELP}#message.from`,
    });
  }
  const personalizations = body.personalizations;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    errors.push({
      message: "The personalizations field is required and must have at least one personalization.",
      field: "personalizations",
      help: `${HELP}#-Personalizations-Errors`,
    });
  } else {
    if (personalizations.length > 1000) {
      errors.push({
        message: "The personalizations field may not have more than 1000 personalizations.",
        field: "personalizations",
        help: `${HELP}#-Personalizations-Errors`,
      });
    }
    personalizations.forEach((item: unknown, index) => {
      const to = (item as { to?: unknown } | null)?.to;
      if (!Array.isArray(to) || to.length === 0) {
        errors.push({
          message:
            "The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
          field: `personalizations.${index}.to`,
          help: `${HELP}#message.personalizations.to`,
        });
        return;
      }
      to.forEach((recipient: unknown, r) => {
        const email = (recipient as { email?: unknown } | null)?.email;
        if (typeof email !== "string" || !EMAIL.test(email)) {
          errors.push({
            message: "Does not contain a valid address.",
            field: `personalizations.${index}.to.${r}.email`,
            help: `${HELP}#message.personalizations.to`,
          });
        }
      });
    });
  }
  const templateId = body.template_id;
  if (templateId !== undefined && (typeof templateId !== "string" || !TEMPLATE_ID.test(templateId))) {
    errors.push({
      message: "The template_id must be a valid GUID string.",
      field: "template_id",
      help: null,
    });
  }
  if (templateId === undefined) {
    const content = body.content;
    if (!Array.isArray(content) || content.length === 0) {
      errors.push({
        message:
          "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.",
        field: "content",
        help: `${HELP}#message.content`,
      });
    }
    const everyHasSubject =
      Array.isArray(personalizations) &&
      personalizations.length > 0 &&
      personalizations.every((p: unknown) => isFilled((p as { subject?: unknown } | null)?.subject));
    if (!isFilled(body.subject) && !everyHasSubject) {
      errors.push({
        message:
          "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
        field: "subject",
        help: `${HELP}#message.subject`,
      });
    }
  }
  // a content block needs both a MIME type and a value, each at least one character (the API's minLength 1)
  if (Array.isArray(body.content)) {
    body.content.forEach((block: unknown, index) => {
      const { type, value } = (typeof block === "object" && block !== null ? block : {}) as {
        type?: unknown;
        value?: unknown;
      };
      if (!isFilled(type)) {
        errors.push({
          message: "The content type must be a string at least one character in length.",
          field: `content.${index}.type`,
          help: `${HELP}#message.content.type`,
        });
      }
      if (!isFilled(value)) {
        errors.push({
          message: "The content value must be a string at least one character in length.",
          field: `content.${index}.value`,
          help: `${HELP}#message.content.value`,
        });
      }
    });
  }
  return errors;
}

/** a string of at least one character, as SendGrid requires of subjects and content */
function isFilled(value: unknown): boolean {
  return typeof value === "string" && value.length > 0;
}

function errorReply(status: number, errors: SendGridErrorItem[]): EmulatorReply {
  return { status, body: { errors } };
}
