/**
 * The Content API part of the Twilio emulator (`https://content.twilio.com/v1`), shaped after
 * Twilio's OpenAPI description of it: templates (`HX…`) created, fetched, listed and deleted as JSON,
 * and WhatsApp approval requests for them. The review is simulated: a submitted template is
 * `received` and, unless the emulator is told otherwise, `approved` from the next fetch on.
 */
import type { EmulatorCall, EmulatorReply } from "./server.js";

/** a Content resource as the API returns it */
export interface TwilioContent {
  date_created: string;
  date_updated: string;
  sid: string;
  account_sid: string;
  friendly_name: string | null;
  language: string;
  variables: Record<string, string>;
  types: Record<string, Record<string, unknown>>;
  url: string;
  links: { approval_fetch: string; approval_create: string };
}

/** the WhatsApp approval of a template, as `GET /v1/Content/{sid}/ApprovalRequests` shows it */
export interface WhatsAppApproval {
  type: "whatsapp";
  name: string;
  category: string;
  content_type: string;
  status: "unsubmitted" | "received" | "pending" | "approved" | "rejected";
  rejection_reason: string;
  allow_category_change: boolean;
}

/** a body that opens or closes with `{{n}}` (WhatsApp's review refuses it) */
const VARIABLE_AT_EDGE = /^\s*\{\{\s*\d+\s*\}\}|\{\{\s*\d+\s*\}\}\s*$/;

/** what a submitted template becomes once reviewed; `approved` unless set */
export type TemplateReview = "approved" | "pending" | "rejected";

export interface ContentApi {
  handle(call: EmulatorCall, accountSid: string): EmulatorReply;
  /** the account's template, or undefined */
  find(accountSid: string, sid: string): TwilioContent | undefined;
  /** every template, oldest first */
  list(): TwilioContent[];
  reset(): void;
}

export const CONTENT_BASE = "https://content.twilio.com";
const CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION"];
// WhatsApp template names: lowercase letters, digits and underscores
const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
const LANGUAGE = /^[a-z]{2,3}([_-][A-Za-z]{2,4})?$/;

interface Stored {
  content: TwilioContent;
  approval: WhatsAppApproval | null;
  /** the review's outcome, shown from the first fetch after the request */
  review: TemplateReview;
}

