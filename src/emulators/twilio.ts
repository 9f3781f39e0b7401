/**
 * An emulator of Twilio's Messages API for tests and demos: form bodies and Basic auth on
 * `/2010-04-01/Accounts/{sid}/Messages.json`, JSON shaped like Twilio's, the magic test numbers and
 * their error codes, signed status callbacks and simulated inbound STOP/START/HELP replies; and the
 * Content API (`/v1/Content`: WhatsApp templates and their approval requests, see `twilio-content.ts`). Point the
 * official SDK at it with `twilio(sid, token, { httpClient: emulatorHttpClient(emulator.url) })`.
 */
import { createHash, createHmac } from "node:crypto";
import { type EmulatorCall, type EmulatorReply, type EmulatorServer, startEmulatorServer } from "./server.js";
import {
  createContentApi,
  renderContent,
  type TemplateReview,
  type TwilioContent,
} from "./twilio-content.js";

export type TwilioMessageStatus =
  | "accepted"
  | "queued"
  | "sending"
  | "sent"
  | "delivered"
  | "undelivered"
  | "failed"
  | "received";

/** a message resource as the API returns it */
export interface TwilioMessage {
  account_sid: string;
  api_version: "2010-04-01";
  body: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  direction: "outbound-api" | "inbound";
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string;
  num_segments: string;
  price: string | null;
  price_unit: string;
  sid: string;
  status: TwilioMessageStatus;
  subresource_uris: { media: string };
  to: string;
  uri: string;
}

/** a callback the emulator posted (status callback or inbound message) */
export interface TwilioCallback {
  kind: "status" | "inbound";
  url: string;
  params: Record<string, string>;
  signature: string;
  /** the receiver's HTTP status, or null when it could not be reached */
  status: number | null;
  /** the receiver's reply (TwiML for inbound messages) */
  responseBody: string;
  error?: string;
}

export interface TwilioEmulatorOptions {
  port?: number;
  /** account sid → auth token; any credentials are accepted (and remembered) when unset */
  accounts?: Record<string, string>;
  /** where simulated inbound replies are posted unless the simulation names a URL */
  inboundUrl?: string;
  /** recipients whose messages end `undelivered` with this error code, e.g. 30003 unreachable */
  deliveryFailures?: Record<string, number>;
  /** pause between status steps (queued → sent → delivered); 0 unless set */
  statusStepMs?: number;
  /** what WhatsApp's review makes of a template submitted for approval; `approved` unless set */
  templateReview?: TemplateReview;
  now?: () => number;
}

export interface TwilioEmulator extends EmulatorServer {
  /** every message, outbound and inbound, oldest first */
  messages(): TwilioMessage[];
  /** the Content API templates, oldest first */
  contents(): TwilioContent[];
  /** callbacks posted so far, oldest first */
  callbacks(): TwilioCallback[];
  /** resolves once every scheduled status change and callback has happened */
  settled(): Promise<void>;
  /** recipients that replied STOP and have not replied START since */
  optedOut(): string[];
  /** simulates a reply from `from` to one of your numbers, posted signed to the inbound webhook */
  simulateInbound(input: InboundInput): Promise<{ message: TwilioMessage; callback: TwilioCallback }>;
}

export interface InboundInput {
  from: string;
  to: string;
  body: string;
  /** the webhook to post to; `inboundUrl` unless set */
  url?: string;
  /** the account the number belongs to; the only known account unless set */
  accountSid?: string;
  messagingServiceSid?: string;
}

interface StoredMessage extends TwilioMessage {
  statusCallback?: string;
  signingToken: string;
}

/** the magic test numbers of Twilio's test credentials and the error each one triggers */
const MAGIC_TO: Record<string, number> = {
  "+15005550001": 21211,
  "+15005550002": 21612,
  "+15005550003": 21408,
  "+15005550004": 21610,
  "+15005550009": 21614,
};
const MAGIC_FROM: Record<string, number> = {
  "+15005550001": 21212,
  "+15005550007": 21606,
  "+15005550008": 21611,
};

