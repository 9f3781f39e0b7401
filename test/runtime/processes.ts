/** Starts `engine-process.ts` children and talks to them, for the crash and multi-worker tests. */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Store } from "../../src/runtime/store.js";
import { afternoonZone } from "../helpers/time-zones.js";

export const SID = "AC0123456789abcdef0123456789abcdef";
export const TOKEN = "0123456789abcdef0123456789abcdef";
export const ML_TOKEN = "ml-token";
export const SERVICE = "MG0123456789abcdef0123456789abcdef";
export const TEMPLATES = {
  nudge: "HX0123456789abcdef0123456789abcdef",
  urgency: "HXfedcba9876543210fedcba9876543210",
};

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface EngineChild {
  process: ChildProcessWithoutNullStreams;
  /** batch ids the child acknowledged */
  acked: Set<number>;
  /** what the child wrote to stderr so far (its warnings and errors) */
  stderr(): string;
  ready: Promise<void>;
  exited: Promise<number | null>;
  send(id: number, messages: unknown[]): void;
}

export function startEngineChild(env: Record<string, string>): EngineChild {
  const child = spawn(process.execPath, ["--import", "tsx", "test/runtime/engine-process.ts"], {
    cwd: root,
    env: { ...process.env, ...env, NODE_NO_WARNINGS: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  const acked = new Set<number>();
  let buffer = "";
  let stderr = "";
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split("\n");
    buffer = lines.pop() as string;
    for (const line of lines) {
      if (line === "ready") markReady();
      const ack = /^ack (\d+)/.exec(line);
      if (ack) acked.add(Number(ack[1]));
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.on("error", () => {});
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      if (code !== 0 && code !== null && stderr) process.stderr.write(stderr);
      resolve(code);
    });
  });
  return {
    process: child,
    acked,
    stderr: () => stderr,
    ready: Promise.race([
      ready,
      exited.then(() => Promise.reject(new Error(`engine child exited: ${stderr}`))),
    ]),
    exited,
    send(id, messages) {
      child.stdin.write(`${JSON.stringify({ id, messages })}\n`);
    },
  };
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string),
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * one shopper who abandoned a $90 cart three hours ago and opted in to WhatsApp (and SMS with `sms`):
 * stage 1 is due now
 */
export function shopperMessages(
  i: number,
  now: number,
  options: { userPrefix?: string; sms?: boolean } = {},
): Record<string, unknown>[] {
  const at = (minutes: number) => new Date(now - 3 * 3_600_000 + minutes * 60_000).toISOString();
  const userId = `${options.userPrefix ?? "u"}${i}`;
  const context = { timezone: afternoonZone(now) };
  return [
    {
      type: "identify",
      messageId: `id-${i}`,
      userId,
      timestamp: at(0),
      context,
      traits: {
        email: `${userId}@example.com`,
        phone: `+1415555${String(1000 + i).padStart(4, "0")}`,
        whatsapp_opt_in: true,
        ...(options.sms ? { sms_opt_in: true } : {}),
        first_name: "Sam",
      },
    },
    {
      type: "track",
      event: "Product Added",
      messageId: `add-${i}`,
      userId,
      timestamp: at(1),
      context,
      properties: { cart_id: `cart-${i}`, product_id: "shirt", price: 90, quantity: 1, currency: "USD" },
    },
  ];
}

/** outbox entries a finished run must not leave: dead, still pending, or still being sent */
export async function unsettledOutbox(store: Store): Promise<string[]> {
  const entries = [
    ...(await store.listOutbox({ state: "dead" })),
    ...(await store.listOutbox({ state: "pending" })),
    ...(await store.listOutbox({ state: "sending" })),
  ];
  return entries.map((e) => `${e.state} ${e.key}: ${e.lastError ?? ""} ${e.deadReason ?? ""}`);
}
