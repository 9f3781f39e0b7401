/**
 * `cartback preview` of the sample events, opened in Debian's Chromium as a store owner would: the
 * emails show the cart's items, total, restore link and code as MailerLite would fill them, the
 * texts their encoding and segments, the messages not sent their reason; the page agrees with
 * `cartback simulate` message for message. Screenshots go to test/output/.
 */
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../helpers/browser.js";
import { ROOT, runCli } from "./run-cli.js";

const OUTPUT = join(import.meta.dirname, "../output");
const SAMPLE = join(ROOT, "examples/events/sample.ndjson");
const PRIYA = '[data-shopper="p:anon:anon-priya"]';

let browser: Browser;
let page: Page;
let file: string;
const errors: string[] = [];

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), "cartback-preview-")), "preview.html");
  const run = await runCli(["preview", SAMPLE, "--store-name", "Saree House", "--out", file]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^wrote .*preview\.html: 4 shoppers, \d+ messages\n$/);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(pathToFileURL(file).href);
  await page.waitForLoadState("load");
  mkdirSync(OUTPUT, { recursive: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

/** the email of Priya's timeline at `index`, inside its frame */
function priyaEmail(index: number) {
  return page.locator(`${PRIYA} .entry.email`).nth(index);
}

describe("cartback preview in a browser", () => {
  it("is one self-contained page: no request leaves it but the product images", () => {
    const html = readFileSync(file, "utf8");
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet/);
    const urls = [...html.matchAll(/(?:src|href)=(?:&quot;|")(https?:[^"&]+)/g)].map((m) => m[1] as string);
    for (const url of urls) expect(url).toMatch(/^https:\/\/(cdn\.)?shop\.example\//);
  });

  it("shows the stage 1 email with the cart's items, total and restore link, and no code", async () => {
    const email = priyaEmail(0);
    await expect.poll(() => email.locator(".subject").textContent()).toBe("You left something behind");
    const frame = email.frameLocator("iframe");
    const names = await frame.locator(".item-name").allTextContents();
    // the third slot is in the template but hidden: the cart has two lines
    expect(names.slice(0, 2)).toEqual(["Block-print kurta", "Silk dupatta"]);
    expect(await frame.locator(".item-name").nth(2).isVisible()).toBe(false);
    // biome-ignore lint/performance/useDomNodeTextContent: the text a reader sees, hidden parts left out
    const body = (await frame.locator("body").innerText()).replace(/\s+/g, " ");
    expect(body).toContain("Hi Priya,");
    expect(body).toContain("Qty 2");
    expect(body).toContain("₹1,250.00");
    expect(await frame.locator(".total").textContent()).toBe("₹4,399.00");
    expect(await frame.locator("a.cta").getAttribute("href")).toBe("https://shop.example/checkout/chk-9001");
    expect(await frame.locator("a.cta").textContent()).toBe("Return to your cart");
    expect(body).toContain("Saree House");
    expect(body).not.toMatch(/COMEBACK|\{\$/);
    // the kurta's image from its Product Added event; the dupatta has none and shows none
    expect(await frame.locator("img.thumb").nth(0).isVisible()).toBe(true);
    expect(await frame.locator("img.thumb").nth(1).isVisible()).toBe(false);
    await page.screenshot({
      path: join(OUTPUT, "preview.png"),
      clip: { x: 0, y: 0, width: 900, height: 1060 },
    });
  });

  it("shows the stage 2 code in its box and the stage 3 urgency email with its code", async () => {
    const stage2 = priyaEmail(1);
    expect(await stage2.locator(".subject").textContent()).toBe("Still thinking it over?");
    const box = stage2.frameLocator("iframe").locator(".discount");
    expect(await box.isVisible()).toBe(true);
    // biome-ignore lint/performance/useDomNodeTextContent: the text a reader sees, hidden parts left out
    expect((await box.innerText()).replace(/\s+/g, " ")).toBe(
      "A little something for your first order: 5% off with code COMEBACK5.",
    );
    const stage3 = priyaEmail(2);
    expect(await stage3.locator(".subject").textContent()).toBe("A code for your cart: COMEBACK10");
    expect(await stage3.getAttribute("data-group")).toBe("cartback-stage-3-no-open");
    const frame = stage3.frameLocator("iframe");
    // biome-ignore lint/performance/useDomNodeTextContent: the text a reader sees, hidden parts left out
    expect(await frame.locator(".discount").innerText()).toContain("COMEBACK10");
    expect(await frame.locator("h1").textContent()).toBe("10% off the things you picked");
    await stage2.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUTPUT, "preview-discount.png") });
  });

  it("shows each text with its encoding and segments, each WhatsApp template and each skip's reason", async () => {
    const sms = page.locator(`${PRIYA} .entry.sms`).first();
    expect(await sms.locator(".bubble").textContent()).toBe(
      "Priya, you left Block-print kurta, Silk dupatta x2 in your cart. 5% off with COMEBACK5. https://shop.example/checkout/chk-9001",
    );
    expect(await sms.locator(".head .sub").textContent()).toContain("GSM-7 · 1 segment · 126 characters");
    // the preset's WhatsApp steps have no approved template configured: shown as not sent, and why
    const whatsapp = page.locator(`${PRIYA} .entry.skipped`, { hasText: "no_template" }).first();
    expect(await whatsapp.textContent()).toContain("no approved WhatsApp template configured");
    const skipped = page
      .locator('[data-shopper="p:user:cust-2002"] .entry.skipped', { hasText: "below_channel_bar" })
      .first();
    expect(await skipped.textContent()).toContain("below_channel_bar: cart below the channel's value bar");
    const held = page.locator('[data-shopper="p:user:cust-2002"] .held').first();
    expect(await held.textContent()).toBe("held from 12:33 UTC: quiet_hours");
  });

  it("agrees with cartback simulate, message for message", async () => {
    const simulated = await runCli(["simulate", SAMPLE]);
    const messages = simulated.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { kind: string; channel: string; profileId: string })
      .filter((r) => r.kind === "message");
    const shown = await page.locator(".entry.email, .entry.sms, .entry.whatsapp").count();
    expect(shown).toBe(messages.length);
    for (const channel of ["email", "sms", "whatsapp"]) {
      expect(await page.locator(`.entry.${channel}`).count(), channel).toBe(
        messages.filter((m) => m.channel === channel).length,
      );
    }
    // the sample's product images are on a host this machine cannot reach: those loads fail, nothing else
    expect(errors.filter((e) => !/^Failed to load resource: net::ERR_/.test(e))).toEqual([]);
  });

  it("narrows to one shopper with --shopper, by email", async () => {
    const one = await runCli(["preview", SAMPLE, "--shopper", "PRIYA.SHARMA@example.in"]);
    expect(one.code).toBe(0);
    expect([...one.stdout.matchAll(/<section class="shopper"/g)]).toHaveLength(1);
    const none = await runCli(["preview", SAMPLE, "--shopper", "nobody@example.com"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no shopper "nobody@example.com" receives anything in this replay');
  });
});
