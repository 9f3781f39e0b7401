/**
 * MailerLite, the way the journey uses it: prepares an account (the subscriber fields cartback writes
 * and one group per stage, whose automations send the emails), upserts a shopper with a cart, walks
 * the stage groups as the journey would (stage 1, 2, 3), lets the shopper order (the journey leaves
 * every stage group), then forgets the shopper.
 *
 *   npx tsx examples/mailerlite-sandbox.ts        (or: npm run example:mailerlite-sandbox)
 *
 * Settings (environment or `.env`):
 *   MAILERLITE_API_KEY         an API token of a MailerLite account; unset: the local emulator
 *   MAILERLITE_BASE_URL        another API base, e.g. an emulator from `npx cartback emulate`
 *   MAILERLITE_TEST_EMAIL      the shopper's email (default ada.lovelace@example.com)
 *   MAILERLITE_KEEP_SUBSCRIBER set to 1 to keep the shopper afterwards, to look at it in the dashboard
 */
import {
  type Command,
  type CommandMeta,
  MAILERLITE_FIELDS,
  MAILERLITE_STAGE_GROUPS,
  mailerliteStageGroup,
} from "cartback";
import { isDeliveryError, setupMailerlite } from "cartback/destinations";
import { mailerliteClient, mailerliteDestination } from "cartback/destinations/mailerlite";
import { createEmulatorPool, emulatorLogHint, loadEnvFile, row, setting } from "./support/services.js";

loadEnvFile();
const apiKey = setting("MAILERLITE_API_KEY");
const email = setting("MAILERLITE_TEST_EMAIL") ?? "ada.lovelace@example.com";
const keep = setting("MAILERLITE_KEEP_SUBSCRIBER") === "1";
const pool = createEmulatorPool();
const baseUrl = apiKey ? setting("MAILERLITE_BASE_URL") : await pool.url("mailerlite", "MAILERLITE_BASE_URL");

console.log(
  apiKey
    ? `Mode: real MailerLite account (MAILERLITE_API_KEY is set)${baseUrl ? ` at ${baseUrl}` : ""}`
    : `Mode: local MailerLite emulator at ${baseUrl} (MAILERLITE_API_KEY is not set)`,
);

const client = mailerliteClient({ apiKey: apiKey ?? "emulator-token", ...(baseUrl ? { baseUrl } : {}) });
// the destination shares the SDK client, so what it does can be read back through the same client
const mailerlite = mailerliteDestination({ client });

/** the commands' shared fields, as the journey fills them for one cart */
function meta(stage: number | null, kind: CommandMeta["kind"], key: string): CommandMeta {
  return {
    key: `abandoned-cart:cart-1001:${stage ?? "exit"}:${key}`,
    kind,
    channel: "email",
    profileId: "example-ada",
    cartId: "cart-1001",
    journey: "abandoned-cart",
    stage,
    step: stage === null ? null : `stage-${stage}-email`,
    segment: "first_time_medium",
    variant: null,
    discountPercent: stage === 3 ? 10 : null,
  };
}

/** one stage's email: refresh the fields its automation reads, then join the stage group */
function stageEmail(stage: number): Command[] {
  const m = meta(stage, "message", "email");
  return [
    {
      ...m,
      kind: "support",
      key: `${m.key}:fields`,
      type: "mailerlite.upsertSubscriber",
      email,
      fields: {
        name: "Ada",
        cart_url: "https://shop.example/r/cart-1001",
        cart_total: 84.5,
        cart_currency: "EUR",
        cart_items: "Linen shirt, Canvas tote x2",
        cart_item_count: 3,
        discount_code: stage === 3 ? "CB-ADA10" : null,
        discount_percent: stage === 3 ? 10 : null,
        recovery_stage: stage,
        recovery_step: `stage-${stage}-email`,
        recovery_segment: "first_time_medium",
      },
    },
    { ...m, type: "mailerlite.addToGroup", email, group: mailerliteStageGroup(stage) },
  ];
}

