/**
 * Twilio, the way the journey uses it: renders the playbook's stage-2 SMS for three shoppers and sends
 * it with Twilio test credentials to the magic numbers — one valid send, one invalid number, one
 * number that replied STOP — then shows how cartback classifies each outcome (sent, permanent failure,
 * consent withdrawn) and what the runtime would do next.
 *
 *   npx tsx examples/twilio-sandbox.ts        (or: npm run example:twilio-sandbox)
 *
 * Settings (environment or `.env`):
 *   TWILIO_ACCOUNT_SID  the test Account SID (Console → Account → API keys & tokens → Test credentials)
 *   TWILIO_AUTH_TOKEN   the test Auth Token; both unset: the local Twilio emulator
 *   TWILIO_FROM         the sender; default +15005550006, the magic "valid" sender of test credentials
 *   TWILIO_BASE_URL     another API base, e.g. an emulator from `npx cartback emulate`
 */
import { type Command, playbookJourney, renderSms, resolveJourney, type TwilioSendSms } from "cartback";
import { isDeliveryError } from "cartback/destinations";
import { twilioDestination } from "cartback/destinations/twilio";
import { createEmulatorPool, emulatorLogHint, loadEnvFile, row, setting } from "./support/services.js";

loadEnvFile();
const accountSid = setting("TWILIO_ACCOUNT_SID");
const authToken = setting("TWILIO_AUTH_TOKEN");
if (Boolean(accountSid) !== Boolean(authToken)) {
  console.error(`Set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither (to use the emulator).`);
  process.exit(2);
}
const real = Boolean(accountSid && authToken);
const from = setting("TWILIO_FROM") ?? "+15005550006";
const pool = createEmulatorPool();
const baseUrl = real ? setting("TWILIO_BASE_URL") : await pool.url("twilio", "TWILIO_BASE_URL");

console.log(
  real
    ? `Mode: real Twilio account with test credentials (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN are set)${baseUrl ? ` at ${baseUrl}` : ""}`
    : `Mode: local Twilio emulator at ${baseUrl} (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set)`,
);
if (real && !accountSid!.startsWith("AC")) {
  console.log("  note: an Account SID starts with AC; check TWILIO_ACCOUNT_SID");
}

const twilio = twilioDestination({
  accountSid: accountSid ?? `AC${"0".repeat(32)}`,
  authToken: authToken ?? "emulator-token",
  from,
  ...(baseUrl ? { baseUrl } : {}),
});

// the journey's own copy: the playbook's stage-2 ("consideration") SMS, rendered within its segment budget
const journey = resolveJourney(playbookJourney());
const smsStep = journey.stages
  .find((stage) => stage.stage === 2)
  ?.steps.find((step) => step.channel === "sms" && step.id === "sms");
if (smsStep?.channel !== "sms") throw new Error("the playbook has no stage-2 SMS step");
const template = smsStep.template;

const shoppers = [
  { name: "Ada", phone: "+14155550100", items: ["Linen shirt"], outcome: "a valid number" },
  {
    name: "Grace",
    phone: "+15005550001",
    items: ["Canvas tote", "Wool scarf"],
    outcome: "an invalid number",
  },
  { name: "Linus", phone: "+15005550004", items: ["Trail shoes"], outcome: "a number that replied STOP" },
];

function smsFor(shopper: (typeof shoppers)[number], index: number): TwilioSendSms {
  const cartId = `cart-${2001 + index}`;
  const sms = renderSms(
    template,
    { firstName: shopper.name, link: `https://shop.example/r/${cartId}`, cartTotal: "84.50" },
    shopper.items,
    journey.smsMaxSegments,
  );
  if (!sms.success) {
    throw new Error(`the stage-2 SMS for ${shopper.name} does not fit: ${sms.error.reason}`);
  }
  return {
    type: "twilio.sendSms",
    key: `${journey.id}:${cartId}:2:sms:sms`,
    kind: "message",
    channel: "sms",
    profileId: `example-${shopper.name.toLowerCase()}`,
    cartId,
    journey: journey.id,
    stage: 2,
    step: "sms",
    segment: "first-time-medium",
    variant: null,
    discountPercent: null,
    to: shopper.phone,
    body: sms.data.body,
    encoding: sms.data.encoding,
    segments: sms.data.segments,
  };
}

/** what the runtime does with each kind of outcome */
const NEXT_STEP = {
  retryable: "tried again later, with backoff",
  permanent: "never retried: recorded as failed, the journey goes on by its other channels",
  configuration: "a setting is wrong: fix it before anything more is sent",
} as const;

const outcomes: { shopper: string; to: string; result: string }[] = [];
try {
  console.log(`\nSending the stage-2 SMS from ${from} to three shoppers`);
  for (const [index, shopper] of shoppers.entries()) {
    const command: Command = smsFor(shopper, index);
    console.log(`\n${shopper.name}, ${command.to} (${shopper.outcome})`);
    console.log(row("body", `${command.body}`));
    console.log(row("size", `${command.segments} segment(s), ${command.encoding}`));
    try {
      const receipt = await twilio.execute(command);
      console.log(row("outcome", `sent: message ${receipt.providerId}`));
      outcomes.push({ shopper: shopper.name, to: command.to, result: "sent" });
    } catch (error) {
      if (!isDeliveryError(error)) throw error;
      console.log(row("outcome", `${error.kind} failure, Twilio code ${error.code}: ${error.message}`));
      console.log(row("what happens next", NEXT_STEP[error.kind]));
      for (const event of error.events ?? []) {
        if (event.type === "consent_changed") {
          console.log(
            row("fed back", `consent_changed: ${event.channel} ${event.status} (no more SMS to it)`),
          );
        }
      }
      outcomes.push({ shopper: shopper.name, to: command.to, result: `${error.kind} (${error.code})` });
    }
  }

  console.log("\nSummary");
  for (const outcome of outcomes) console.log(row(outcome.shopper, `${outcome.to} → ${outcome.result}`));
  console.log("Where to look:");
  if (real) {
    console.log("  Test credentials send nothing and leave no entry in Console → Monitor → Messaging logs;");
    console.log("  the outcomes above are Twilio's own answers. Use live credentials and a real number to");
    console.log("  see a message in the log.");
  } else {
    console.log(`  ${emulatorLogHint(baseUrl!, "/2010-04-01/*")} while the emulator runs`);
    console.log("  (start one with `npx cartback emulate` and set TWILIO_BASE_URL to keep it up)");
  }
} catch (error) {
  process.exitCode = 1;
  console.error("\nThe example failed:", error);
} finally {
  await pool.stop();
}
