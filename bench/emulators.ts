/**
 * Requests per second each emulator serves to its official SDK over loopback HTTP, one at a time and
 * ten in flight. This is the ceiling any destination benchmark against the emulators can reach.
 * BENCH_REQUESTS sets the number of requests per run (400 unless set).
 */
import MailerLiteModule from "@mailerlite/mailerlite-nodejs";
import { MailService } from "@sendgrid/mail";
import MailerLiteClassicModule from "mailerlite-api-v2-node";
import twilio from "twilio";
import { emulatorHttpClient, startEmulators } from "../src/emulators/index.js";

const MailerLite = ((MailerLiteModule as { default?: unknown }).default ??
  MailerLiteModule) as typeof MailerLiteModule.default;
const MailerLiteClassic = ((MailerLiteClassicModule as { default?: unknown }).default ??
  MailerLiteClassicModule) as typeof MailerLiteClassicModule.default;

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);

async function measure(
  label: string,
  concurrency: number,
  call: (i: number) => Promise<unknown>,
): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < REQUESTS) {
        const i = next++;
        const t = performance.now();
        await call(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2);
  console.log(
    `${label.padEnd(38)} ${String(concurrency).padStart(2)} in flight  ${(REQUESTS / seconds).toFixed(0).padStart(6)} req/s  p50 ${pct(0.5)} ms  p99 ${pct(0.99)} ms`,
  );
}

export async function bench(): Promise<void> {
  // a limit far above the run, so the 120/min throttle is not what is measured
  const emulators = await startEmulators({
    mailerlite: { rateLimit: { limit: 1_000_000 } },
    mailerliteClassic: true,
    twilio: true,
    sendgrid: true,
  });
  try {
    const ml = new MailerLite({ api_key: "bench", base_path: emulators.urls.mailerlite });
    const classic = MailerLiteClassic("bench", {
      baseURL: `${emulators.urls.mailerliteClassic}/api/v2/`,
      useCaseConverter: false,
    });
    const sms = twilio(`AC${"0".repeat(32)}`, "bench", {
      httpClient: emulatorHttpClient(emulators.urls.twilio!),
    });
    const mail = new MailService();
    mail.setApiKey("SG.bench");
    (
      mail as unknown as { client: { setDefaultRequest(k: string, v: string): void } }
    ).client.setDefaultRequest("baseUrl", emulators.urls.sendgrid!);

    for (const concurrency of [1, 10]) {
      await measure("mailerlite subscribers.createOrUpdate", concurrency, (i) =>
        ml.subscribers.createOrUpdate({ email: `p${i % 50}@example.com`, fields: { name: `P${i}` } }),
      );
      await measure("mailerlite-classic addSubscriber", concurrency, (i) =>
        classic.addSubscriber({ email: `p${i % 50}@example.com`, name: `P${i}` }),
      );
      await measure("twilio messages.create", concurrency, (i) =>
        sms.messages.create({
          to: `+1415555${String(1000 + (i % 9000))}`,
          from: "+15005550006",
          body: `cart ${i}`,
        }),
      );
      await measure("sendgrid send", concurrency, (i) =>
        mail.send({
          to: `p${i}@example.com`,
          from: "shop@example.com",
          templateId: `d-${"0".repeat(32)}`,
          dynamicTemplateData: { i },
        }),
      );
      emulators.reset();
    }
    await emulators.twilio?.settled();
  } finally {
    await emulators.stop();
  }
}
