/**
 * The suite every destination passes: call `testDestination(name, setup)` from the adapter's own
 * test file with a destination wired to a real counterpart, one command it handles, and one wired
 * to a port where nothing listens.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import type { Command, CommandMeta } from "../../src/core/commands.js";
import type { Destination } from "../../src/destinations/types.js";
import { isDeliveryError } from "../../src/destinations/types.js";

export interface ConformanceSetup {
  destination: () => Destination;
  /** a command the destination handles and its counterpart accepts */
  command: () => Command;
  /** the same destination pointed at `baseUrl`, where nothing listens */
  unreachable: (baseUrl: string) => Destination;
  /**
   * the ids the counterpart now holds for what commands made (subscriber ids, message sids, …), one of
   * which the receipt must name; null for a counterpart that gives no id, whose receipts name none
   */
  providerIds: () => string[] | null;
}

/** command metadata for tests: a stable key per cart, stage and step */
export function meta(overrides: Partial<CommandMeta> = {}): CommandMeta {
  return {
    key: "recovery:cart-1:1:email:email",
    kind: "message",
    channel: "email",
    profileId: "profile-1",
    cartId: "cart-1",
    journey: "recovery",
    stage: 1,
    step: "email",
    segment: "first_time_medium",
    variant: null,
    discountPercent: null,
    ...overrides,
  };
}

/** a base URL on 127.0.0.1 where nothing listens (a port just freed) */
export async function closedBaseUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const FOREIGN: Record<string, Command> = {
  webhook: {
    ...meta({ kind: "task", channel: null }),
    type: "webhook.post",
    target: "sales",
    event: "sales_call",
    payload: {},
  },
  other: {
    ...meta({ kind: "analytics", channel: null }),
    type: "rudderstack.track",
    userId: "u1",
    event: "Cart Recovered",
    properties: {},
  },
};

export function testDestination(name: string, setup: ConformanceSetup): void {
  describe(`${name} destination conformance`, () => {
    it("names itself and handles only its own command types", () => {
      const destination = setup.destination();
      expect(destination.name).toBe(name);
      expect(destination.handles.length).toBeGreaterThan(0);
      for (const type of destination.handles) expect(type.startsWith(`${name}.`)).toBe(true);
      expect(destination.handles).toContain(setup.command().type);
    });

    it("executes a command it handles and resolves with a receipt naming what the provider made", async () => {
      const destination = setup.destination();
      const receipt = await destination.execute(setup.command());
      await destination.dispose?.();
      // a receipt says which provider object the command made, and which events to feed back; no more
      expect(Object.keys(receipt).filter((k) => k !== "providerId" && k !== "events")).toEqual([]);
      const ids = setup.providerIds();
      if (ids === null) expect(receipt.providerId).toBeUndefined();
      else {
        expect(typeof receipt.providerId).toBe("string");
        expect(ids).toContain(receipt.providerId);
      }
      // nothing happened that says something about the shopper
      expect(receipt.events ?? []).toEqual([]);
    });

    it("refuses a command for another destination with a configuration error", async () => {
      const destination = setup.destination();
      const foreign = name === "webhook" ? FOREIGN.other! : FOREIGN.webhook!;
      const error = await destination.execute(foreign).catch((e: unknown) => e);
      expect(isDeliveryError(error)).toBe(true);
      expect(error).toMatchObject({ kind: "configuration", destination: name });
      await destination.dispose?.();
    });

    it("reports an unreachable service as a retryable DeliveryError", async () => {
      const destination = setup.unreachable(await closedBaseUrl());
      const error = await destination.execute(setup.command()).catch((e: unknown) => e);
      expect(isDeliveryError(error)).toBe(true);
      expect(error).toMatchObject({ kind: "retryable", destination: name });
      await destination.dispose?.();
    });
  });
}
