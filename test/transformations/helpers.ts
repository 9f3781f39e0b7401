import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { withBundleSettings } from "../../src/cli/bundle-settings.js";
import { asEvents, createSandbox, type Sandbox, type SandboxOptions, type SandboxOutput } from "./sandbox.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const NAMES = ["normalize-cart-events", "mailerlite", "twilio", "journey"] as const;
export type TransformationName = (typeof NAMES)[number];

/** the committed, paste-ready file */
export function builtCode(name: TransformationName): string {
  return readFileSync(resolve(ROOT, "transformations", `${name}.js`), "utf8");
}

export async function sandboxFor(
  name: TransformationName,
  settings?: object,
  options: SandboxOptions = {},
): Promise<Sandbox> {
  const code = settings ? withBundleSettings(builtCode(name), settings) : builtCode(name);
  return createSandbox(code, options);
}

/** runs messages through a sandbox as one batch */
export async function runMessages(
  sandbox: Sandbox,
  messages: Record<string, unknown>[],
  destinationType?: string,
): Promise<SandboxOutput[]> {
  return sandbox.run(asEvents(messages, destinationType));
}

export function outputsOf(outputs: SandboxOutput[]): Record<string, unknown>[] {
  return outputs.flatMap((o) => (o.transformedEvent ? [o.transformedEvent] : []));
}

export function errorsOf(outputs: SandboxOutput[]): { messageId: unknown; error: string }[] {
  return outputs.flatMap((o) =>
    o.error !== undefined ? [{ messageId: o.metadata.messageId, error: o.error }] : [],
  );
}

let counter = 0;

/** a Segment/RudderStack e-commerce message */
export function track(
  event: string,
  properties: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  counter++;
  return {
    type: "track",
    event,
    messageId: `msg-${counter}`,
    anonymousId: "anon-1",
    timestamp: "2026-03-02T10:00:00.000Z",
    context: { traits: { email: "ada@example.com", phone: "+14155550100" } },
    properties,
    ...extra,
  } as Record<string, unknown>;
}

/** a raw Shopify `checkouts/create` webhook body */
export function shopifyCheckout(id: number) {
  counter++;
  return {
    id,
    token: `tok-${id}`,
    cart_token: `cart-${id}`,
    email: "grace@example.com",
    phone: "+442071838750",
    buyer_accepts_marketing: true,
    buyer_accepts_sms_marketing: true,
    created_at: "2026-03-02T09:00:00Z",
    updated_at: "2026-03-02T09:05:00Z",
    completed_at: null,
    abandoned_checkout_url: `https://shop.example.com/checkouts/${id}/recover`,
    currency: "GBP",
    total_price: "59.00",
    subtotal_price: "59.00",
    line_items: [
      { product_id: 11, variant_id: 111, sku: "TEE-M", title: "Tee", quantity: 2, price: "19.50" },
      { product_id: 12, variant_id: 121, sku: "CAP", title: "Cap", quantity: 1, price: "20.00" },
    ],
  } as Record<string, unknown>;
}
