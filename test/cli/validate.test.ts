import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runBin, runCli } from "./run-cli.js";

const sample = resolve(ROOT, "examples/events/sample.ndjson");
const bad = resolve(ROOT, "examples/events/bad-lines.ndjson");

describe("cartback validate", () => {
  it("shows what every line of the shipped sample becomes", async () => {
    const { code, stdout } = await runCli(["validate", sample]);
    expect(code).toBe(0);
    expect(stdout).toContain("line 2: ok → item_added(sku-kurta ×1)");
    expect(stdout).toContain("consent_changed(sms granted)");
    expect(stdout).toContain('line 6: ignored: track "Product Reviewed" is not used by cartback');
    // line 10's "07700 900123" has no country code: kept, but no SMS can reach it
    expect(stdout).toContain('line 10: warning: phone "07700 900123" is not a valid number');
    expect(stdout).toMatch(
      /10 lines: 9 accepted \(\d+ cart events; 1 with warnings\), 0 rejected, 1 ignored/,
    );
  });

  it("warns about contact details it keeps but a journey cannot use", async () => {
    const line = JSON.stringify({
      type: "identify",
      messageId: "m1",
      userId: "u1",
      timestamp: "2026-03-02T10:00:00Z",
      context: { timezone: "Mars/Base", traits: { email: "ana@example.com", phone: "07700 900123" } },
    });
    const { code, stdout } = await runCli(["validate", "-"], line);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'line 1: warning: phone "07700 900123" is not a valid number (no country code: give one, or pass --region such as --region GB); kept, but SMS and WhatsApp cannot reach it',
    );
    expect(stdout).toContain('line 1: warning: timezone "Mars/Base" is not an IANA time zone');
    expect(stdout).toContain("1 accepted (1 cart events; 1 with warnings)");
    const json = (await runCli(["validate", "--format", "json", "--region", "GB", "-"], line)).stdout;
    expect(JSON.parse(json.split("\n")[0] as string).warnings[0]).toContain("is not a valid number for GB");
    const valid = line.replace("07700 900123", "+44 7911 123456").replace("Mars/Base", "Europe/London");
    expect((await runCli(["validate", "-"], valid)).stdout).not.toContain("warning");
  });

  it("reports each bad line with its number, path and reason, and goes on", async () => {
    const input = [
      '{"type":"page","messageId":"1","anonymousId":"a","timestamp":"2026-03-02T10:00:00Z"}',
      '{"type": "track", "event": cut off',
      "",
      '{"type":"track","event":"Product Added","anonymousId":"a","timestamp":"2026-03-02T10:00:00Z","properties":{"product_id":"p","price":"abc"}}',
      '{"type":"page","messageId":"2","anonymousId":"a","timestamp":"2026-03-02T10:01:00Z"}',
    ].join("\n");
    const { code, stdout } = await runCli(["validate", "-"], input);
    expect(code).toBe(1);
    expect(stdout).toContain("line 2: rejected: (root): not valid JSON");
    expect(stdout).toContain(
      'line 4: rejected: properties.price: expected a number or a numeric string like "19.99", got "abc" [invalid_value]',
    );
    expect(stdout).toContain("line 5: ok → activity");
    expect(stdout).toContain("4 lines: 2 accepted (2 cart events), 2 rejected, 0 ignored");
  });

  it("prints one JSON object per line and a summary with --format json", async () => {
    const { code, stdout } = await runCli(["validate", "--format", "json", bad]);
    expect(code).toBe(1);
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      line: 1,
      status: "rejected",
      issues: [{ code: "invalid_value", path: ["properties", "price"] }],
    });
    expect(lines[1]).toMatchObject({ line: 2, status: "rejected", issues: [{ code: "invalid_json" }] });
    expect(lines.at(-1)).toEqual({
      summary: { lines: 2, accepted: 0, rejected: 2, ignored: 0, events: 0, warnings: 0 },
    });
  });

  it("explains wrong usage", async () => {
    expect(await runCli(["validate"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("missing input"),
    });
    expect(await runCli(["validate", "nope.ndjson"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("no such file"),
    });
    expect(await runCli(["validate", "--format", "xml", sample])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--format"),
    });
    expect(await runCli(["frobnicate"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"'),
    });
  });
});

describe("the cartback binary", () => {
  it("prints help listing its commands", async () => {
    const { code, stdout } = await runBin(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: cartback <command>");
    expect(stdout).toContain("validate");
  });

  it("validates the sample from the README", async () => {
    const { code, stdout } = await runBin(["validate", "examples/events/sample.ndjson"]);
    expect(code).toBe(0);
    expect(stdout).toContain("0 rejected");
  });
});
