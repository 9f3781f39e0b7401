import { connect } from "node:net";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { createLogger, redactText } from "../../src/server/logger.js";
import { startCartback } from "../../src/server/start.js";

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

  it("masks phone numbers written without a plus, in any field", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        note: "call 4155550188",
        ref: "020 7946 0958",
        raw: "00441234567890",
        deep: { list: ["4155550188"] },
      },
      "callback to 4155550188 or 020 7946 0958 or 00441234567890",
    );
    const text = JSON.stringify(lines);
    for (const secret of ["4155550188", "7946 0958", "1234567890"]) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      msg: "callback to [redacted] or [redacted] or [redacted]",
      note: "call [redacted]",
      deep: { list: ["[redacted]"] },
    });
  });

  it("keeps epoch times, dates, provider ids and short numbers readable", () => {
    for (const text of [
      "woke at 1795450273 (1795450273336 ms)",
      "at 2026-12-05 10:00:00 and 2026-12-05T10:00:00.000Z",
      "sid SM0123456789abcdef0123456789abcdef, key recovery:cart-1:2:sms:sms",
      "order 1001 for 19.99 after 30000 ms on 127.0.0.1:3000",
    ]) {
      expect(redactText(text)).toBe(text);
    }
  });
});

describe("serve's log when a client goes away", () => {
  it("logs a client that aborts its upload at info, not as an error", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const config = resolveConfig(
      {
        writeKey: "k",
        emulators: true,
        store: { kind: "memory" },
        server: { port: 0, host: "127.0.0.1", maxBodyBytes: 1024 * 1024 },
        links: { secret: "a-link-secret-of-32-characters!!", fallbackUrl: "https://shop.example.com/cart" },
        logLevel: "info",
      },
      {},
    );
    const running = await startCartback({
      config,
      loops: false,
      logger: createLogger({ level: "info", destination: stream }),
    });
    try {
      const { port } = new URL(running.url);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), "127.0.0.1", () => {
          socket.write(
            // authenticated, so the server starts reading the body the client then abandons
            `POST /v1/batch HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic ${Buffer.from("k:").toString("base64")}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"batch":[`,
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
        socket.on("error", reject);
      });
      const deadline = Date.now() + 10_000;
      while (!lines.some((l) => String(l.msg).includes("went away")) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const aborted = lines.filter((l) => String(l.msg).includes("went away"));
      expect(aborted).toHaveLength(1);
      expect(aborted[0]?.level).toBe(30);
      expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
    } finally {
      await running.stop();
    }
  });
});