async function groupsOf(address: string): Promise<string[]> {
  const found = await client.subscribers.find(address);
  return (found.data.data.groups ?? []).map((group) => group.name).sort();
}

let failed = false;
try {
  console.log("\n1. Preparing the account: fields and stage groups (existing ones are left alone)");
  const report = await setupMailerlite(client, {
    fields: MAILERLITE_FIELDS,
    groups: MAILERLITE_STAGE_GROUPS,
  });
  const count = (items: { status: string }[], status: string) =>
    items.filter((i) => i.status === status).length;
  console.log(
    row("fields", `${count(report.fields, "created")} created, ${count(report.fields, "existing")} existing`),
  );
  console.log(
    row("groups", `${count(report.groups, "created")} created, ${count(report.groups, "existing")} existing`),
  );
  for (const field of report.fields.filter((f) => f.status === "type_mismatch")) {
    console.log(row(`  ! ${field.name}`, `exists with type ${field.type}; the journey writes another type`));
  }

  console.log(`\n2. The shopper ${email} leaves a cart of EUR 84.50; the journey sends its emails`);
  for (const stage of [1, 2, 3]) {
    for (const command of stageEmail(stage)) await mailerlite.execute(command);
    console.log(row(`stage ${stage} email`, `in groups: ${(await groupsOf(email)).join(", ")}`));
  }
  const subscriber = (await client.subscribers.find(email)).data.data;
  const fields = subscriber.fields as Record<string, unknown>;
  console.log(
    row("fields now", `recovery_stage=${fields.recovery_stage} discount_code=${fields.discount_code}`),
  );

  console.log("\n3. The shopper orders: the journey exits and leaves every stage group");
  for (const stage of [1, 2, 3]) {
    await mailerlite.execute({
      ...meta(null, "support", `ungroup-${mailerliteStageGroup(stage)}`),
      type: "mailerlite.removeFromGroup",
      email,
      group: mailerliteStageGroup(stage),
    });
  }
  const left = await groupsOf(email);
  console.log(row("in groups", left.length ? left.join(", ") : "none"));

  console.log("\n4. Cleaning up");
  if (keep) console.log(row("shopper", "kept (MAILERLITE_KEEP_SUBSCRIBER=1)"));
  else {
    await mailerlite.execute({ ...meta(null, "support", "forget"), type: "mailerlite.forget", email });
    console.log(row("shopper", "forgotten (the real API takes up to 30 days to erase the data)"));
  }

  console.log("\nSummary");
  console.log(row("account", apiKey ? "your MailerLite account" : "local emulator (nothing was emailed)"));
  console.log(row("stage groups", MAILERLITE_STAGE_GROUPS.join(", ")));
  console.log(row("stages walked", "1, 2, 3 then exit on order"));
  console.log(row("shopper", `${email} (${keep ? "kept" : "forgotten"})`));
  console.log("Where to look:");
  if (apiKey) {
    console.log("  MailerLite dashboard → Subscribers → Groups: the cartback-stage-* groups;");
    console.log("  Subscribers → Fields: cart_url, cart_total, recovery_stage, …");
    console.log("  Automations triggered by 'joins group cartback-stage-N' send the stage emails.");
  } else {
    console.log(`  ${emulatorLogHint(baseUrl!)} while the emulator runs`);
    console.log("  (start one with `npx cartback emulate` and set MAILERLITE_BASE_URL to keep it up)");
  }
} catch (error) {
  failed = true;
  if (isDeliveryError(error)) {
    console.error(`\nMailerLite refused a call (${error.kind}): ${error.message}`);
    if (error.setting) console.error(`Check the setting: ${error.setting}`);
  } else console.error("\nThe example failed:", error);
} finally {
  await pool.stop();
}
process.exitCode = failed ? 1 : 0;
