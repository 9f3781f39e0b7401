import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, redactText } from "../../src/server/logger.js";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger({ level: "debug", destination: stream }) };
}

describe("createLogger", () => {
  it("replaces contact fields at any depth", () => {
    const { lines, logger } = capture();
    logger.info(
      { email: "ada@example.com", profile: { phone: "+14155550100", id: "p1" }, to: ["+447700900123"] },
      "sent",
    );
    const line = JSON.stringify(lines[0]);
    expect(line).not.toContain("ada@example.com");
    expect(line).not.toContain("4155550100");
    expect(line).not.toContain("7700900123");
    expect(lines[0]).toMatchObject({ email: "[redacted]", profile: { phone: "[redacted]", id: "p1" } });
  });

  it("masks addresses and numbers inside messages, errors and other fields", () => {
    const { lines, logger } = capture();
    logger.warn({ detail: "twilio said 21610 for whatsapp:+14155550100" }, "could not reach ada@example.com");
    logger.error({ err: new Error("invalid 'To' +44 7700 900123 for bob@shop.co.uk") }, "delivery failed");
    const text = JSON.stringify(lines);
    for (const secret of ["ada@example.com", "bob@shop.co.uk", "+14155550100", "7700 900123"])
      expect(text).not.toContain(secret);
    expect(lines[0]?.msg).toBe("could not reach [redacted]");
    expect(lines[0]?.detail).toBe("twilio said 21610 for whatsapp:[redacted]");
  });

  it("keeps ids, timestamps and counts readable", () => {
    expect(redactText("profile p_123 woke at 1795450273336 after 3 attempts")).toBe(
      "profile p_123 woke at 1795450273336 after 3 attempts",
    );
    expect(redactText("call (415) 555-0100 now")).toBe("call [redacted] now");
  });
});
