import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable, Writable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { generateLines } from "../../bench/generate-stream.js";
import { main } from "../../src/cli/main.js";
import { whenDrained } from "../../src/cli/ndjson.js";
import { verifyCheckoutToken } from "../../src/core/journey/index.js";
import { add, identify, order } from "../core/journey/scenarios.js";
import { ROOT, runBin, runCli } from "./run-cli.js";

const sample = resolve(ROOT, "examples/events/sample.ndjson");
const ndjson = (...messages: unknown[]) => `${messages.map((m) => JSON.stringify(m)).join("\n")}\n`;
const ana = { id: "ana", phone: "+14155550111", sms: true };
const ben = { id: "ben", phone: "+14155550112", sms: true };
const records = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l));

describe("cartback simulate", () => {
  it("prints one JSON object per command in time order, with the documented fields", async () => {
    const { code, stdout, stderr } = await runCli(["simulate", sample]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const records = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records.length).toBeGreaterThan(20);
    for (const r of records) {
      expect(Object.keys(r)).toEqual([
        "at",
        "type",
        "kind",
        "channel",
        "profileId",
        "cartId",
        "journey",
        "stage",
        "step",
        "segment",
        "variant",
        "discountPercent",
        "key",
        "after",
        "command",
      ]);
      expect(r.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r.command.key).toBe(r.key);
    }
    const times = records.map((r) => r.at);
    expect(times).toEqual([...times].sort());
    // one message per message received; the MailerLite field upsert before it is support
    const email = records.filter((r) => r.channel === "email" && r.stage === 1);
    expect(email.map((r) => [r.kind, r.type])).toContainEqual(["message", "mailerlite.addToGroup"]);
    // the group add that sends the email follows the upsert of the fields it shows
    const add = email.find((r) => r.type === "mailerlite.addToGroup");
    expect(add.after).toBe(`${add.key}:fields`);
    expect(records.findIndex((r) => r.key === add.after)).toBeLessThan(records.indexOf(add));
    expect(email.map((r) => [r.kind, r.type])).toContainEqual(["support", "mailerlite.upsertSubscriber"]);
  });

  it("is byte-identical for the same input, also through the real binary", async () => {
    const first = await runCli(["simulate", sample]);
    const second = await runBin(["simulate", sample]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });

  it("reports invalid lines with their number on stderr, skips them and exits 1", async () => {
    const input = `${ndjson(identify(ana), add(ana, 0, 30))}{"type":"track", broken\n{"type":"track","event":"Product Added","userId":"ana","timestamp":"2026-03-02T10:01:00Z","properties":{"product_id":"p","price":"abc"}}\n`;
    const { code, stdout, stderr } = await runCli(["simulate", "-"], input);
    expect(code).toBe(1);
    expect(stderr).toContain("line 3: skipped: not valid JSON");
    expect(stderr).toContain("line 4: skipped: properties.price:");
    expect(stdout).toContain('"type":"mailerlite.addToGroup"');
  });

  it("stops at --until and never shows a message after an order", async () => {
    const input = ndjson(identify(ana), add(ana, 0, 30), order(ana, 200, 30));
    const all = await runCli(["simulate", "-"], input);
    const records = all.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const orderAt = Date.parse("2026-03-02T13:20:00.000Z");
    expect(records.filter((r) => r.kind === "message").every((r) => Date.parse(r.at) < orderAt)).toBe(true);
    expect(records.at(-1)).toMatchObject({ type: "rudderstack.track", command: { event: "Cart Recovered" } });
    const early = await runCli(["simulate", "--until", "2026-03-02T11:00:00Z", "-"], input);
    expect(early.stdout).toBe("");
    const relative = await runCli(
      ["simulate", "--until", "+1h", "-"],
      ndjson(identify(ana), add(ana, 0, 30)),
    );
    expect(relative.stdout).toBe("");
  });

  it("replays an input in any order as the same input sorted by time", async () => {
    const messages = [
      identify(ana),
      add(ana, 0, 30),
      identify(ben, 5),
      add(ben, 10, 80),
      order(ben, 300, 80),
    ];
    const sorted = await runCli(["simulate", "-"], ndjson(...messages));
    expect(records(sorted.stdout).length).toBeGreaterThan(5);
    // reversed: several hours out of order; a small input is held whole and sorted
    const reversed = await runCli(["simulate", "-"], ndjson(...[...messages].reverse()));
    expect(reversed).toEqual(sorted);
    const held = await runCli(
      ["simulate", "--reorder-window", "all", "-"],
      ndjson(...[...messages].reverse()),
    );
    expect(held).toEqual(sorted);
  });

  it("with a reorder window, skips a line further out of order than it and says so", async () => {
    // ben's session arrives first, then ana's, which started ten minutes before ben's cart; ben's
    // order five hours later lets the replay go past it
    const input = ndjson(
      identify(ben, 5),
      add(ben, 10, 80),
      order(ben, 300, 80),
      identify(ana),
      add(ana, 0, 30),
    );
    const { code, stdout, stderr } = await runCli(["simulate", "--reorder-window", "1h", "-"], input);
    expect(code).toBe(1);
    expect(stderr).toContain(
      "line 4: skipped: its time 2026-03-02T10:00:00.000Z is 10m before events already replayed (2026-03-02T10:10:00.000Z)",
    );
    expect(stderr).toContain("line 5: skipped:");
    expect(stderr).toContain("--reorder-window");
    // the lines that could be placed are replayed as before: ben's cart, never ana's
    expect(stdout).toContain('"cartId":"cart-ben"');
    expect(stdout).not.toContain('"cartId":"cart-ana"');
    const wide = await runCli(["simulate", "--reorder-window", "6h", "-"], input);
    expect(wide.code).toBe(0);
    expect(wide.stdout).toBe((await runCli(["simulate", "-"], input)).stdout);
    const bad = await runCli(["simulate", "--reorder-window", "soon", "-"], input);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--reorder-window must be auto, all or a duration such as 15m or 1d, got "soon"',
    );
  });

  it("reads a large file in a worker thread with the same result, invalid lines included", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cartback-simulate-"));
    try {
      const lines = generateLines({ carts: 3_000 });
      lines.splice(1000, 0, '{"type":"track", broken');
      const path = join(dir, "stream.ndjson");
      writeFileSync(path, `${lines.join("\n")}\n`);
      expect(lines.join("\n").length).toBeGreaterThan(4 << 20);
      // the compiled binary reads a file this size in a worker; in-process, the source reads it itself
      const worker = await runBin(["simulate", path]);
      const inline = await runCli(["simulate", path]);
      expect(worker.code).toBe(1);
      expect(worker.stderr).toMatch(/^line 1001: skipped: not valid JSON/);
      expect(worker.stderr).toBe(inline.stderr);
      expect(records(worker.stdout).length).toBeGreaterThan(3_000);
      expect(worker.stdout).toBe(inline.stdout);
      // the generated stream runs up to ten minutes out of order: streaming it through the window
      // gives what holding and sorting all of it gives
      const times = lines.slice(1001).map((l) => Date.parse(JSON.parse(l).timestamp));
      expect(times.some((t, i) => i > 0 && t < (times[i - 1] as number))).toBe(true);
      const held = await runCli(["simulate", "--reorder-window", "all", path]);
      expect(held.stdout).toBe(inline.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("signs checkout links with --link-base and the key from CARTBACK_LINK_SECRET", async () => {
    const input = ndjson(identify(ana), add(ana, 0, 30));
    const missing = await runCli(["simulate", "--link-base", "https://shop.example.com/c", "-"], input);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("CARTBACK_LINK_SECRET");
    process.env.CARTBACK_LINK_SECRET = "short";
    const short = await runCli(["simulate", "--link-base", "https://shop.example.com/c", "-"], input);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("CARTBACK_LINK_SECRET must be at least 16 characters");
    expect(short.stderr).not.toContain('"short"');
    process.env.CARTBACK_LINK_SECRET = "test-secret-of-24-chars!";
    try {
      const { stdout } = await runCli(["simulate", "--link-base", "https://shop.example.com/c", "-"], input);
      const upsert = stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
        .find((r) => r.type === "mailerlite.upsertSubscriber");
      const token = String(upsert.command.fields.cart_url).replace("https://shop.example.com/c/r/", "");
      expect(verifyCheckoutToken(token, "test-secret-of-24-chars!", Date.parse(upsert.at))).toMatchObject({
        success: true,
        data: { cartId: "cart-ana", step: "1:email:email" },
      });
    } finally {
      delete process.env.CARTBACK_LINK_SECRET;
    }
  });

  it("prints a table for people", async () => {
    const { code, stdout } = await runCli(
      [
        "simulate",
        "--format",
        "table",
        "--journey",
        "classic",
        "--shop-url",
        "https://shop.example.com/cart",
        "-",
      ],
      ndjson(identify(ana), add(ana, 0, 30)),
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/2026-03-03 11:30 {2}p:\S+ +cart-ana +email +1\/email/);
    expect(stdout).toContain("5 messages (3 email, 2 sms)");
  });

  it("does not send a text that would have no way back to the cart, and says so", async () => {
    // these events carry no checkout URL: without --shop-url (or signed links) the texts have no link
    const { code, stdout } = await runCli(
      ["simulate", "--format", "table", "--journey", "classic", "-"],
      ndjson(identify(ana), add(ana, 0, 30)),
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/sms +1\/sms .+not sent: no_link/);
    expect(stdout).toContain("3 messages (3 email)");
    expect(stdout).toContain("not sent: 2 no_link");
    const bad = await runCli(["simulate", "--shop-url", "shop.example.com", "-"], ndjson(identify(ana)));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--shop-url");
  });

  it("shows the messages pacing held and the ones it did not send, with their reasons", async () => {
    // abandoned at 21:00 London; the preset has no WhatsApp templates configured, so its WhatsApp
    // messages are not sent for that reason first (with templates, the stage-1 one is stale: it would
    // only go after stage 2 is due)
    const eve = { id: "eve", phone: "+447911123456", sms: true, whatsapp: true, timezone: "Europe/London" };
    const input = ndjson(
      identify(eve, 11 * 60 - 20),
      add(eve, 11 * 60 - 20, 250),
      add(eve, 11 * 60 - 15, 60, "USD", "Scarf"),
    );
    const shop = ["--shop-url", "https://shop.example.com/cart"];
    const table = await runCli(["simulate", "--format", "table", ...shop, "-"], input);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/2026-03-02 21:00 .+whatsapp +1\/whatsapp .+not sent: no_template/);
    expect(table.stdout).toMatch(
      /2026-03-03 09:00 .+sms +2\/sms .+\[held from 01:00: after_email, quiet_hours\]/,
    );
    // the preset has no WhatsApp templates configured: the urgency stage's one text is its SMS
    expect(table.stdout).toMatch(/sms +3\/sms .+\[held from 09:00: spacing, after_email\]/);
    expect(table.stdout).toMatch(/whatsapp +3\/whatsapp .+not sent: no_template/);
    expect(table.stdout).toContain("not sent: 2 no_template");
    // the same in NDJSON with --explain; without it, the output is only the commands
    const explained = records((await runCli(["simulate", "--explain", ...shop, "-"], input)).stdout);
    expect(
      explained
        .filter((r) => r.kind === "skipped" && r.channel === "whatsapp")
        .map((r) => [r.step, r.reason]),
    ).toEqual([
      ["whatsapp", "no_template"],
      ["whatsapp", "no_template"],
    ]);
    const sms = explained.find((r) => r.type === "twilio.sendSms");
    expect(sms.held).toEqual({ due: "2026-03-03T01:00:00.000Z", by: ["after_email", "quiet_hours"] });
    const plain = records((await runCli(["simulate", ...shop, "-"], input)).stdout);
    expect(plain.some((r) => r.kind === "skipped" || "held" in r)).toBe(false);
  });

  it("accepts a journey file and explains what is wrong with a bad one", async () => {
    const dir = tmpdir();
    const good = join(dir, `cartback-journey-${process.pid}.json`);
    writeFileSync(
      good,
      JSON.stringify({
        id: "one",
        stages: [{ stage: 1, name: "n", after: "0m", steps: [{ id: "e", channel: "email", group: "g" }] }],
      }),
    );
    const ok = await runCli(["simulate", "--journey", good, "-"], ndjson(identify(ana), add(ana, 0, 30)));
    expect(ok.stdout).toContain('"key":"one:cart-ana:1:e:email"');
    const bad = join(dir, `cartback-bad-journey-${process.pid}.json`);
    writeFileSync(
      bad,
      JSON.stringify({ id: "one", stages: [{ stage: 1, name: "n", after: "soon", steps: [] }] }),
    );
    const failed = await runCli(["simulate", "--journey", bad, "-"], "");
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('stages[0].after: must look like "15m", "4h" or "7d"');
    const unknown = await runCli(["simulate", "--journey", "weekly", "-"], "");
    expect(unknown.stderr).toContain("--journey must be playbook, classic, coordinated or a .json file");
  });
});

/** runs `test` on a generated stream of `carts` carts, written to a temporary file */
async function withStream(carts: number, test: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "cartback-stream-"));
  try {
    const path = join(dir, "stream.ndjson");
    writeFileSync(path, `${generateLines({ carts }).join("\n")}\n`);
    await test(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** a stdout that takes `delayMs` per write, like a pipe into a slow reader, and records its backlog */
function slowStdout(delayMs: number) {
  const chunks: string[] = [];
  let most = 0;
  const output = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, done) {
      chunks.push(chunk);
      setTimeout(done, delayMs);
    },
  });
  const io = {
    stdout: (text: string) => {
      output.write(text);
      most = Math.max(most, output.writableLength);
    },
    stderr: () => {},
    stdin: Readable.from([]),
    stdoutReady: () => whenDrained(output),
  };
  /** everything written, once the reader has taken it */
  const text = () => new Promise<string>((done) => output.end(() => done(chunks.join(""))));
  return { io, text, most: () => most };
}

