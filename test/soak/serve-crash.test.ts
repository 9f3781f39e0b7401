/**
 * `cartback serve` itself, with its default leases, killed with SIGKILL again and again while batches
 * arrive and messages go out, with Twilio and MailerLite holding some sends past the client's timeout
 * and cutting others off after carrying them out. Counted at the emulators per idempotency key:
 * every shopper whose batch was answered 200 gets each message exactly once — no duplicate, nothing
 * lost — and nothing is left in the outbox.
 *
 * Run by `npm run test:soak` (and `.ci/run`); `SOAK_SHOPPERS` and `SOAK_KILLS` make it longer.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mailerliteClient } from "../../src/destinations/mailerlite.js";
import { setupMailerlite } from "../../src/destinations/mailerlite-setup.js";
import { type RunningEmulators, startEmulators } from "../../src/emulators/index.js";
import { sqliteStore } from "../../src/stores/sqlite.js";
import { shopperMessages, unsettledOutbox, waitFor } from "../runtime/processes.js";

const ROOT = resolve(import.meta.dirname, "../..");
const SID = `AC${"5".repeat(32)}`;
const TOKEN = "soak-twilio-token";
const ML_TOKEN = "soak-mailerlite-token";
const WRITE_KEY = "soak";
const GROUP = "soak-nudge";
const TEMPLATE = `HX${"7".repeat(32)}`;
const SHOPPERS = Number(process.env.SOAK_SHOPPERS ?? 300);
const KILLS = Number(process.env.SOAK_KILLS ?? 3);
const PER_BATCH = 10;
const BATCHES = Math.ceil(SHOPPERS / PER_BATCH);
/** the dispatcher's default lease (2 min) and lookup delay (30 s), plus room for a slow machine */
const LEASES_RETURN_MS = 120_000 + 30_000 + 90_000;

/** stage 1 of one stage: an email (a MailerLite group join), an SMS and a WhatsApp message at once */
const journey = {
  id: "soak",
  name: "Soak",
  currency: "USD",
  // this suite is about delivery under crashes, not pacing: both texts go with the email
  pacing: { textDelay: "0m", textGap: "0m", oneTextPerStage: false },
  stages: [
    {
      stage: 1,
      name: "nudge",
      after: "0m",
      steps: [
        { id: "email", channel: "email", group: GROUP },
        { id: "sms", channel: "sms", template: "{{firstName|Hi}}, your cart is waiting: {{items}}" },
        {
          id: "whatsapp",
          channel: "whatsapp",
          contentSid: TEMPLATE,
          variables: { "1": "{{firstName|there}}" },
        },
      ],
    },
  ],
};

const dir = mkdtempSync(join(tmpdir(), "cartback-soak-"));
let emulators: RunningEmulators;
const children: ChildProcess[] = [];

