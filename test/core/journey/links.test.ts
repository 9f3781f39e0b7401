import { describe, expect, it } from "vitest";
import {
  checkoutLinkUrl,
  createCheckoutToken,
  verifyCheckoutToken,
} from "../../../src/core/journey/index.js";

const token = {
  journey: "playbook",
  profileId: "p-1",
  cartId: "cärt/1",
  step: "2:sms:sms",
  expiresAt: 1_800_000_000_000,
};

describe("checkout links", () => {
  it("round-trips a signed token that names profile, cart and step", () => {
    const t = createCheckoutToken(token, "secret");
    expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(verifyCheckoutToken(t, "secret", token.expiresAt - 1)).toEqual({ success: true, data: token });
    expect(checkoutLinkUrl("https://shop.example.com/cart/", t)).toBe(`https://shop.example.com/cart/r/${t}`);
  });

  it("rejects expired, altered and foreign tokens with a reason", () => {
    const t = createCheckoutToken(token, "secret");
    const expired = verifyCheckoutToken(t, "secret", token.expiresAt);
    expect(expired.success).toBe(false);
    if (!expired.success) expect(expired.error[0]?.message).toContain("expired");
    const [body, sig] = t.split(".");
    const altered = createCheckoutToken({ ...token, cartId: "other" }, "secret").split(".")[0];
    for (const bad of [`${altered}.${sig}`, `${body}.${sig?.slice(1)}A`, "nonsense", `${body}.${sig}.x`]) {
      expect(verifyCheckoutToken(bad, "secret", 0).success).toBe(false);
    }
    const foreign = verifyCheckoutToken(t, "other-secret", 0);
    expect(foreign.success).toBe(false);
    if (!foreign.success) expect(foreign.error[0]?.message).toContain("signature");
  });
});
