import { createHash, createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeBase64Url,
  decodeUtf8,
  encodeBase64Url,
  encodeUtf8,
  hashToUnit,
  hmacSha256,
  sha256Bytes,
} from "../../../src/core/journey/hash.js";

// the core cannot use Node's crypto, but the tests can: the hand-written parts must agree with it
describe("sandbox-safe hashing", () => {
  it("encodes UTF-8 exactly like Node", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (s) => {
        expect(Array.from(encodeUtf8(s))).toEqual(Array.from(Buffer.from(s, "utf8")));
        expect(decodeUtf8(encodeUtf8(s))).toBe(s);
      }),
    );
  });

  it("encodes and decodes base64url exactly like Node", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = encodeBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64url"));
        expect(Array.from(decodeBase64Url(text) ?? [])).toEqual(Array.from(bytes));
      }),
    );
    expect(decodeBase64Url("a+b/")).toBeNull();
  });

  it("computes SHA-256 and HMAC-SHA256 like Node", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: "grapheme" }), (key, message) => {
        expect(Buffer.from(sha256Bytes(message)).toString("hex")).toBe(
          createHash("sha256").update(message, "utf8").digest("hex"),
        );
        expect(Buffer.from(hmacSha256(key, message)).toString("hex")).toBe(
          createHmac("sha256", key).update(message, "utf8").digest("hex"),
        );
      }),
    );
  });

  it("maps hashes to [0, 1) evenly enough for A/B splits", () => {
    const buckets = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      const u = hashToUnit(`exp:cart-${i}`);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      buckets[Math.floor(u * 4)]! += 1;
    }
    for (const b of buckets) expect(b).toBeGreaterThan(850);
  });
});