const STOP_WORDS = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"];
const START_WORDS = ["START", "YES", "UNSTOP"];
const HELP_WORDS = ["HELP", "INFO"];
const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
const E164 = /^\+[1-9]\d{6,14}$/;
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

/** starts a Twilio Messages API emulator on 127.0.0.1 */
export async function startTwilioEmulator(options: TwilioEmulatorOptions = {}): Promise<TwilioEmulator> {
  const now = options.now ?? Date.now;
  const stepMs = options.statusStepMs ?? 0;
  const knownAccounts = new Map<string, string>(Object.entries(options.accounts ?? {}));
  const knownKeys = new Map<string, string>();
  let messages: StoredMessage[] = [];
  let callbacks: TwilioCallback[] = [];
  let optedOut = new Set<string>();
  // last inbound WhatsApp message per sender, which opens the 24 h session window
  let lastInbound = new Map<string, number>();
  const pending = new Set<Promise<void>>();
  let counter = 0;
  // bumped on reset, so status steps still pending from before it stop quietly
  let generation = 0;

  function resetState(): void {
    generation += 1;
    content.reset();
    messages = [];
    callbacks = [];
    optedOut = new Set();
    lastInbound = new Map();
    counter = 0;
    knownAccounts.clear();
    knownKeys.clear();
    for (const [sid, token] of Object.entries(options.accounts ?? {})) knownAccounts.set(sid, token);
  }

  function nextSid(prefix: string): string {
    counter += 1;
    return prefix + createHash("md5").update(`${prefix}:${counter}`).digest("hex");
  }

  function authenticate(call: EmulatorCall, accountSid: string): { token: string } | EmulatorReply {
    const header = call.headers.authorization ?? "";
    const decoded = header.startsWith("Basic ")
      ? Buffer.from(header.slice(6), "base64").toString("utf8")
      : "";
    const colon = decoded.indexOf(":");
    const username = colon > 0 ? decoded.slice(0, colon) : "";
    const password = colon > 0 ? decoded.slice(colon + 1) : "";
    const fail = twilioError(401, 20003, "Authenticate");
    if (!username || !password) return fail;
    if (options.accounts) {
      if (options.accounts[username] !== password || username !== accountSid) return fail;
      return { token: password };
    }
    // without `accounts`, the first secret an account sid or API key (SK…) is used with becomes its
    // own: a different one later is refused, as Twilio refuses a wrong token
    if (username.startsWith("SK")) {
      const secret = knownKeys.get(username);
      if (secret !== undefined && secret !== password) return fail;
      knownKeys.set(username, password);
      return { token: knownAccounts.get(accountSid) ?? password };
    }
    if (username !== accountSid) return fail;
    const token = knownAccounts.get(accountSid);
    if (token !== undefined && token !== password) return fail;
    knownAccounts.set(accountSid, password);
    return { token: password };
  }

  const content = createContentApi({
    now,
    nextSid,
    review: () => options.templateReview ?? "approved",
    error: twilioError,
  });

  /** the account a Content API request acts for: the Basic-auth user, or an API key's one known account */
  function contentAccount(call: EmulatorCall): string | null {
    const header = call.headers.authorization ?? "";
    const decoded = header.startsWith("Basic ")
      ? Buffer.from(header.slice(6), "base64").toString("utf8")
      : "";
    const username = decoded.slice(0, Math.max(decoded.indexOf(":"), 0));
    if (username.startsWith("AC")) return username;
    if (username.startsWith("SK") && knownAccounts.size === 1) return [...knownAccounts.keys()][0] as string;
    return null;
  }

  function handle(call: EmulatorCall): EmulatorReply | Promise<EmulatorReply> {
    if (call.path === "/v1/Content" || call.path.startsWith("/v1/Content/")) {
      const accountSid = contentAccount(call);
      if (accountSid === null) return twilioError(401, 20003, "Authenticate");
      const auth = authenticate(call, accountSid);
      if ("status" in auth) return auth;
      return content.handle(call, accountSid);
    }
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages(?:\/([^/]+))?\.json$/.exec(call.path);
    if (!match) return twilioError(404, 20404, `The requested resource ${call.path} was not found`);
    const accountSid = match[1]!;
    const messageSid = match[2];
    const auth = authenticate(call, accountSid);
    if ("status" in auth) return auth;
    if (messageSid === undefined) {
      if (call.method === "POST") {
        // Twilio reads form bodies only: a JSON body arrives as no parameters at all
        const isForm = String(call.headers["content-type"] ?? "").includes(
          "application/x-www-form-urlencoded",
        );
        return createMessage(accountSid, auth.token, isForm ? formOf(call.body) : {}, call.receivedAt);
      }
      if (call.method === "GET") return listMessages(accountSid, call);
      return twilioError(405, 20004, "Method not allowed");
    }
    const message = messages.find((m) => m.sid === messageSid && m.account_sid === accountSid);
    if (!message) return twilioError(404, 20404, `The requested resource ${call.path} was not found`);
    if (call.method === "GET") return { status: 200, body: render(message) };
    if (call.method === "DELETE") {
      messages = messages.filter((m) => m !== message);
      return { status: 204 };
    }
    return twilioError(405, 20004, "Method not allowed");
  }

  /** a template created here reads as its text; another one records which one was sent with what */
  function renderTemplate(accountSid: string, contentSid: string, variables: string | undefined): string {
    const known = content.find(accountSid, contentSid);
    if (known)
      return renderContent(known, variables ? (JSON.parse(variables) as Record<string, string>) : {});
    return variables ? `[template ${contentSid}] ${variables}` : `[template ${contentSid}]`;
  }

  function createMessage(
    accountSid: string,
    token: string,
    form: Record<string, string | string[]>,
    at: number,
  ): EmulatorReply {
    const one = (key: string): string | undefined => {
      const value = form[key];
      return Array.isArray(value) ? value[0] : value;
    };
    const to = one("To");
    const from = one("From");
    const serviceSid = one("MessagingServiceSid");
    const body = one("Body") ?? "";
    const contentSid = one("ContentSid");
    const contentVariables = one("ContentVariables");
    const media = form.MediaUrl === undefined ? [] : ([] as string[]).concat(form.MediaUrl);

    if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!from && !serviceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!body && media.length === 0 && !contentSid)
      return twilioError(400, 21602, "Message body is required.");
    if (body.length > 1600) {
      return twilioError(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    }
    const whatsapp = to.startsWith("whatsapp:");
    const toNumber = whatsapp ? to.slice("whatsapp:".length) : to;
    if (from !== undefined) {
      const fromWhatsapp = from.startsWith("whatsapp:");
      const fromNumber = fromWhatsapp ? from.slice("whatsapp:".length) : from;
      const fromCode = MAGIC_FROM[fromNumber];
      if (fromCode !== undefined) return magicError(fromCode, fromNumber);
      if (!E164.test(fromNumber) && (fromWhatsapp || !ALPHANUMERIC_SENDER.test(fromNumber))) {
        return magicError(21212, fromNumber);
      }
      if (fromWhatsapp !== whatsapp) {
        return twilioError(
          400,
          21910,
          "Invalid From and To pair. From and To should be of the same channel. For example, From: whatsapp:+1xxxxxxxxxx, To: whatsapp:+1xxxxxxxxxx",
        );
      }
    }
    if (serviceSid !== undefined && !/^MG[0-9a-f]{32}$/i.test(serviceSid)) {
      return twilioError(400, 21701, `The Messaging Service Sid ${serviceSid} is invalid.`);
    }
    const toCode = MAGIC_TO[toNumber];
    if (toCode !== undefined) return magicError(toCode, toNumber);
    if (!E164.test(toNumber)) return magicError(21211, toNumber);
    if (optedOut.has(toNumber)) return magicError(21610, toNumber);
    if (contentSid !== undefined && !/^HX[0-9a-f]{32}$/i.test(contentSid)) {
      return twilioError(400, 21655, "The ContentSid is Invalid.");
    }
    if (contentVariables !== undefined && !isStringRecord(contentVariables)) {
      return twilioError(400, 21656, "The ContentVariables Parameter is invalid.");
    }

    const callbackUrl = one("StatusCallback");
    if (callbackUrl !== undefined && !/^https?:\/\/[^/]/.test(callbackUrl)) {
      return twilioError(400, 21609, `The StatusCallback URL ${callbackUrl} is not a valid URL.`);
    }

    const sid = nextSid(media.length > 0 ? "MM" : "SM");
    const stamp = rfc2822(at);
    const message: StoredMessage = {
      account_sid: accountSid,
      api_version: "2010-04-01",
      body: contentSid ? renderTemplate(accountSid, contentSid, contentVariables) : body,
      date_created: stamp,
      date_sent: null,
      date_updated: stamp,
      direction: "outbound-api",
      error_code: null,
      error_message: null,
      from: from ?? null,
      messaging_service_sid: serviceSid ?? null,
      num_media: String(media.length),
      num_segments: String(countSegments(body)),
      price: null,
      price_unit: "USD",
      sid,
      // a Messaging Service picks the sender later, so the message starts `accepted`
      status: from ? "queued" : "accepted",
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      signingToken: token,
    };
    if (callbackUrl) message.statusCallback = callbackUrl;
    messages.push(message);

    const opened = lastInbound.get(toNumber);
    const outsideWindow =
      whatsapp && !contentSid && (opened === undefined || at - opened > WHATSAPP_WINDOW_MS);
    const failure = options.deliveryFailures?.[toNumber];
    const steps: Array<{ status: TwilioMessageStatus; errorCode?: number }> = outsideWindow
      ? [{ status: "failed", errorCode: 63016 }]
      : failure !== undefined
        ? [{ status: "sent" }, { status: "undelivered", errorCode: failure }]
        : [{ status: "sent" }, { status: "delivered" }];
    track(advance(message, steps));
    return { status: 201, body: render(message) };
  }

  async function advance(
    message: StoredMessage,
    steps: Array<{ status: TwilioMessageStatus; errorCode?: number }>,
  ): Promise<void> {
    const started = generation;
    for (const step of steps) {
      await pause(stepMs);
      if (generation !== started) return;
      const stamp = rfc2822(now());
      message.status = step.status;
      message.date_updated = stamp;
      if (step.status === "sent") message.date_sent = stamp;
      if (step.errorCode !== undefined) {
        message.error_code = step.errorCode;
        message.error_message = ERROR_MESSAGES[step.errorCode] ?? null;
      }
      if (!message.statusCallback) continue;
      const params: Record<string, string> = {
        AccountSid: message.account_sid,
        ApiVersion: "2010-04-01",
        From: message.from ?? "",
        MessageSid: message.sid,
        MessageStatus: step.status,
        SmsSid: message.sid,
        SmsStatus: step.status,
        To: message.to,
      };
      if (message.messaging_service_sid) params.MessagingServiceSid = message.messaging_service_sid;
      if (step.errorCode !== undefined) params.ErrorCode = String(step.errorCode);
      await post("status", message.statusCallback, params, message.signingToken);
    }
  }

  async function post(
    kind: TwilioCallback["kind"],
    url: string,
    params: Record<string, string>,
    token: string,
  ): Promise<TwilioCallback> {
    const signature = signTwilioRequest(token, url, params);
    const callback: TwilioCallback = { kind, url, params, signature, status: null, responseBody: "" };
    callbacks.push(callback);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
          "X-Twilio-Signature": signature,
          "User-Agent": "TwilioProxy/1.1",
          "I-Twilio-Idempotency-Token": createHash("md5")
            .update(`${url}:${JSON.stringify(params)}`)
            .digest("hex"),
        },
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(15_000),
      });
      callback.status = response.status;
      callback.responseBody = await response.text();
    } catch (error) {
      callback.error = error instanceof Error ? error.message : String(error);
    }
    return callback;
  }

  function track(work: Promise<unknown>): void {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    pending.add(done);
    void done.then(() => pending.delete(done));
  }

  async function simulateInbound(
    input: InboundInput,
  ): Promise<{ message: TwilioMessage; callback: TwilioCallback }> {
    const url = input.url ?? options.inboundUrl;
    if (!url)
      throw new TypeError(
        "no webhook to post the reply to: pass `url` or start the emulator with `inboundUrl`",
      );
    const accountSid =
      input.accountSid ?? (knownAccounts.size === 1 ? [...knownAccounts.keys()][0] : undefined);
    if (!accountSid) {
      throw new TypeError(
        knownAccounts.size === 0
          ? "no account known yet: pass `accountSid` or start the emulator with `accounts`"
          : "several accounts are known: pass `accountSid`",
      );
    }
    const token = knownAccounts.get(accountSid);
    if (!token)
      throw new TypeError(`unknown account ${accountSid}: its auth token is needed to sign the webhook`);
    const at = now();
    const whatsapp = input.from.startsWith("whatsapp:");
    const fromNumber = whatsapp ? input.from.slice("whatsapp:".length) : input.from;
    const word = input.body.trim().toUpperCase();
    let optOutType: string | undefined;
    if (STOP_WORDS.includes(word)) {
      optOutType = "STOP";
      optedOut.add(fromNumber);
    } else if (START_WORDS.includes(word)) {
      optOutType = "START";
      optedOut.delete(fromNumber);
    } else if (HELP_WORDS.includes(word)) optOutType = "HELP";
    if (whatsapp) lastInbound.set(fromNumber, at);

    const sid = nextSid("SM");
    const stamp = rfc2822(at);
    const message: StoredMessage = {
      account_sid: accountSid,
      api_version: "2010-04-01",
      body: input.body,
      date_created: stamp,
      date_sent: stamp,
      date_updated: stamp,
      direction: "inbound",
      error_code: null,
      error_message: null,
      from: input.from,
      messaging_service_sid: input.messagingServiceSid ?? null,
      num_media: "0",
      num_segments: String(countSegments(input.body)),
      price: null,
      price_unit: "USD",
      sid,
      status: "received",
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to: input.to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
      signingToken: token,
    };
    messages.push(message);
    const params: Record<string, string> = {
      AccountSid: accountSid,
      ApiVersion: "2010-04-01",
      Body: input.body,
      From: input.from,
      MessageSid: sid,
      NumMedia: "0",
      NumSegments: message.num_segments,
      SmsMessageSid: sid,
      SmsSid: sid,
      SmsStatus: "received",
      To: input.to,
    };
    if (input.messagingServiceSid) params.MessagingServiceSid = input.messagingServiceSid;
    if (optOutType) params.OptOutType = optOutType;
    const work = post("inbound", url, params, token);
    track(work);
    return { message: render(message), callback: await work };
  }

  async function inspectionRoutes(call: EmulatorCall): Promise<EmulatorReply | undefined> {
    if (call.path === "/_emulator/callbacks" && call.method === "GET") {
      return { status: 200, body: { callbacks } };
    }
    if (call.path === "/_emulator/inbound" && call.method === "POST") {
      const input = (typeof call.body === "object" && call.body !== null ? call.body : {}) as Record<
        string,
        unknown
      >;
      for (const key of ["from", "to", "body"]) {
        if (typeof input[key] !== "string") {
          return { status: 400, body: { message: `"${key}" is required: POST { from, to, body, url? }` } };
        }
      }
      try {
        const result = await simulateInbound(input as unknown as InboundInput);
        return { status: 200, body: result };
      } catch (error) {
        return { status: 400, body: { message: error instanceof Error ? error.message : String(error) } };
      }
    }
    return undefined;
  }

  /**
   * `GET …/Messages.json`: newest first, filtered by `To`, `From` and `DateSent` in its three forms
   * (`DateSent=`, `DateSent<=`, `DateSent>=`, which arrive as the parameters `DateSent`, `DateSent<`
   * and `DateSent>`), paged by `PageSize` and the `PageToken` each `next_page_uri` carries.
   */
  function listMessages(accountSid: string, call: EmulatorCall): EmulatorReply {
    const q = call.query;
    const pageSize = Math.min(Math.max(Number(q.get("PageSize") ?? 50) || 50, 1), 1000);
    const page = Math.max(Number(q.get("Page") ?? 0) || 0, 0);
    const bounds: { on?: SentDate; before?: SentDate; after?: SentDate } = {};
    for (const [param, bound] of [
      ["DateSent", "on"],
      ["DateSent<", "before"],
      ["DateSent>", "after"],
    ] as const) {
      const value = q.get(param);
      if (value === null || value === "") continue;
      const parsed = parseSentDate(value);
      if (!parsed) {
        return twilioError(
          400,
          20001,
          `${param} "${value}" is not a date: use YYYY-MM-DD or a date and time in GMT, e.g. 2026-12-05T16:43:52Z`,
        );
      }
      bounds[bound] = parsed;
    }
    const filtered = messages
      .filter((m) => m.account_sid === accountSid)
      .filter((m) => !q.get("To") || m.to === q.get("To"))
      .filter((m) => !q.get("From") || m.from === q.get("From"))
      .filter((m) => {
        if (!bounds.on && !bounds.before && !bounds.after) return true;
        // a message not sent yet has no sent date to match
        if (m.date_sent === null) return false;
        const sent = Date.parse(m.date_sent);
        if (bounds.on && (sent < dayStart(bounds.on.at) || sent >= dayStart(bounds.on.at) + DAY_MS))
          return false;
        if (
          bounds.before &&
          sent > (bounds.before.dateOnly ? dayStart(bounds.before.at) + DAY_MS - 1 : bounds.before.at)
        )
          return false;
        if (bounds.after && sent < bounds.after.at) return false;
        return true;
      })
      .reverse();
    // a token names the message the page starts after (PA…) or ends before (PB…), like Twilio's
    let start = page * pageSize;
    const token = q.get("PageToken");
    if (token) {
      const at = filtered.findIndex((m) => m.sid === token.slice(2));
      if (at < 0 || !/^P[AB]/.test(token))
        return twilioError(400, 20001, `PageToken "${token}" is not valid`);
      start = token.startsWith("PA") ? at + 1 : Math.max(at - pageSize, 0);
    }
    const slice = filtered.slice(start, start + pageSize);
    const base = `/2010-04-01/Accounts/${accountSid}/Messages.json`;
    const pageUri = (n: number, pageToken?: string): string => {
      const params = new URLSearchParams();
      for (const key of ["To", "From", "DateSent", "DateSent<", "DateSent>"]) {
        const value = q.get(key);
        if (value) params.set(key, value);
      }
      params.set("PageSize", String(pageSize));
      params.set("Page", String(n));
      if (pageToken) params.set("PageToken", pageToken);
      return `${base}?${params.toString()}`;
    };
    const last = slice.at(-1);
    const hasNext = last !== undefined && start + slice.length < filtered.length;
    return {
      status: 200,
      body: {
        messages: slice.map(render),
        end: start + Math.max(slice.length - 1, 0),
        first_page_uri: pageUri(0),
        next_page_uri: hasNext ? pageUri(page + 1, `PA${last.sid}`) : null,
        page,
        page_size: pageSize,
        previous_page_uri: start > 0 && slice[0] ? pageUri(Math.max(page - 1, 0), `PB${slice[0].sid}`) : null,
        start,
        uri: pageUri(page, token ?? undefined),
      },
    };
  }

  const server = await startEmulatorServer({
    name: "twilio",
    handler: handle,
    port: options.port ?? 0,
    now,
    onReset: resetState,
    inspectionRoutes,
    faultBody: (status) =>
      status === 429
        ? twilioErrorBody(429, 20429, "Too Many Requests")
        : status === 503
          ? twilioErrorBody(503, 20503, "Service Unavailable")
          : twilioErrorBody(status, status >= 500 ? 20500 : status, "An internal server error has occurred"),
  });

  return {
    ...server,
    messages: () => messages.map(render),
    contents: () => content.list(),
    callbacks: () => callbacks.map((c) => ({ ...c, params: { ...c.params } })),
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    optedOut: () => [...optedOut],
    simulateInbound,
  };
}

