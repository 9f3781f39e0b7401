import { describe, expect, it } from "vitest";
import { isInSendWindow, nextSendWindowOpen } from "../../../src/core/journey/index.js";

const sms = { start: "09:00", end: "21:00", policy: "hold" as const };
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("quiet hours in the recipient's timezone", () => {
  it("America/New_York: the window follows the March DST change", () => {
    // 2026-03-08 clocks go 02:00 → 03:00 (EST −5 → EDT −4)
    expect(isInSendWindow(at("2026-03-07T13:59:00Z"), sms, "America/New_York")).toBe(false); // 08:59 EST
    expect(isInSendWindow(at("2026-03-07T14:00:00Z"), sms, "America/New_York")).toBe(true); // 09:00 EST
    expect(isInSendWindow(at("2026-03-09T13:00:00Z"), sms, "America/New_York")).toBe(true); // 09:00 EDT
    expect(iso(nextSendWindowOpen(at("2026-03-08T05:00:00Z"), sms, "America/New_York"))).toBe(
      "2026-03-08T13:00:00.000Z",
    );
    expect(iso(nextSendWindowOpen(at("2026-03-08T02:30:00Z"), sms, "America/New_York"))).toBe(
      "2026-03-08T13:00:00.000Z",
    );
  });

  it("America/New_York: and the November one", () => {
    // 2026-11-01 clocks go 02:00 → 01:00 (EDT → EST)
    expect(iso(nextSendWindowOpen(at("2026-11-01T04:00:00Z"), sms, "America/New_York"))).toBe(
      "2026-11-01T14:00:00.000Z",
    );
    expect(isInSendWindow(at("2026-11-02T01:30:00Z"), sms, "America/New_York")).toBe(true); // 20:30 EST
    expect(isInSendWindow(at("2026-11-02T02:00:00Z"), sms, "America/New_York")).toBe(false); // 21:00 EST
  });

  it("Europe/London across the March change", () => {
    // 2026-03-29 01:00 GMT → 02:00 BST
    expect(iso(nextSendWindowOpen(at("2026-03-28T22:00:00Z"), sms, "Europe/London"))).toBe(
      "2026-03-29T08:00:00.000Z",
    );
    expect(iso(nextSendWindowOpen(at("2026-03-27T22:00:00Z"), sms, "Europe/London"))).toBe(
      "2026-03-28T09:00:00.000Z",
    );
  });

  it("Asia/Kolkata, a half-hour offset without DST", () => {
    expect(isInSendWindow(at("2026-06-01T03:29:00Z"), sms, "Asia/Kolkata")).toBe(false); // 08:59 IST
    expect(isInSendWindow(at("2026-06-01T03:30:00Z"), sms, "Asia/Kolkata")).toBe(true); // 09:00 IST
    expect(iso(nextSendWindowOpen(at("2026-06-01T16:00:00Z"), sms, "Asia/Kolkata"))).toBe(
      "2026-06-02T03:30:00.000Z",
    );
  });

  it("windows that cross midnight", () => {
    const night = { start: "20:00", end: "02:00", policy: "hold" as const };
    expect(isInSendWindow(at("2026-06-01T23:00:00Z"), night, "UTC")).toBe(true);
    expect(isInSendWindow(at("2026-06-02T01:59:00Z"), night, "UTC")).toBe(true);
    expect(isInSendWindow(at("2026-06-02T02:00:00Z"), night, "UTC")).toBe(false);
    expect(iso(nextSendWindowOpen(at("2026-06-02T03:00:00Z"), night, "UTC"))).toBe(
      "2026-06-02T20:00:00.000Z",
    );
  });
});
