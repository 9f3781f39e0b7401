import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startTwilioEmulator, type TwilioEmulator } from "../../src/emulators/twilio.js";
import { emulatorHttpClient } from "../../src/emulators/twilio-http-client.js";

const SID = `AC${"a".repeat(32)}`;
const TOKEN = "emulator-auth-token";
const SERVICE = `MG${"b".repeat(32)}`;
const TEMPLATE = `HX${"c".repeat(32)}`;

interface Received {
  path: string;
  signature: string;
  params: Record<string, string>;
}

/** a local webhook receiver standing in for the store's cartback server */
let receiver: Server;
let receiverUrl: string;
let received: Received[] = [];
let emulator: TwilioEmulator;
let client: twilio.Twilio;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      received.push({
        path: req.url ?? "",
        signature: String(req.headers["x-twilio-signature"] ?? ""),
        params: Object.fromEntries(new URLSearchParams(raw)),
      });
      res.writeHead(200, { "Content-Type": "text/xml" });
      res.end("<Response/>");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  emulator = await startTwilioEmulator({
    accounts: { [SID]: TOKEN },
    inboundUrl: `${receiverUrl}/twilio/inbound`,
    deliveryFailures: { "+14155550123": 30003 },
  });
  client = twilio(SID, TOKEN, { httpClient: emulatorHttpClient(emulator.url) });
});
afterAll(async () => {
  await emulator.stop();
  await new Promise((resolve) => receiver.close(resolve));
});
beforeEach(async () => {
  await emulator.settled();
  emulator.reset();
  received = [];
});

async function restError(
  promise: Promise<unknown>,
): Promise<{ status: number; code: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof twilio.RestException)
      return { status: error.status, code: error.code!, message: error.message };
    throw error;
  }
  throw new Error("expected the request to fail");
}

