import { describe, expect, it } from "vitest";
import { runEmulatedDelivery } from "../../examples/emulated-delivery.js";

describe("examples/emulated-delivery", () => {
  it("shows every request a first reminder makes, with no account", async () => {
    const requests = await runEmulatedDelivery();
    const calls = requests.mailerlite.map((r) => `${r.method} ${r.path.replace(/\d{6,}/g, "{id}")}`);
    expect(calls[0]).toBe("POST /api/subscribers");
    expect(calls.at(-1)).toBe("POST /api/subscribers/{id}/groups/{id}");
    expect(requests.mailerlite.every((r) => r.status < 400)).toBe(true);
    expect(requests.mailerlite[0]?.body).toMatchObject({ email: "ada@example.com", fields: { name: "Ada" } });
    expect(requests.twilio).toHaveLength(1);
    expect(requests.twilio[0]).toMatchObject({
      status: 201,
      body: { To: "+14155550100", From: "+15005550006" },
    });
  });
});
