import { describe, expect, it, vi } from "vitest";
import {
  classifyHttpFailure,
  classifyUnknown,
  parseRetryAfter,
  readFieldErrors,
  timeoutError,
} from "../../src/destinations/errors.js";
import { createPacer } from "../../src/destinations/pacing.js";

const context = { destination: "mailerlite", authSetting: "apiKey", action: "upsert subscriber" };

describe("error classification", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.UTC(2026, 10, 23, 16, 0, 0);
    expect(parseRetryAfter("40", now)).toBe(40_000);
    expect(parseRetryAfter("1.5", now)).toBe(1500);
    expect(parseRetryAfter(["7"], now)).toBe(7000);
    expect(parseRetryAfter("Mon, 23 Nov 2026 16:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Mon, 23 Nov 2026 15:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("reads field errors in MailerLite's and SendGrid's shapes", () => {
    expect(readFieldErrors({ message: "x", errors: { email: ["The email must be valid."] } })).toEqual({
      email: ["The email must be valid."],
    });
    expect(
      readFieldErrors({
        errors: [{ field: "personalizations.0.to", message: "Invalid" }, { message: "Bad" }],
      }),
    ).toEqual({ "personalizations.0.to": ["Invalid"], "(root)": ["Bad"] });
    expect(readFieldErrors({ message: "no details" })).toBeUndefined();
  });

  it("classifies by status and names what to fix", () => {
    const cases: [number, string][] = [
      [429, "retryable"],
      [408, "retryable"],
      [500, "retryable"],
      [503, "retryable"],
      [401, "configuration"],
      [403, "configuration"],
      [400, "permanent"],
      [404, "permanent"],
      [422, "permanent"],
    ];
    for (const [status, kind] of cases) {
      const error = classifyHttpFailure({ status, body: { message: "nope" } }, context);
      expect([status, error.kind]).toEqual([status, kind]);
      expect(error.message).toContain(`mailerlite: upsert subscriber failed with HTTP ${status}: nope`);
    }
    expect(classifyHttpFailure({ status: 403 }, context).message).toMatch(/check the `apiKey` setting/);
  });

  it("retries connection failures and timeouts, not programming errors", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    expect(classifyUnknown(refused, context).kind).toBe("retryable");
    expect(classifyUnknown(new DOMException("timed out", "TimeoutError"), context).kind).toBe("retryable");
    expect(classifyUnknown(new TypeError("fetch failed", { cause: refused }), context).kind).toBe(
      "retryable",
    );
    expect(classifyUnknown(new TypeError("x is not a function"), context).kind).toBe("permanent");
  });

  it("says when a failed request may still have been carried out, and when it cannot have been", () => {
    const code = (name: string) => Object.assign(new Error(name), { code: name });
    const unknown = (error: unknown) => classifyUnknown(error, context).outcomeUnknown === true;
    // the connection was never made: nothing went out
    expect(unknown(code("ECONNREFUSED"))).toBe(false);
    expect(unknown(code("ENOTFOUND"))).toBe(false);
    expect(unknown(new TypeError("fetch failed", { cause: code("UND_ERR_CONNECT_TIMEOUT") }))).toBe(false);
    // the request may have been read and acted on before the answer was lost
    expect(unknown(code("ECONNRESET"))).toBe(true);
    expect(unknown(code("ECONNABORTED"))).toBe(true);
    expect(unknown(new DOMException("timed out", "TimeoutError"))).toBe(true);
    expect(unknown(new TypeError("fetch failed", { cause: code("UND_ERR_SOCKET") }))).toBe(true);
    expect(timeoutError("mailerlite", "add to group", 10_000).outcomeUnknown).toBe(true);
    // an answer, even an error, is a known outcome
    expect(classifyHttpFailure({ status: 503 }, context).outcomeUnknown).toBeUndefined();
  });
});

describe("createPacer", () => {
  it("rejects nonsense limits with a message saying what is wrong", () => {
    expect(() => createPacer({ limit: 0, intervalMs: 1000 })).toThrow(
      "Invalid pacing: limit and intervalMs must be positive numbers (got limit 0, intervalMs 1000)",
    );
  });

  it("holds calls past the limit until the window allows them", async () => {
    vi.useFakeTimers();
    try {
      const pace = createPacer({ limit: 2, intervalMs: 200 });
      const started: number[] = [];
      const calls = [1, 2, 3].map((n) => pace(async () => started.push(n)));
      await vi.advanceTimersByTimeAsync(0);
      expect(started).toEqual([1, 2]);
      await vi.advanceTimersByTimeAsync(199);
      expect(started).toEqual([1, 2]);
      await vi.advanceTimersByTimeAsync(1);
      expect(started).toEqual([1, 2, 3]);
      await Promise.all(calls);
    } finally {
      vi.useRealTimers();
    }
  });
});