describe("Twilio emulator through the official SDK", () => {
  it("creates an SMS from a form-encoded, Basic-authenticated request and answers like Twilio", async () => {
    const message = await client.messages.create({
      to: "+14155550100",
      from: "+15005550006",
      body: "Your cart is waiting: https://shop.test/c/1",
    });
    expect(message.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(message.status).toBe("queued");
    expect(message.to).toBe("+14155550100");
    expect(message.accountSid).toBe(SID);
    expect(message.numSegments).toBe("1");
    expect(message.direction).toBe("outbound-api");

    const [request] = emulator.requests({ method: "POST" });
    expect(request?.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${TOKEN}`).toString("base64")}`);
    expect(request?.body).toEqual({
      To: "+14155550100",
      From: "+15005550006",
      Body: "Your cart is waiting: https://shop.test/c/1",
    });

    await emulator.settled();
    const fetched = await client.messages(message.sid).fetch();
    expect(fetched.status).toBe("delivered");
    expect(fetched.dateSent).toBeInstanceOf(Date);
  });

  it("sends through a Messaging Service and posts signed status callbacks to the configured URL", async () => {
    const callbackUrl = `${receiverUrl}/twilio/status?store=demo`;
    const message = await client.messages.create({
      to: "+14155550101",
      messagingServiceSid: SERVICE,
      body: "Still thinking it over?",
      statusCallback: callbackUrl,
    });
    expect(message.status).toBe("accepted");
    expect(message.messagingServiceSid).toBe(SERVICE);
    await emulator.settled();

    expect(received.map((r) => r.params.MessageStatus)).toEqual(["sent", "delivered"]);
    for (const callback of received) {
      expect(callback.path).toBe("/twilio/status?store=demo");
      expect(callback.params).toMatchObject({ MessageSid: message.sid, To: "+14155550101", AccountSid: SID });
      expect(twilio.validateRequest(TOKEN, callback.signature, callbackUrl, callback.params)).toBe(true);
      expect(twilio.validateRequest("another-token", callback.signature, callbackUrl, callback.params)).toBe(
        false,
      );
    }
    expect(emulator.callbacks().map((c) => c.status)).toEqual([200, 200]);
  });

  it("drops status steps still pending when the emulator is reset", async () => {
    const stepped = await startTwilioEmulator({ accounts: { [SID]: TOKEN }, statusStepMs: 1_000 });
    try {
      const sdk = twilio(SID, TOKEN, { httpClient: emulatorHttpClient(stepped.url) });
      await sdk.messages.create({
        to: "+14155550100",
        from: "+15005550006",
        body: "hi",
        statusCallback: `${receiverUrl}/twilio/status`,
      });
      stepped.reset();
      await stepped.settled();
      expect(stepped.callbacks()).toEqual([]);
      expect(received).toEqual([]);
    } finally {
      await stepped.stop();
    }
  });

  it("reports an undeliverable handset through the callback's ErrorCode", async () => {
    const message = await client.messages.create({
      to: "+14155550123",
      from: "+15005550006",
      body: "hello",
      statusCallback: `${receiverUrl}/twilio/status`,
    });
    await emulator.settled();
    expect(received.map((r) => [r.params.MessageStatus, r.params.ErrorCode])).toEqual([
      ["sent", undefined],
      ["undelivered", "30003"],
    ]);
    expect((await client.messages(message.sid).fetch()).errorCode).toBe(30003);
  });

  it.each([
    ["+15005550001", 21211],
    ["+15005550002", 21612],
    ["+15005550003", 21408],
    ["+15005550004", 21610],
    ["+15005550009", 21614],
    ["555-0100", 21211],
  ])("refuses To %s with error %i", async (to, code) => {
    const failure = await restError(client.messages.create({ to, from: "+15005550006", body: "hi" }));
    expect(failure).toMatchObject({ status: 400, code });
    const [logged] = emulator.requests();
    expect(logged?.response).toMatchObject({
      code,
      status: 400,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
    });
    expect(emulator.messages()).toEqual([]);
  });

  it.each([
    ["+15005550001", 21212],
    ["+15005550007", 21606],
    ["+15005550008", 21611],
  ])("refuses From %s with error %i", async (from, code) => {
    const failure = await restError(client.messages.create({ to: "+14155550100", from, body: "hi" }));
    expect(failure).toMatchObject({ status: 400, code });
  });

  it("refuses missing parameters with Twilio's codes", async () => {
    expect(
      await restError(client.messages.create({ to: "+14155550100", body: "hi" } as never)),
    ).toMatchObject({
      code: 21603,
    });
    expect(
      await restError(client.messages.create({ to: "+14155550100", from: "+15005550006" } as never)),
    ).toMatchObject({
      code: 21602,
    });
  });

  it("reads only form bodies and refuses a callback URL that is not absolute", async () => {
    const json = await fetch(`${emulator.url}/2010-04-01/Accounts/${SID}/Messages.json`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString("base64")}`,
        "Content-Type": "application/json",
      },
      body: JSON.stringify({ To: "+14155550100", From: "+15005550006", Body: "hi" }),
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ code: 21604 });
    const badCallback = client.messages.create({
      to: "+14155550100",
      from: "+15005550006",
      body: "hi",
      statusCallback: "/twilio/status",
    });
    expect((await restError(badCallback)).code).toBe(21609);
  });

  it("rejects wrong credentials with 401 / 20003", async () => {
    const stranger = twilio(SID, "wrong-token", { httpClient: emulatorHttpClient(emulator.url) });
    const failure = await restError(
      stranger.messages.create({ to: "+14155550100", from: "+15005550006", body: "x" }),
    );
    expect(failure).toMatchObject({ status: 401, code: 20003 });
  });

  it("lists messages newest first with filters and pages", async () => {
    for (const to of ["+14155550100", "+14155550101", "+14155550100"]) {
      await client.messages.create({ to, from: "+15005550006", body: `to ${to}` });
    }
    const toFirst = await client.messages.list({ to: "+14155550100" });
    expect(toFirst).toHaveLength(2);
    expect(toFirst.every((m) => m.to === "+14155550100")).toBe(true);
    const all = await client.messages.list({ pageSize: 1 });
    expect(all.map((m) => m.to)).toEqual(["+14155550100", "+14155550101", "+14155550100"]);
    expect(emulator.requests({ method: "GET" }).length).toBe(4);
  });

  it("turns an inbound STOP into 21610 refusals until START, with OptOutType on the signed webhook", async () => {
    const stop = await emulator.simulateInbound({ from: "+14155550142", to: "+15005550006", body: " stop " });
    expect(stop.callback.status).toBe(200);
    const [inbound] = received;
    expect(inbound?.params).toMatchObject({
      From: "+14155550142",
      Body: " stop ",
      OptOutType: "STOP",
      SmsStatus: "received",
    });
    expect(
      twilio.validateRequest(TOKEN, inbound!.signature, `${receiverUrl}/twilio/inbound`, inbound!.params),
    ).toBe(true);
    expect(emulator.optedOut()).toEqual(["+14155550142"]);

    const refused = await restError(
      client.messages.create({ to: "+14155550142", from: "+15005550006", body: "hi" }),
    );
    expect(refused.code).toBe(21610);

    const response = await fetch(`${emulator.url}/_emulator/inbound`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ from: "+14155550142", to: "+15005550006", body: "START" }),
    });
    expect(response.status).toBe(200);
    expect(received[1]?.params.OptOutType).toBe("START");
    const again = await client.messages.create({
      to: "+14155550142",
      from: "+15005550006",
      body: "welcome back",
    });
    expect(again.status).toBe("queued");

    await emulator.simulateInbound({ from: "+14155550142", to: "+15005550006", body: "HELP" });
    expect(received[2]?.params.OptOutType).toBe("HELP");
    expect(emulator.optedOut()).toEqual([]);
  });

  it("fails a freeform WhatsApp message outside the 24 h window with 63016, but sends a template", async () => {
    const callback = `${receiverUrl}/twilio/status`;
    const freeform = await client.messages.create({
      to: "whatsapp:+14155550150",
      from: "whatsapp:+15005550006",
      body: "Your cart",
      statusCallback: callback,
    });
    const template = await client.messages.create({
      to: "whatsapp:+14155550150",
      from: "whatsapp:+15005550006",
      contentSid: TEMPLATE,
      contentVariables: JSON.stringify({ 1: "Ada", 2: "https://shop.test/c/1" }),
      statusCallback: callback,
    });
    await emulator.settled();
    const statuses = (sid: string) =>
      received.filter((r) => r.params.MessageSid === sid).map((r) => r.params);
    expect(statuses(freeform.sid)).toEqual([
      expect.objectContaining({ MessageStatus: "failed", ErrorCode: "63016" }),
    ]);
    expect(statuses(template.sid).map((p) => p.MessageStatus)).toEqual(["sent", "delivered"]);
    expect(emulator.requests({ method: "POST" })[1]?.body).toMatchObject({
      ContentSid: TEMPLATE,
      ContentVariables: '{"1":"Ada","2":"https://shop.test/c/1"}',
    });

    // a reply from the shopper opens the session window
    await emulator.simulateInbound({
      from: "whatsapp:+14155550150",
      to: "whatsapp:+15005550006",
      body: "hi",
    });
    const inWindow = await client.messages.create({
      to: "whatsapp:+14155550150",
      from: "whatsapp:+15005550006",
      body: "Here is your cart",
      statusCallback: callback,
    });
    await emulator.settled();
    expect(statuses(inWindow.sid).map((p) => p.MessageStatus)).toEqual(["sent", "delivered"]);
  });

  it("refuses a template id that is not an HX sid and variables that are not a JSON object", async () => {
    const badSid = restError(
      client.messages.create({
        to: "whatsapp:+14155550150",
        from: "whatsapp:+15005550006",
        contentSid: "welcome",
      }),
    );
    expect((await badSid).code).toBe(21655);
    const badVariables = restError(
      client.messages.create({
        to: "whatsapp:+14155550150",
        from: "whatsapp:+15005550006",
        contentSid: TEMPLATE,
        contentVariables: "name=Ada",
      }),
    );
    expect((await badVariables).code).toBe(21656);
  });
});

describe("listing messages as Twilio documents it", () => {
  let listed: TwilioEmulator;
  let sdk: twilio.Twilio;
  let clock = 0;
  const at = (iso: string) => Date.parse(iso);

  beforeAll(async () => {
    listed = await startTwilioEmulator({ now: () => clock });
    sdk = twilio(SID, TOKEN, { httpClient: emulatorHttpClient(listed.url) });
  });
  afterAll(() => listed.stop());
  beforeEach(async () => {
    await listed.settled();
    listed.reset();
  });

  /** one message to each of these times' own number, sent at that time */
  async function sendAt(times: string[]): Promise<Map<string, string>> {
    const sids = new Map<string, string>();
    for (const [i, time] of times.entries()) {
      clock = at(time);
      const message = await sdk.messages.create({ to: `+1415555010${i}`, from: "+15005550006", body: time });
      await listed.settled();
      sids.set(time, message.sid);
    }
    return sids;
  }

  /** the bodies (send times) a raw query lists, newest first */
  async function list(query: string): Promise<{ status: number; bodies: string[]; body: unknown }> {
    const response = await fetch(`${listed.url}/2010-04-01/Accounts/${SID}/Messages.json?${query}`, {
      headers: { authorization: `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString("base64")}` },
    });
    const body = (await response.json()) as { messages?: { body: string }[] };
    return { status: response.status, bodies: (body.messages ?? []).map((m) => m.body), body };
  }

  const times = [
    "2026-12-04T23:59:59Z",
    "2026-12-05T10:00:00Z",
    "2026-12-05T16:43:52Z",
    "2026-12-06T00:00:00Z",
  ];

  it("filters DateSent on a day, on and before, and on and after, by date or by date and time", async () => {
    await sendAt(times);
    const [dec4, dec5am, dec5pm, dec6] = times as [string, string, string, string];
    expect((await list("DateSent=2026-12-05")).bodies).toEqual([dec5pm, dec5am]);
    // `DateSent<=…` and `DateSent>=…` reach the server as the parameters `DateSent<` and `DateSent>`
    expect((await list("DateSent<=2026-12-05")).bodies).toEqual([dec5pm, dec5am, dec4]);
    expect((await list("DateSent>=2026-12-05")).bodies).toEqual([dec6, dec5pm, dec5am]);
    expect((await list("DateSent>=2026-12-05T16:43:52Z")).bodies).toEqual([dec6, dec5pm]);
    expect((await list("DateSent<=2026-12-05T10:00:00Z")).bodies).toEqual([dec5am, dec4]);
    expect((await list("DateSent<=2000-01-01")).bodies).toEqual([]);
    expect((await list("DateSent>=2026-12-05T10:00:00Z&DateSent<=2026-12-05T23:00:00Z")).bodies).toEqual([
      dec5pm,
      dec5am,
    ]);
    // the other formats Twilio's description gives, read as GMT unless they name a zone
    expect((await list(`DateSent>=${encodeURIComponent("2026-12-05 16:43:52.000")}`)).bodies).toEqual([
      dec6,
      dec5pm,
    ]);
    expect((await list(`DateSent>=${encodeURIComponent("Sat, 05 Dec 2026 16:43:52 -0000")}`)).bodies).toEqual(
      [dec6, dec5pm],
    );
    expect((await list(`DateSent>=${encodeURIComponent("12/05/2026 09:43:52 MST")}`)).bodies).toEqual([
      dec6,
      dec5pm,
    ]);
    // what the official SDK sends for dateSentAfter / dateSentBefore
    const sdkListed = await sdk.messages.list({
      dateSentAfter: new Date(at(dec5am)),
      dateSentBefore: new Date(at(dec5pm) - 1000),
    });
    expect(sdkListed.map((m) => m.body)).toEqual([dec5am]);
  });

  it("refuses a DateSent it cannot read instead of ignoring it", async () => {
    await sendAt(times);
    const refused = await list("DateSent>=yesterday");
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ status: 400, message: expect.stringContaining("DateSent>") });
  });

  it("pages with the PageToken of each next_page_uri, so messages created meanwhile shift nothing", async () => {
    const sids = await sendAt(times);
    const first = await sdk.messages.page({ pageSize: 2 });
    expect(first.instances.map((m) => m.body)).toEqual([times[3], times[2]]);
    // a new message arrives between two pages: offset paging would show times[2] again
    clock = at("2026-12-07T00:00:00Z");
    await sdk.messages.create({ to: "+14155550199", from: "+15005550006", body: "later" });
    const second = await first.nextPage();
    expect(second?.instances.map((m) => m.body)).toEqual([times[1], times[0]]);
    const pages = listed.requests({ method: "GET" }).map((r) => r.query);
    expect(pages[1]).toMatchObject({
      PageSize: "2",
      Page: "1",
      PageToken: `PA${sids.get(times[2] as string)}`,
    });
    expect((await second?.nextPage()) ?? undefined).toBeUndefined();
    expect((await list("PageToken=PAnot-a-message")).status).toBe(400);
  });

  it("refuses another token for an account once one is in use, without `accounts` configured", async () => {
    await sdk.messages.create({ to: "+14155550100", from: "+15005550006", body: "first" });
    const stranger = twilio(SID, "someone-elses-token", { httpClient: emulatorHttpClient(listed.url) });
    const failure = await restError(
      stranger.messages.create({ to: "+14155550100", from: "+15005550006", body: "forged" }),
    );
    expect(failure).toMatchObject({ status: 401, code: 20003 });
    expect((await restError(stranger.messages.list())).status).toBe(401);
    // an API key is held to its first secret the same way
    const key = twilio("SK0123", "key-secret", {
      accountSid: SID,
      httpClient: emulatorHttpClient(listed.url),
    });
    await key.messages.list();
    const wrongKey = twilio("SK0123", "guess", {
      accountSid: SID,
      httpClient: emulatorHttpClient(listed.url),
    });
    expect((await restError(wrongKey.messages.list())).status).toBe(401);
  });
});
