/**
 * @module cartback/emulators — local stand-ins for MailerLite (new and classic), Twilio Messages and
 * SendGrid mail send, so tests, examples and demos run every request through the real SDKs with no
 * account. Each emulator logs what it received (`GET /_emulator/requests`), can be reset and can
 * inject faults. Test and demo infrastructure: they speak the subset cartback uses, not the services.
 *
 * @example
 * const emulators = await startEmulators({ mailerlite: true, twilio: true });
 * const ml = new MailerLite({ api_key: "any", base_path: emulators.urls.mailerlite });
 * // … run the code under test, then look at what it sent:
 * emulators.mailerlite?.requests({ method: "POST", path: "/api/subscribers" });
 * await emulators.stop();
 */
import {
  type MailerLiteEmulator,
  type MailerLiteEmulatorOptions,
  startMailerLiteEmulator,
} from "./mailerlite.js";
import {
  type MailerLiteClassicEmulator,
  type MailerLiteClassicEmulatorOptions,
  startMailerLiteClassicEmulator,
} from "./mailerlite-classic.js";
import { type SendGridEmulator, type SendGridEmulatorOptions, startSendGridEmulator } from "./sendgrid.js";
import type { EmulatorServer } from "./server.js";
import { startTwilioEmulator, type TwilioEmulator, type TwilioEmulatorOptions } from "./twilio.js";

export * from "./mailerlite.js";
export * from "./mailerlite-classic.js";
export * from "./sendgrid.js";
export type * from "./server.js";
export * from "./twilio.js";
export type { TemplateReview, TwilioContent, WhatsAppApproval } from "./twilio-content.js";
export { emulatorHttpClient } from "./twilio-http-client.js";

export const EMULATOR_NAMES = ["mailerlite", "mailerliteClassic", "twilio", "sendgrid"] as const;
export type EmulatorName = (typeof EMULATOR_NAMES)[number];

export interface StartEmulatorsOptions {
  /** `true` or options to start it; when no emulator is named, all of them start */
  mailerlite?: boolean | MailerLiteEmulatorOptions;
  mailerliteClassic?: boolean | MailerLiteClassicEmulatorOptions;
  twilio?: boolean | TwilioEmulatorOptions;
  sendgrid?: boolean | SendGridEmulatorOptions;
  /**
   * first port: mailerlite on `port`, mailerliteClassic `port + 1`, twilio `port + 2`, sendgrid `port + 3`;
   * 0 (default) lets each pick a free port
   */
  port?: number;
}

export interface RunningEmulators {
  /** base URLs of the started emulators, e.g. `{ mailerlite: "http://127.0.0.1:41234" }` */
  urls: Partial<Record<EmulatorName, string>>;
  mailerlite?: MailerLiteEmulator;
  mailerliteClassic?: MailerLiteClassicEmulator;
  twilio?: TwilioEmulator;
  sendgrid?: SendGridEmulator;
  /** the started emulators, in `EMULATOR_NAMES` order */
  all(): EmulatorServer[];
  /** clears every emulator's log, faults and state */
  reset(): void;
  stop(): Promise<void>;
}

/** starts the chosen emulators (all when none is named) on 127.0.0.1 */
export async function startEmulators(options: StartEmulatorsOptions = {}): Promise<RunningEmulators> {
  const named = EMULATOR_NAMES.some((name) => options[name] !== undefined);
  const base = options.port ?? 0;
  if (!Number.isInteger(base) || base < 0 || base > 65532) {
    throw new RangeError(`port must be an integer from 0 to 65532, got ${options.port}`);
  }
  const settings = <T extends { port?: number }>(
    name: EmulatorName,
    value: boolean | T | undefined,
  ): T | undefined => {
    if (named ? !value : value === false) return undefined;
    const own = typeof value === "object" ? value : ({} as T);
    const offset = EMULATOR_NAMES.indexOf(name);
    return { ...own, port: own.port ?? (base === 0 ? 0 : base + offset) };
  };

  const running: RunningEmulators = {
    urls: {},
    all: () => EMULATOR_NAMES.flatMap((name) => (running[name] ? [running[name]] : [])),
    reset: () => {
      for (const emulator of running.all()) emulator.reset();
    },
    stop: async () => {
      await Promise.all(running.all().map((emulator) => emulator.stop()));
    },
  };
  try {
    const ml = settings("mailerlite", options.mailerlite);
    if (ml) running.mailerlite = await startMailerLiteEmulator(ml);
    const classic = settings("mailerliteClassic", options.mailerliteClassic);
    if (classic) running.mailerliteClassic = await startMailerLiteClassicEmulator(classic);
    const tw = settings("twilio", options.twilio);
    if (tw) running.twilio = await startTwilioEmulator(tw);
    const sg = settings("sendgrid", options.sendgrid);
    if (sg) running.sendgrid = await startSendGridEmulator(sg);
  } catch (error) {
    await running.stop();
    throw error;
  }
  for (const name of EMULATOR_NAMES) {
    const emulator = running[name];
    if (emulator) running.urls[name] = emulator.url;
  }
  return running;
}
