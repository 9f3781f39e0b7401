import { describe, expect, it } from "vitest";
import { runEmulatedDelivery } from "../../examples/emulated-delivery.js";

describe("examples/emulated-delivery", () => {
  it("shows every request a first reminder makes, with no account", async () => {
    const requests = await runEmulatedDelivery();
    expect(
      requests.mailerlite.map((r) => `${r.method} ${r.path.replace(/\d{6,}/g, "{id}")} ${r.status}`),
    ).toEqual([
      "POST /api/subscribers 201",
      "GET /api/groups 200",
      "POST /api/groups 201",
      "POST /api/subscribers/{id}/groups/{id} 200",
    ]);
    expect(requests.twilio).toHaveLength(1);
    expect(requests.twilio[0]).toMatchObject({
      status: 201,
      body: { To: "+14155550100", From: "+15005550006" },
    });
  });
});