beforeAll(async () => {
  emulators = await startEmulators({
    mailerlite: { apiKeys: [ML_TOKEN], rateLimit: { limit: 1_000_000 } },
    twilio: { accounts: { [SID]: TOKEN } },
  });
  await setupMailerlite(
    mailerliteClient({ apiKey: ML_TOKEN, baseUrl: emulators.urls.mailerlite as string }),
    {
      fields: [],
      groups: [GROUP],
    },
  );
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await emulators.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** the built `cartback serve` on `port`, resolved once it answers */
function serve(port: number) {
  let output = "";
  const proc = spawn(process.execPath, [resolve(ROOT, "bin/cartback.js"), "serve"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "info" },
  });
  children.push(proc);
  proc.stdout.on("data", (chunk) => {
    output += chunk;
  });
  proc.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((done) => proc.on("exit", () => done()));
  const ready = waitFor(
    async () => {
      if (proc.exitCode !== null) throw new Error(`cartback serve exited:\n${output.slice(-3000)}`);
      return fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
    },
    60_000,
    () => `cartback serve to start:\n${output.slice(-3000)}`,
  );
  return { proc, exited, ready, output: () => output };
}

/** messages Twilio created per idempotency key: held and cut-off requests were carried out too */
function twilioPerKey(): Map<string, number> {
  const perKey = new Map<string, number>();
  for (const request of emulators.twilio?.requests({ method: "POST" }) ?? []) {
    if (request.status !== 201) continue;
    const key = new URL((request.body as Record<string, string>).StatusCallback as string).searchParams.get(
      "key",
    );
    perKey.set(key as string, (perKey.get(key as string) ?? 0) + 1);
  }
  return perKey;
}

/** group joins (the emails MailerLite's automation sends) per subscriber */
function joinsPerEmail(): Map<string, number> {
  const perEmail = new Map<string, number>();
  for (const join of emulators.mailerlite?.groupJoins() ?? []) {
    if (join.groupName === GROUP) perEmail.set(join.email, (perEmail.get(join.email) ?? 0) + 1);
  }
  return perEmail;
}

describe("cartback serve killed again and again under load", () => {
  it("delivers every acknowledged shopper's messages once per idempotency key", {
    timeout: 900_000,
  }, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(dir, "cartback.config.json"),
      JSON.stringify({
        writeKey: WRITE_KEY,
        server: { port },
        store: { kind: "sqlite" },
        journeys: [journey],
        destinations: {
          mailerlite: {
            apiKey: ML_TOKEN,
            baseUrl: emulators.urls.mailerlite,
            pacing: false,
            timeoutMs: 1_000,
          },
          twilio: {
            accountSid: SID,
            authToken: TOKEN,
            from: "+15005550006",
            whatsappFrom: "+15005550006",
            baseUrl: emulators.urls.twilio,
            timeoutMs: 1_000,
            statusCallback: `${base}/webhooks/twilio`,
          },
        },
      }),
    );
    // the sends (not the lookups) are sometimes held past the 1 s client timeout and then carried out,
    // sometimes carried out and cut off before the answer
    const sendFaults = { latencyMs: 1_500, latencyRate: 0.15, resetRate: 0.1, seed: 11 };
    emulators.twilio?.setFaults({ ...sendFaults, match: { method: "POST", path: "/2010-04-01/Accounts/*" } });
    emulators.mailerlite?.setFaults({ ...sendFaults, match: { method: "POST", path: "/api/subscribers/*" } });

    const now = Date.now();
    const batches = Array.from({ length: BATCHES }, (_, b) =>
      JSON.stringify({
        batch: Array.from({ length: PER_BATCH }, (_, k) =>
          shopperMessages(b * PER_BATCH + k, now, { userPrefix: "soak", sms: true }),
        ).flat(),
      }),
    );
    const acked = new Set<number>();
    const post = async (n: number): Promise<void> => {
      try {
        const response = await fetch(`${base}/v1/batch`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString("base64")}`,
          },
          body: batches[n],
        });
        if (response.status === 200) acked.add(n);
        await response.body?.cancel();
      } catch {
        // the server died with the request in flight: not acknowledged, sent again later
      }
    };
    const sends = () => twilioPerKey().size + joinsPerEmail().size;
    let logs = "";

    for (let run = 1; run <= KILLS; run++) {
      const server = serve(port);
      await server.ready;
      const ackedBefore = acked.size;
      const sendsBefore = sends();
      // four clients send what is not acknowledged yet, like SDKs retrying; each run takes only its
      // share of the batches before the kill, so every kill lands while load is still coming in
      // (on a fast machine the whole stream would otherwise be in before the sends it waits for)
      let stop = false;
      const share = ackedBefore + Math.max(3, Math.floor(BATCHES / (KILLS + 1)));
      const senders = Array.from({ length: 4 }, async (_, s) => {
        for (let n = s; !stop; n = (n + 4) % BATCHES) {
          if (!acked.has(n) && acked.size < share) await post(n);
          else await new Promise((r) => setTimeout(r, 5));
        }
      });
      await waitFor(
        () => acked.size >= Math.min(BATCHES, ackedBefore + 3) && sends() > sendsBefore + 5,
        120_000,
        () => `load in run ${run}: ${acked.size} acked, ${sends()} sends\n${server.output().slice(-3000)}`,
      );
      // a little more of it, different each run, then the kill
      await new Promise((r) => setTimeout(r, 200 * run));
      server.proc.kill("SIGKILL");
      stop = true;
      await Promise.all(senders);
      await server.exited;
      logs += server.output();
    }
    const ackedAtLastKill = acked.size;

    // the last run: the rest of the batches, then every message, the ones stranded by the kills too
    const last = serve(port);
    await last.ready;
    for (let round = 0; acked.size < BATCHES && round < 20; round++) {
      await Promise.all(batches.map((_, n) => (acked.has(n) ? undefined : post(n))));
    }
    expect(acked.size).toBe(BATCHES);
    // the providers recover. At a 25 % fault rate per request, 1,200 sends × 0.25⁶ ≈ 0.3: about one
    // run in four has a send that fails six times in a row, and its next attempt is then 80–160 s out,
    // the one after that 160–320 s, past what this test waits
    emulators.twilio?.setFaults({});
    emulators.mailerlite?.setFaults({});
    // read beside the running server (WAL lets a reader in): what is still to deliver or resolve
    const outbox = new Database(join(dir, "cartback.db"), { readonly: true });
    const unsettled = () =>
      (
        outbox
          .prepare("SELECT count(*) AS n FROM outbox WHERE state IN ('pending', 'sending', 'dead')")
          .get() as {
          n: number;
        }
      ).n;
    try {
      await waitFor(
        () => twilioPerKey().size >= 2 * SHOPPERS && joinsPerEmail().size >= SHOPPERS && unsettled() === 0,
        LEASES_RETURN_MS,
        () =>
          `every message: ${twilioPerKey().size} Twilio keys of ${2 * SHOPPERS}, ${joinsPerEmail().size} emails of ${SHOPPERS}, ${unsettled()} outbox entries unsettled\n${last.output().slice(-3000)}`,
      );
    } finally {
      outbox.close();
    }
    // time for a late duplicate to show up
    await new Promise((r) => setTimeout(r, 5_000));
    last.proc.kill("SIGTERM");
    await last.exited;
    logs += last.output();

    // each idempotency key reached Twilio once, and each shopper joined the email's group once
    const perKey = twilioPerKey();
    const twice = [...perKey].filter(([, n]) => n > 1).map(([key, n]) => `${key} ×${n}`);
    expect(twice).toEqual([]);
    expect(perKey.size).toBe(2 * SHOPPERS);
    for (let i = 0; i < SHOPPERS; i++) {
      expect(perKey.get(`soak:cart-${i}:1:sms:sms`), `shopper ${i} SMS`).toBe(1);
      expect(perKey.get(`soak:cart-${i}:1:whatsapp:whatsapp`), `shopper ${i} WhatsApp`).toBe(1);
    }
    const joins = joinsPerEmail();
    expect([...joins].filter(([, n]) => n > 1)).toEqual([]);
    expect(joins.size).toBe(SHOPPERS);

    // the paths under test were taken: kills mid-load, held and cut-off sends, lookups that found one
    expect(ackedAtLastKill).toBeLessThan(BATCHES);
    const faults = [...(emulators.twilio?.requests() ?? []), ...(emulators.mailerlite?.requests() ?? [])];
    expect(faults.some((r) => r.fault === "reset")).toBe(true);
    expect(faults.some((r) => r.durationMs >= 1_500)).toBe(true);
    expect(logs).toContain("an earlier attempt had been delivered");

    const store = sqliteStore({ path: join(dir, "cartback.db") });
    try {
      expect(await unsettledOutbox(store)).toEqual([]);
      expect((await store.stats(Date.now())).profiles).toBe(SHOPPERS);
    } finally {
      await store.close();
    }
  });
});
