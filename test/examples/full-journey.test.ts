import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { type ExampleRun, runExample } from "./run-example.js";

describe("examples/full-journey", () => {
  let emulators: RunningEmulators;
  let run: ExampleRun;
  beforeAll(async () => {
    emulators = await startEmulators({ mailerlite: true, twilio: true });
    run = await runExample("full-journey", {
      MAILERLITE_BASE_URL: emulators.urls.mailerlite!,
      TWILIO_BASE_URL: emulators.urls.twilio!,
    });
  }, 60_000);
  afterAll(() => emulators.stop());

  it("says it runs on the emulators and ends with the recovery summary", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.lines[0]).toBe(
      `Mode: local emulators — MailerLite emulator at ${emulators.urls.mailerlite}; Twilio emulator at ${emulators.urls.twilio}`,
    );
    expect(run.stdout).toMatch(/Priya +first-time-high +.* recovered/);
    expect(run.stdout).toMatch(/Leo +returning +5 email, 2 sms, 0 whatsapp +completed/);
    expect(run.stdout).toMatch(/Maya +first-time-low +5 email, 0 sms, 0 whatsapp +completed/);
    expect(run.stdout).toMatch(/carts recovered +1 of 4, USD 240/);
  });

  it("brings Priya back through the signed link in her SMS, and sends her nothing after the order", () => {
    const opened = run.lines.findIndex((l) =>
      /Priya +opens http:\/\/127\.0\.0\.1:\d+\/r\/<signed token> → 302 https:\/\/shop\.example\/checkout\/priya/.test(
        l,
      ),
    );
    const ordered = run.lines.findIndex((l) => /Priya +orders: USD 240/.test(l));
    expect(opened).toBeGreaterThan(0);
    expect(ordered).toBeGreaterThan(opened);
    const after = run.lines.slice(ordered + 1).filter((l) => /^ +day .* Priya /.test(l));
    expect(after).toEqual([expect.stringMatching(/exit +leaves cartback-stage-1, cartback-stage-2$/)]);

    const toPriya = emulators.twilio!.messages().filter((m) => m.to.endsWith("+14155550103"));
    // one WhatsApp nudge and one SMS, then the order
    expect(toPriya.map((m) => m.to).sort()).toEqual(["+14155550103", "whatsapp:+14155550103"]);
    const priya = emulators.mailerlite!.subscriber("priya@example.com");
    expect(priya?.groups).toEqual([]);
  });

  it("delivered what the timeline shows: SMS only with consent, emails through the stage groups", () => {
    const messages = emulators.twilio!.messages();
    // Maya never opted in to SMS or WhatsApp
    expect(messages.filter((m) => m.to.endsWith("+14155550101"))).toEqual([]);
    // Noah and Leo: stage 2 and stage 3 SMS (the cap is 2)
    expect(messages.filter((m) => m.to === "+14155550102")).toHaveLength(2);
    expect(messages.filter((m) => m.to === "+14155550104")).toHaveLength(2);
    for (const m of messages.filter((x) => !x.to.startsWith("whatsapp:")))
      expect(m.body).toMatch(/\/r\/[\w-]+\.[\w-]+$/);
    const groupAdds = emulators.mailerlite!.requests({ method: "POST", path: "/api/subscribers/*" });
    expect(groupAdds.filter((r) => r.path.includes("/groups/"))).toHaveLength(17);
    // every journey ended and left its groups
    for (const s of emulators.mailerlite!.subscribers()) expect(s.groups).toEqual([]);
  });
});