describe("cartback simulate into a slow reader", () => {
  it("waits for the reader instead of holding the output, reading in the thread and in a worker", async () => {
    await withStream(3_000, async (path) => {
      const expected = (await runCli(["simulate", path])).stdout;
      expect(expected.length).toBeGreaterThan(20 << 20);
      // the source reads in its own thread; the compiled package reads a file this size in a worker
      const compiled = (await import(resolve(ROOT, "dist/cli/main.js"))) as { main: typeof main };
      for (const run of [main, compiled.main]) {
        const slow = slowStdout(2);
        expect(await run(["simulate", path], slow.io)).toBe(0);
        expect(await slow.text()).toBe(expected);
        // without waiting, the backlog grows to most of the output: the replay outruns this reader
        expect(slow.most()).toBeLessThan(8 << 20);
      }
    });
  });
});

describe("reading in a worker", () => {
  it("holds the reader back while the consumer waits for its output", async () => {
    await withStream(3_000, async (path) => {
      const { readEventsInWorker } = (await import(resolve(ROOT, "dist/cli/event-reader.js"))) as {
        readEventsInWorker: typeof import("../../src/cli/event-reader.js").readEventsInWorker;
      };
      let batches = 0;
      let release = () => {};
      const held = new Promise<void>((done) => {
        release = done;
      });
      const reading = readEventsInWorker(
        path,
        { normalize: {}, window: 3_600_000, probe: 10_000 },
        {
          events: () => {
            batches++;
            return held;
          },
          skipped: () => {},
        },
      );
      // the reader may be a few batches ahead (four), not more, however long the consumer waits:
      // once it has posted four, it posts nothing more while they are held
      await vi.waitFor(() => expect(batches).toBe(4), { timeout: 10_000 });
      await new Promise((done) => setTimeout(done, 1_000));
      expect(batches).toBe(4);
      release();
      // then the rest: the whole file is more than ten batches
      await reading;
      expect(batches).toBeGreaterThan(10);
    });
  });
});

describe("cartback simulate piped into a reader that stops early", () => {
  it("stops quietly when the pipe closes", async () => {
    const { spawn } = await import("node:child_process");
    // enough output (about 2 MB) that writes are still to come when the reader leaves
    await withStream(500, async (path) => {
      const child = spawn(process.execPath, [resolve(ROOT, "bin/cartback.js"), "simulate", path]);
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      // like `| head -c 100`: read one chunk, then close the pipe
      await new Promise<void>((done) => child.stdout.once("data", () => done()));
      child.stdout.destroy();
      const code = await new Promise<number | null>((done) => child.on("exit", done));
      expect(stderr).toBe("");
      expect(code).toBe(0);
    });
  });
});
