/**
 * `cartback simulate` and the runtime decide alike: the same messages, replayed by the simulation and
 * ingested by an engine on the memory store with a manual clock, produce the same commands (keys) at
 * the same moments. Both reduce with the same reducer, join profiles by the same rule and plan through
 * the same entry; this checks that nothing in between makes them disagree.
 */
import { describe, expect, it } from "vitest";
import { generateMessages } from "../../bench/generate-stream.js";
import { runSimulation } from "../../src/cli/simulation.js";
import type { Command } from "../../src/core/commands.js";
import type { CartEvent } from "../../src/core/events.js";
import { PRESETS } from "../../src/core/journey/index.js";
import { normalizeEvent } from "../../src/core/normalize/index.js";
import { createManualClock } from "../../src/runtime/clock.js";
import { createEngine } from "../../src/runtime/engine.js";
import { memoryStore } from "../../src/stores/memory.js";
import { add, clicked, identify, order } from "../core/journey/scenarios.js";

const DAY = 86_400_000;

type Message = Record<string, unknown>;

function timeOf(message: Message): number {
  return Date.parse(String(message.timestamp ?? message.originalTimestamp));
}

/** a command as both sides record it: its key, when it was planned, and all it says */
function line(at: number, command: Command): string {
  return `${command.key} @ ${new Date(at).toISOString()} ${JSON.stringify(command)}`;
}

/** what the simulation produced, sorted */
function simulated(preset: string, messages: Message[], until: number): string[] {
  const events: CartEvent[] = [];
  for (const message of messages) {
    const result = normalizeEvent(message);
    if (result.success) events.push(...result.data);
  }
  events.sort((a, b) => a.at - b.at);
  const out: string[] = [];
  runSimulation(events, {
    journeys: [PRESETS[preset]!()],
    until,
    onCommand: ({ at, command }) => out.push(line(at, command)),
  });
  return out.sort();
}

/**
 * what an engine enqueued when each message is ingested at its own time and the scheduler runs at
 * every moment the simulation produced something
 */
async function enqueued(preset: string, messages: Message[], moments: number[]): Promise<string[]> {
  const store = memoryStore();
  const clock = createManualClock(0);
  const engine = createEngine({ store, journeys: [PRESETS[preset]!()], destinations: [], clock });
  const byTime = [...messages].sort((a, b) => timeOf(a) - timeOf(b));
  const times = [...new Set([...byTime.map(timeOf), ...moments])].sort((a, b) => a - b);
  let next = 0;
  for (const at of times) {
    clock.set(at);
    while (next < byTime.length && timeOf(byTime[next] as Message) === at) {
      const result = await engine.ingest([byTime[next] as Message]);
      expect(result.rejected).toEqual([]);
      next++;
    }
    // every profile due by now is planned, the way the scheduler's passes do
    while ((await engine.tick()).woke > 0) {}
  }
  const entries = await store.listOutbox({ limit: 1_000_000 });
  await engine.stop();
  return entries.map((e) => line(e.createdAt, e.command)).sort();
}

async function expectAgreement(preset: string, messages: Message[]) {
  const until = Math.max(...messages.map(timeOf)) + 40 * DAY;
  const fromSimulation = simulated(preset, messages, until);
  const moments = fromSimulation.map((l) => Date.parse(l.split(" ")[2] as string));
  const fromEngine = await enqueued(preset, messages, moments);
  expect(fromSimulation.length).toBeGreaterThan(0);
  expect(fromEngine).toEqual(fromSimulation);
}

const mo = { id: "mo", phone: "+14155550102", sms: true, whatsapp: true };
const ida = { id: "ida", phone: "+14155550103", sms: true, timezone: "Europe/London" };
const rita = { ...mo, id: "rita", traits: { orders_count: 3 } };

describe("simulate and the runtime agree", () => {
  it("on the playbook's scenarios: evening carts, a click, an order between stages, a returning shopper", async () => {
    await expectAgreement("playbook", [
      identify(mo),
      add(mo, 0, 90),
      add(mo, 5, 110, "USD", "Belt"),
      clicked(mo, 5 * 60, 2),
      identify(ida, 600),
      add(ida, 600, 300),
      order(ida, 600 + 26 * 60, 300),
      identify(rita, 30),
      add(rita, 30, 80),
    ]);
  });

  it.each(["playbook", "classic", "coordinated"])("on 150 generated carts with %s", async (preset) => {
    await expectAgreement(preset, [...generateMessages({ carts: 150, seed: 11 })]);
  });
});
