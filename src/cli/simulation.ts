/**
 * A virtual-clock replay of cart events through the journey planner: events in timestamp order, the
 * planner woken at every `wakeAt`, every command recorded with the moment it was produced. Shared by
 * `cartback simulate` and the benchmarks.
 */
import type { Command, CommandMeta } from "../core/commands.js";
import type { CartEvent } from "../core/events.js";
import { createProfileBook } from "../core/identity.js";
import { type JourneySpec, type PlanContext, planJourney } from "../core/journey/index.js";

export interface SimulatedCommand {
  at: number;
  command: Command;
}

/** one line of `cartback simulate --format ndjson`: the stable output contract, the command's
 * metadata next to the command itself */
export type SimulationRecord = CommandMeta & { at: string; type: Command["type"]; command: Command };

// the commands of one plan share their instant: format it once
let lastAt = Number.NaN;
let lastIso = "";

function isoTime(at: number): string {
  if (at !== lastAt) {
    lastIso = new Date(at).toISOString();
    lastAt = at;
  }
  return lastIso;
}

export function toRecord({ at, command }: SimulatedCommand): SimulationRecord {
  return {
    at: isoTime(at),
    kind: command.kind,
    channel: command.channel,
    type: command.type,
    profileId: command.profileId,
    cartId: command.cartId,
    journey: command.journey,
    stage: command.stage,
    step: command.step,
    segment: command.segment,
    variant: command.variant,
    discountPercent: command.discountPercent,
    key: command.key,
    command,
  };
}

/** a binary min-heap of (time, profile id); stale entries are skipped by the caller */
class WakeQueue {
  private readonly times: number[] = [];
  private readonly ids: string[] = [];

  get size(): number {
    return this.times.length;
  }

  peek(): number {
    return this.times[0] ?? Number.POSITIVE_INFINITY;
  }

  push(at: number, id: string): void {
    const { times, ids } = this;
    let i = times.length;
    times.push(at);
    ids.push(id);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((times[parent] as number) <= at) break;
      times[i] = times[parent] as number;
      ids[i] = ids[parent] as string;
      i = parent;
    }
    times[i] = at;
    ids[i] = id;
  }

  pop(): [number, string] {
    const { times, ids } = this;
    const top: [number, string] = [times[0] as number, ids[0] as string];
    const lastAt = times.pop() as number;
    const lastId = ids.pop() as string;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (times[r] as number) < (times[l] as number) ? r : l;
        if ((times[c] as number) >= lastAt) break;
        times[i] = times[c] as number;
        ids[i] = ids[c] as string;
        i = c;
      }
      times[i] = lastAt;
      ids[i] = lastId;
    }
    return top;
  }
}

export interface SimulationOptions {
  journey: JourneySpec;
  context?: PlanContext;
  /** stop waking the planner after this instant */
  until: number;
  /** receives every command as it is produced, in time order */
  onCommand: (entry: SimulatedCommand) => void;
  /** drop each event from the array once applied, so a long replay does not hold them all */
  consume?: boolean;
}

export interface SimulationSummary {
  events: number;
  profiles: number;
  plans: number;
  commands: number;
}

/**
 * Replays events (sorted by time; ties keep their order) and wakes the planner until `until`.
 * An event and a wake-up at the same instant: the event goes first, so an order always wins.
 */
export function runSimulation(
  events: (CartEvent | undefined)[],
  options: SimulationOptions,
): SimulationSummary {
  const { journey, context, until, onCommand, consume = false } = options;
  const book = createProfileBook();
  const queue = new WakeQueue();
  const scheduled = new Map<string, number>();
  const summary: SimulationSummary = { events: events.length, profiles: 0, plans: 0, commands: 0 };

  const plan = (profileId: string, now: number) => {
    const profile = book.get(profileId);
    if (!profile) return;
    const result = planJourney(journey, profile, now, context);
    summary.plans++;
    if (result.profile !== profile) book.set(result.profile);
    for (const command of result.commands) {
      summary.commands++;
      onCommand({ at: now, command });
    }
    // the planner only asks for future wake-ups; anything else would replay the same instant forever
    if (result.wakeAt !== null && result.wakeAt > now && result.wakeAt <= until) {
      const at = result.wakeAt;
      if (scheduled.get(profileId) !== at) {
        scheduled.set(profileId, at);
        queue.push(at, profileId);
      }
    } else scheduled.delete(profileId);
  };

  let i = 0;
  let dirty = false;
  for (;;) {
    const nextEvent = events[i]?.at ?? Number.POSITIVE_INFINITY;
    const nextWake = queue.peek();
    if (nextWake < nextEvent) {
      if (nextWake > until) break;
      const [at, id] = queue.pop();
      if (scheduled.get(id) !== at) continue;
      scheduled.delete(id);
      plan(id, at);
      continue;
    }
    if (!Number.isFinite(nextEvent) || nextEvent > until) break;
    const event = events[i] as CartEvent;
    if (consume) events[i] = undefined;
    i++;
    const { profile, absorbed, changed } = book.apply(event);
    for (const gone of absorbed) scheduled.delete(gone);
    // an event that changed nothing cannot make anything due that a wake-up has not already handled
    if (changed) dirty = true;
    // the events of one message (an identify and its consent) are one change: plan after the last,
    // so nothing is sent on the half-applied state (an SMS between "identified" and "SMS denied")
    const following = events[i];
    if (following && following.at === event.at && following.contact === event.contact) continue;
    if (dirty) plan(profile.id, event.at);
    dirty = false;
  }
  summary.profiles = book.size;
  return summary;
}
