/**
 * Runs one recovery step's commands through cartback's MailerLite and Twilio destinations against the
 * local emulators, then prints every request they made: what a journey would send, with no account.
 *
 *   npx tsx examples/emulated-delivery.ts
 */
import type { Command, CommandMeta } from "cartback";
import { mailerliteDestination } from "cartback/destinations/mailerlite";
import { twilioDestination } from "cartback/destinations/twilio";
import { type LoggedRequest, startEmulators } from "cartback/emulators";

const meta = (step: string, kind: CommandMeta["kind"], channel: CommandMeta["channel"]): CommandMeta => ({
  key: `abandoned-cart:cart-1:1:${step}:${channel}`,
  kind,
  channel,
  profileId: "profile-ada",
  cartId: "cart-1",
  journey: "abandoned-cart",
  stage: 1,
  step,
  segment: null,
  variant: null,
  discountPercent: null,
});

/** the commands a first reminder produces: prepare the subscriber, trigger the email, send an SMS */
export const FIRST_REMINDER: Command[] = [
  {
    ...meta("reminder-1", "support", "email"),
    key: "abandoned-cart:cart-1:1:reminder-1:email:fields",
    type: "mailerlite.upsertSubscriber",
    email: "ada@example.com",
    fields: { name: "Ada", cart_url: "https://shop.example/cart/1", cart_total: 84.5 },
  },
  {
    ...meta("reminder-1", "message", "email"),
    type: "mailerlite.addToGroup",
    email: "ada@example.com",
    group: "cartback: reminder 1",
  },
  {
    ...meta("reminder-1", "message", "sms"),
    type: "twilio.sendSms",
    to: "+14155550100",
    body: "Ada, your cart is still here: https://shop.example/cart/1",
    encoding: "GSM-7",
    segments: 1,
  },
];

/** runs the commands and returns the requests each emulator received */
export async function runEmulatedDelivery(
  commands: Command[] = FIRST_REMINDER,
): Promise<Record<"mailerlite" | "twilio", LoggedRequest[]>> {
  const emulators = await startEmulators({ mailerlite: true, twilio: true });
  try {
    const mailerlite = mailerliteDestination({ apiKey: "demo-token", baseUrl: emulators.urls.mailerlite });
    const twilio = twilioDestination({
      accountSid: `AC${"0".repeat(32)}`,
      authToken: "demo-token",
      baseUrl: emulators.urls.twilio,
      from: "+15005550006",
    });
    for (const command of commands) {
      const destination = command.type.startsWith("twilio.") ? twilio : mailerlite;
      await destination.execute(command);
    }
    return { mailerlite: emulators.mailerlite!.requests(), twilio: emulators.twilio!.requests() };
  } finally {
    await emulators.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log("Mode: local emulators (this example always runs on them; it reads no settings)");
  const requests = await runEmulatedDelivery();
  for (const [service, log] of Object.entries(requests)) {
    for (const request of log) {
      console.log(`${service.padEnd(10)} ${request.method.padEnd(6)} ${request.path} → ${request.status}`);
      if (request.body) console.log(`           ${JSON.stringify(request.body)}`);
    }
  }
}
