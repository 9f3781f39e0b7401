import { describe, expect, it } from "vitest";
import { loadDestinations } from "../../src/destinations/load.js";

describe("loadDestinations", () => {
  it("builds the configured destinations, the new MailerLite API unless classic is chosen", async () => {
    const destinations = await loadDestinations({
      mailerlite: { apiKey: "k", pacing: false },
      twilio: { accountSid: "AC1", authToken: "t", from: "+15005550006" },
      sendgrid: { apiKey: "SG.k", from: "shop@example.com" },
      rudderstack: { writeKey: "w", dataPlaneUrl: "http://127.0.0.1:9" },
      webhook: { targets: {} },
    });
    expect(destinations.map((d) => d.name)).toEqual([
      "mailerlite",
      "twilio",
      "sendgrid",
      "rudderstack",
      "webhook",
    ]);
    const classic = await loadDestinations({ mailerlite: { api: "classic", apiKey: "k" } });
    expect(classic[0]?.handles).toContain("mailerlite.upsertSubscriber");
  });

  it("says which key or option is wrong", async () => {
    await expect(loadDestinations({ mailerlight: {} } as never)).rejects.toThrow(
      'Unknown destination "mailerlight"; known: mailerlite, twilio, sendgrid, rudderstack, webhook',
    );
    await expect(loadDestinations({ mailerlite: { api: "v1" } } as never)).rejects.toThrow(
      "`mailerlite.api`",
    );
    await expect(loadDestinations({ twilio: { from: "+15005550006" } })).rejects.toThrow(
      "Missing required option `accountSid` for twilioDestination",
    );
  });
});