export function createContentApi(options: {
  now: () => number;
  nextSid: (prefix: string) => string;
  review: () => TemplateReview;
  error: (status: number, code: number, message: string) => EmulatorReply;
}): ContentApi {
  const { error } = options;
  let contents: Stored[] = [];

  const stamp = () => new Date(options.now()).toISOString().replace(/\.\d{3}Z$/, "Z");

  function create(accountSid: string, body: unknown): EmulatorReply {
    if (typeof body !== "object" || body === null || Array.isArray(body))
      return error(400, 20001, "The request body must be a JSON object");
    const input = body as Record<string, unknown>;
    if (typeof input.language !== "string" || !LANGUAGE.test(input.language))
      return error(
        400,
        20001,
        "Missing or invalid required parameter language: use a code such as en or pt_BR",
      );
    const types = input.types;
    if (
      typeof types !== "object" ||
      types === null ||
      Array.isArray(types) ||
      Object.keys(types).length === 0
    )
      return error(
        400,
        20001,
        'Missing required parameter types, e.g. {"twilio/text": {"body": "Hi {{1}}"}}',
      );
    for (const [type, value] of Object.entries(types)) {
      if (!/^(twilio|whatsapp)\/[a-z-]+$/.test(type))
        return error(400, 20001, `Unknown content type "${type}"`);
      if (typeof value !== "object" || value === null)
        return error(400, 20001, `Content type "${type}" must be an object`);
      const text = (value as Record<string, unknown>).body;
      if ((type === "twilio/text" || type === "twilio/media") && (typeof text !== "string" || text === ""))
        return error(400, 20001, `Content type "${type}" needs a body`);
    }
    const variables = input.variables ?? {};
    if (
      typeof variables !== "object" ||
      variables === null ||
      Array.isArray(variables) ||
      !Object.values(variables).every((v) => typeof v === "string")
    )
      return error(400, 20001, "variables must map names to sample values (strings)");
    if (input.friendly_name !== undefined && typeof input.friendly_name !== "string")
      return error(400, 20001, "friendly_name must be a string");
    const sid = options.nextSid("HX");
    const at = stamp();
    const url = `${CONTENT_BASE}/v1/Content/${sid}`;
    const content: TwilioContent = {
      date_created: at,
      date_updated: at,
      sid,
      account_sid: accountSid,
      friendly_name: (input.friendly_name as string | undefined) ?? null,
      language: input.language,
      variables: { ...(variables as Record<string, string>) },
      types: structuredClone(types as Record<string, Record<string, unknown>>),
      url,
      links: {
        approval_fetch: `${url}/ApprovalRequests`,
        approval_create: `${url}/ApprovalRequests/whatsapp`,
      },
    };
    contents.push({ content, approval: null, review: options.review() });
    return { status: 201, body: structuredClone(content) };
  }

  function list(accountSid: string, query: URLSearchParams): EmulatorReply {
    const pageSize = Math.min(Math.max(Number(query.get("PageSize") ?? 50) || 50, 1), 500);
    const mine = contents.filter((c) => c.content.account_sid === accountSid).map((c) => c.content);
    const page = Math.max(Number(query.get("Page") ?? 0) || 0, 0);
    let start = page * pageSize;
    const token = query.get("PageToken");
    if (token) {
      const at = mine.findIndex((c) => c.sid === token.slice(2));
      if (at < 0 || !token.startsWith("PA")) return error(400, 20001, `PageToken "${token}" is not valid`);
      start = at + 1;
    }
    const slice = mine.slice(start, start + pageSize);
    const pageUrl = (n: number, pageToken?: string) =>
      `${CONTENT_BASE}/v1/Content?PageSize=${pageSize}&Page=${n}${pageToken ? `&PageToken=${pageToken}` : ""}`;
    const last = slice.at(-1);
    return {
      status: 200,
      body: {
        contents: slice.map((c) => structuredClone(c)),
        meta: {
          page,
          page_size: pageSize,
          first_page_url: pageUrl(0),
          previous_page_url: page > 0 ? pageUrl(page - 1) : null,
          url: pageUrl(page, token ?? undefined),
          next_page_url:
            last && start + slice.length < mine.length ? pageUrl(page + 1, `PA${last.sid}`) : null,
          key: "contents",
        },
      },
    };
  }

  function requestApproval(stored: Stored, body: unknown): EmulatorReply {
    const input = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof input.name !== "string" || !TEMPLATE_NAME.test(input.name))
      return error(
        400,
        20001,
        "name is required: lowercase letters, digits and underscores only (WhatsApp's template name rules)",
      );
    if (typeof input.category !== "string" || !CATEGORIES.includes(input.category))
      return error(400, 20001, `category must be one of ${CATEGORIES.join(", ")}`);
    if (stored.approval && stored.approval.status !== "rejected")
      return error(409, 20001, `Content ${stored.content.sid} was already submitted for WhatsApp approval`);
    const type = Object.keys(stored.content.types)[0] as string;
    stored.approval = {
      type: "whatsapp",
      name: input.name,
      category: input.category,
      content_type: type,
      status: "received",
      rejection_reason: "",
      allow_category_change: input.allow_category_change !== false,
    };
    const { type: _type, ...reply } = stored.approval;
    return { status: 201, body: reply };
  }

  function fetchApproval(stored: Stored): EmulatorReply {
    const approval = stored.approval;
    if (approval && approval.status === "received") {
      // the review happens between the request and the next look at it; like WhatsApp's, it turns down
      // a body that starts or ends with a variable whatever else it decides
      const body = Object.values(stored.content.types)[0]?.body;
      if (typeof body === "string" && VARIABLE_AT_EDGE.test(body)) {
        approval.status = "rejected";
        approval.rejection_reason = "INVALID_FORMAT: a variable cannot be at the start or end of the body";
      } else {
        approval.status = stored.review;
        if (stored.review === "rejected") approval.rejection_reason = "The template was rejected in review";
      }
    }
    return {
      status: 200,
      body: {
        sid: stored.content.sid,
        account_sid: stored.content.account_sid,
        whatsapp: approval
          ? { ...approval }
          : {
              type: "whatsapp",
              name: "",
              category: "",
              content_type: "",
              status: "unsubmitted",
              rejection_reason: "",
              allow_category_change: false,
            },
        url: stored.content.links.approval_fetch,
      },
    };
  }

  return {
    handle(call, accountSid) {
      const match = /^\/v1\/Content(?:\/([^/]+)(\/ApprovalRequests(\/whatsapp)?)?)?$/.exec(call.path);
      if (!match) return error(404, 20404, `The requested resource ${call.path} was not found`);
      const [, sid, approvals, whatsapp] = match;
      if (sid === undefined) {
        if (call.method === "POST") return create(accountSid, call.body);
        if (call.method === "GET") return list(accountSid, call.query);
        return error(405, 20004, "Method not allowed");
      }
      const stored = contents.find((c) => c.content.sid === sid && c.content.account_sid === accountSid);
      if (!stored) return error(404, 20404, `The requested resource ${call.path} was not found`);
      if (whatsapp) {
        if (call.method === "POST") return requestApproval(stored, call.body);
        return error(405, 20004, "Method not allowed");
      }
      if (approvals) {
        if (call.method === "GET") return fetchApproval(stored);
        return error(405, 20004, "Method not allowed");
      }
      if (call.method === "GET") return { status: 200, body: structuredClone(stored.content) };
      if (call.method === "DELETE") {
        contents = contents.filter((c) => c !== stored);
        return { status: 204 };
      }
      return error(405, 20004, "Method not allowed");
    },
    find: (accountSid, sid) =>
      contents.find((c) => c.content.sid === sid && c.content.account_sid === accountSid)?.content,
    list: () => contents.map((c) => structuredClone(c.content)),
    reset() {
      contents = [];
    },
  };
}

/** a template's text with its variables filled, as the recipient would read it */
export function renderContent(content: TwilioContent, variables: Record<string, string>): string {
  const text = Object.values(content.types)
    .map((t) => t.body)
    .find((b): b is string => typeof b === "string");
  if (text === undefined) return `[template ${content.sid}]`;
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_all, name: string) => variables[name] ?? "");
}
