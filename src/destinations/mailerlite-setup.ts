/**
 * Prepares a MailerLite account for cartback: the custom fields the journey writes and the groups
 * whose automations send the emails. Idempotent: what exists is left alone and reported. MailerLite's
 * API lists automations but cannot create them, so for each group it reports the automations that a
 * subscriber joining it starts (none: the email is still to be built in the app).
 */
import type { AutomationsInterface } from "@mailerlite/mailerlite-nodejs";
import type { MailerliteFieldSpec } from "../core/mailerlite-fields.js";
import { classifyAxiosError, withTimeout } from "./errors.js";
import type { MailerliteClient } from "./mailerlite.js";

export interface MailerliteSetupOptions {
  fields: readonly MailerliteFieldSpec[];
  groups: readonly string[];
  /** per request, default 10 s */
  timeoutMs?: number;
}

export interface SetupItem {
  name: string;
  id: string;
  /** for fields: the type; a field that exists with another type is reported, not changed */
  type?: string;
  status: "created" | "existing" | "type_mismatch";
  /**
   * for groups, when the client can list automations: those a subscriber joining the group starts
   * (empty: none yet, the group sends nothing)
   */
  automations?: { id: string; name: string; enabled: boolean }[];
}

export interface MailerliteSetupReport {
  fields: SetupItem[];
  groups: SetupItem[];
}

const PAGE = 100;

/** creates the missing fields and groups and reports each as created or existing */
export async function setupMailerlite(
  client: MailerliteClient & { automations?: Pick<AutomationsInterface, "get"> },
  options: MailerliteSetupOptions,
): Promise<MailerliteSetupReport> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  async function call<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await withTimeout(run(), timeoutMs, "mailerlite", action);
    } catch (error) {
      throw classifyAxiosError(error, {
        destination: "mailerlite",
        authSetting: "MAILERLITE_API_KEY",
        action,
      });
    }
  }

  const existingFields: { id: string; key: string; name: string; type: string }[] = [];
  for (let page = 1; ; page++) {
    const res = await call("list fields", () => client.fields.get({ limit: PAGE, page }));
    existingFields.push(...res.data.data);
    if (res.data.data.length < PAGE) break;
  }

  const fields: SetupItem[] = [];
  for (const spec of options.fields) {
    const found = existingFields.find((f) => f.key === spec.key || f.name === spec.key);
    if (found) {
      fields.push({
        name: spec.key,
        id: found.id,
        type: found.type,
        status: found.type === spec.type ? "existing" : "type_mismatch",
      });
      continue;
    }
    // MailerLite derives the key from the name: a name that is already a key keeps it
    const created = await call(`create field "${spec.key}"`, () =>
      client.fields.create({ name: spec.key, type: spec.type }),
    );
    fields.push({ name: spec.key, id: created.data.data.id, type: spec.type, status: "created" });
  }

  const groups: SetupItem[] = [];
  for (const name of options.groups) {
    const res = await call(`find group "${name}"`, () =>
      client.groups.get({ filter: { name }, limit: PAGE, sort: "name" }),
    );
    const found = res.data.data.find((g) => g.name === name);
    if (found) {
      groups.push({ name, id: found.id, status: "existing" });
      continue;
    }
    const created = await call(`create group "${name}"`, () => client.groups.create({ name }));
    groups.push({ name, id: created.data.data.id, status: "created" });
  }

  const automations = client.automations;
  if (automations) {
    for (const group of groups) {
      if (group.status === "created") {
        group.automations = [];
        continue;
      }
      const found: { id: string; name: string; enabled: boolean }[] = [];
      for (let page = 1; ; page++) {
        const res = await call(`list the automations of group "${group.name}"`, () =>
          automations.get({ filter: { group: group.id }, limit: PAGE, page }),
        );
        found.push(...res.data.data.map((a) => ({ id: a.id, name: a.name, enabled: a.enabled })));
        if (res.data.data.length < PAGE) break;
      }
      group.automations = found;
    }
  }
  return { fields, groups };
}
