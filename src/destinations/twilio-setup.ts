/**
 * Prepares a Twilio account for the playbook's WhatsApp steps: the Content API templates they send
 * (found by friendly name, created when missing) and a WhatsApp approval request for each one not yet
 * submitted. Idempotent: what exists is reported, not changed.
 */
import type twilio from "twilio";
import type { ContentCreateRequest } from "twilio/lib/rest/content/v1/content.js";

/** a WhatsApp template cartback sends, with the sample values WhatsApp's review reads */
export interface WhatsAppTemplateSpec {
  /** the preset option and setting it fills: `whatsappTemplates.<role>` */
  role: "nudge" | "urgency";
  /** the Content API friendly name and the WhatsApp template name (lowercase, digits, `_`) */
  name: string;
  language: string;
  category: "MARKETING" | "UTILITY";
  /** `{{1}}`… are the step's variables; WhatsApp refuses a body that starts or ends with one */
  body: string;
  samples: Record<string, string>;
}

/** the templates of the playbook preset's WhatsApp steps (their variables: see `playbookJourney`) */
export const WHATSAPP_TEMPLATES: readonly WhatsAppTemplateSpec[] = [
  {
    role: "nudge",
    name: "cartback_nudge",
    language: "en",
    category: "MARKETING",
    body: "Hi {{1}}, you left {{2}} in your cart. We saved it for you: {{3}}\n\nNot interested? Reply STOP.",
    samples: { "1": "Asha", "2": "Linen shirt", "3": "https://shop.example.com/r/abc123" },
  },
  {
    role: "urgency",
    name: "cartback_urgency",
    language: "en",
    category: "MARKETING",
    body: "Hi {{1}}, we cannot hold your cart much longer. {{2}} Finish your order here: {{3}}\n\nNot interested? Reply STOP.",
    samples: {
      "1": "Asha",
      "2": "Use COMEBACK10 for 10% off today.",
      "3": "https://shop.example.com/r/abc123",
    },
  },
];

export interface TemplateSetupItem {
  role: WhatsAppTemplateSpec["role"];
  name: string;
  sid: string;
  status: "created" | "existing";
  /** WhatsApp's review: `received`, `pending`, `approved`, `rejected`, …, or why it could not be requested */
  approval: { status: string; requested: boolean; reason?: string } | { error: string };
}

/** creates the missing templates, requests approval where none was asked for, and reports each */
export async function setupTwilioTemplates(
  client: twilio.Twilio,
  templates: readonly WhatsAppTemplateSpec[] = WHATSAPP_TEMPLATES,
): Promise<TemplateSetupItem[]> {
  const existing = await client.content.v1.contents.list();
  const items: TemplateSetupItem[] = [];
  for (const spec of templates) {
    let sid = existing.find((c) => c.friendlyName === spec.name)?.sid;
    const status = sid ? "existing" : "created";
    if (!sid) {
      // the API's JSON is snake_case and the SDK sends the object as it is
      const request = {
        friendly_name: spec.name,
        language: spec.language,
        variables: spec.samples,
        types: { "twilio/text": { body: spec.body } },
      } as unknown as ContentCreateRequest;
      sid = (await client.content.v1.contents.create(request)).sid;
    }
    items.push({ role: spec.role, name: spec.name, sid, status, approval: await approve(client, sid, spec) });
  }
  return items;
}

async function approve(
  client: twilio.Twilio,
  sid: string,
  spec: WhatsAppTemplateSpec,
): Promise<TemplateSetupItem["approval"]> {
  try {
    const fetched = await client.content.v1.contents(sid).approvalFetch().fetch();
    const whatsapp = (fetched.whatsapp ?? {}) as { status?: string; rejection_reason?: string };
    const current = whatsapp.status ?? "unsubmitted";
    if (current !== "unsubmitted") {
      return {
        status: current,
        requested: false,
        ...(whatsapp.rejection_reason ? { reason: whatsapp.rejection_reason } : {}),
      };
    }
    const created = await client.content.v1
      .contents(sid)
      .approvalCreate.create({ name: spec.name, category: spec.category });
    return { status: created.status, requested: true };
  } catch (error) {
    // e.g. an account without a WhatsApp sender: the template exists, its approval is for later
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