/**
 * Twilio's request signature: base64 HMAC-SHA1 of the URL followed by each parameter name and value,
 * names sorted; `twilio.validateRequest` accepts it.
 */
export function signTwilioRequest(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf-8")).digest("base64");
}

const ERROR_MESSAGES: Record<number, string> = {
  21211: "The 'To' number {n} is not a valid phone number.",
  21212: "The 'From' number {n} is not a valid phone number, shortcode, or alphanumeric sender ID.",
  21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: {n}.",
  21606:
    "The From phone number {n} is not a valid, SMS-capable inbound phone number or short code for your account.",
  21610: "Attempt to send to unsubscribed recipient",
  21611: "This 'From' number has exceeded the maximum number of queued messages",
  21612: "The 'To' phone number: {n}, is not currently reachable using the 'From' phone number via SMS.",
  21614: "'To' number is not a valid mobile number",
  30003: "Unreachable destination handset",
  30005: "Unknown destination handset",
  30006: "Landline or unreachable carrier",
  30007: "Message filtered",
  63016:
    "Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.",
};

function magicError(code: number, number: string): EmulatorReply {
  return twilioError(400, code, (ERROR_MESSAGES[code] ?? `Error ${code}`).replace("{n}", number));
}

function twilioErrorBody(status: number, code: number, message: string): Record<string, unknown> {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function twilioError(status: number, code: number, message: string): EmulatorReply {
  return { status, body: twilioErrorBody(status, code, message) };
}

function render(message: StoredMessage): TwilioMessage {
  const { statusCallback: _callback, signingToken: _token, ...rest } = message;
  return { ...rest, subresource_uris: { ...rest.subresource_uris } };
}

function formOf(body: unknown): Record<string, string | string[]> {
  return typeof body === "object" && body !== null ? (body as Record<string, string | string[]>) : {};
}

function isStringRecord(json: string): boolean {
  try {
    const value = JSON.parse(json) as unknown;
    return (
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === "string" || typeof v === "number")
    );
  } catch {
    return false;
  }
}

function countSegments(body: string): number {
  if (body.length === 0) return 1;
  // characters outside 7-bit ASCII force UCS-2 encoding, which fits fewer characters per segment
  const unicode = /[^\x20-\x7e\n\r]/.test(body);
  const single = unicode ? 70 : 160;
  const multi = unicode ? 67 : 153;
  return body.length <= single ? 1 : Math.ceil(body.length / multi);
}

function rfc2822(epochMs: number): string {
  return new Date(epochMs).toUTCString().replace("GMT", "+0000");
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}

const DAY_MS = 86_400_000;

interface SentDate {
  at: number;
  /** given as `YYYY-MM-DD`: a whole day */
  dateOnly: boolean;
}

/**
 * a `DateSent` value in the forms Twilio documents and its SDKs send: `YYYY-MM-DD`, ISO 8601 date
 * and time (`2026-12-05T16:43:52Z`, what the official SDK sends), `2019-06-11 22:05:25.000`,
 * `06/11/2019 22:05:25 MST` and RFC 2822 (`Wed, 19 Jun 2019 22:04:00 -0000`); GMT when no zone is given
 */
function parseSentDate(value: string): SentDate | null {
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const at = Date.parse(`${text}T00:00:00Z`);
    return Number.isNaN(at) ? null : { at, dateOnly: true };
  }
  const isoWithoutZone = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$/.exec(text);
  const usWithoutZone = /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}(:\d{2})?$/.test(text);
  const normalized = isoWithoutZone
    ? `${isoWithoutZone[1]}T${isoWithoutZone[2]}Z`
    : usWithoutZone
      ? `${text} GMT`
      : text;
  const at = Date.parse(normalized);
  return Number.isNaN(at) ? null : { at, dateOnly: false };
}

function dayStart(at: number): number {
  return at - (((at % DAY_MS) + DAY_MS) % DAY_MS);
}
