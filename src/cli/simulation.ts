/**
 * A virtual-clock replay of cart events through the journey planner: events in timestamp order, the
 * planner woken at every `wakeAt`, every command recorded with the moment it was produced. Shared by
 * `cartback simulate` and the benchmarks. It decides as the runtime does — the same reducer, the
 * same merge rule (`joinProfiles`), the same planning entry (`planShopper`) — and differs only in
 * where profiles live (a profile book in memory, not a store) and in its clock (a virtual one that
 * jumps to the next wake-up).
 */
import { type Command, type CommandMeta, commandMeta } from "../core/commands.js";
import type { CartEvent } from "../core/events.js";
import { createProfileBook } from "../core/identity.js";
import { type JourneySpec, type PlanContext, planShopper, resolveJourney } from "../core/journey/index.js";

export interface SimulatedCommand {
  at: number;
  command: Command;
}

/** one line of `cartback simulate --format ndjson`: the stable output contract, the command's
 * metadata next to the command itself */
export type SimulationRecord = Omit<CommandMeta, "after"> & {
  at: string;
  type: Command["type"];
  after: string | null;
  command: Command;
};

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
  const meta = commandMeta(command, command.kind, command.key);
  return { at: isoTime(at), type: command.type, ...meta, after: command.after ?? null, command };
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
  /** the journeys to run, as the runtime would (checked here: `JourneyError` says what is wrong) */
  journeys: readonly JourneySpec[];
  context?: PlanContext;
  /** stop waking the planner after this instant, and ignore events after it */
  until: number;
  /** receives every command as it is produced, in time order */
  onCommand: (entry: SimulatedCommand) => void;
}

export interface SimulationSummary {
  events: number;
  profiles: number;
  plans: number;
  commands: number;
}

/** a replay fed one event at a time, in time order */
export interface Simulation {
  /**
   * applies the next event: its time must not be before the previous event's (ties keep the order
   * they are pushed in). First wakes the planner for everything due before it.
   */
  push(event: CartEvent): void;
  /** ends the input: no event follows; `until` (when given) moves the replay's end */
  close(until?: number): void;
  /**
   * after `close`: wakes the planner for at most `limit` profiles due up to `until`, in time order,
   * and says whether more are due. A caller that writes the commands out waits for its reader between
   * calls, so the wake-ups after the last event need not all be held at once.
   */
  wakeSome(limit: number): boolean;
  /** wakes the planner for everything still due up to `until` and ends the replay */
  finish(): SimulationSummary;
}

/**
 * A replay on a virtual clock: events in time order, the planner woken at every `wakeAt`.
 * An event and a wake-up at the same instant: the event goes first, so an order always wins.
 * `options.until` bounds the replay while events arrive; `close` may move it (to a time after the
 * last event, when it depends on that event).
 */
export function createSimulation(options: SimulationOptions): Simulation {
  const { context, onCommand } = options;
  const journeys = options.journeys.map(resolveJourney);
  let until = options.until;
  const book = createProfileBook();
  const queue = new WakeQueue();
  const scheduled = new Map<string, number>();
  const summary: SimulationSummary = { events: 0, profiles: 0, plans: 0, commands: 0 };
  // the last event applied and its profile; whether its message changed anything, to plan once the
  // next event shows that the message is complete
  let last: CartEvent | undefined;
  let lastProfileId = "";
  let dirty = false;
  let closed = false;
  let ended = false;

  const plan = (profileId: string, now: number) => {
    const profile = book.get(profileId);
    if (!profile) return;
    const result = planShopper(journeys, profile, now, context);
    summary.plans++;
    if (result.profile !== profile) book.set(result.profile);
    for (const command of result.commands) {
      summary.commands++;
      onCommand({ at: now, command });
    }
    // the planner only asks for future wake-ups; anything else would replay the same instant forever.
    // Wake-ups after `until` stay queued: `until` may still move, and the replay never reaches them
    if (result.wakeAt !== null && result.wakeAt > now) {
      const at = result.wakeAt;
      if (scheduled.get(profileId) !== at) {
        scheduled.set(profileId, at);
        queue.push(at, profileId);
      }
    } else scheduled.delete(profileId);
  };

  /**
   * wakes the profiles due before `before` (or at it, with `inclusive`), up to `until`, at most
   * `limit` of them; true when it stopped at the limit
   */
  const wakeUntil = (before: number, inclusive: boolean, limit = Number.POSITIVE_INFINITY): boolean => {
    for (let woken = 0; ; ) {
      const at = queue.peek();
      if (at > until || at > before || (at === before && !inclusive)) return false;
      if (woken === limit) return true;
      const [, id] = queue.pop();
      if (scheduled.get(id) !== at) continue;
      scheduled.delete(id);
      plan(id, at);
      woken++;
    }
  };

  /** plans the profile the last event changed: its message is complete */
  const settle = () => {
    if (dirty && last) plan(lastProfileId, last.at);
    dirty = false;
  };

  const close = (end = until) => {
    if (closed) throw new Error("the replay's input has ended");
    until = end;
    settle();
    closed = true;
  };

  return {
    push(event) {
      if (closed) throw new Error("the replay's input has ended");
      if (last && event.at < last.at) {
        throw new Error(`events must arrive in time order: ${event.id} is before ${last.id}`);
      }
      summary.events++;
      if (event.at > until) return;
      // the events of one message (an identify and its consent) are one change: plan after the last,
      // so nothing is sent on the half-applied state (an SMS between "identified" and "SMS denied")
      if (!last || event.at !== last.at || event.contact !== last.contact) {
        settle();
        wakeUntil(event.at, false);
      }
      const { profile, absorbed, changed } = book.apply(event);
      for (const gone of absorbed) scheduled.delete(gone);
      // an event that changed nothing cannot make anything due that a wake-up has not already handled
      if (changed) dirty = true;
      last = event;
      lastProfileId = profile.id;
    },
    close,
    wakeSome(limit) {
      if (!closed || ended) throw new Error("wakeSome runs between close and finish");
      return wakeUntil(until, true, limit);
    },
    finish() {
      if (ended) throw new Error("the replay has ended");
      if (!closed) close();
      wakeUntil(until, true);
      ended = true;
      summary.profiles = book.size;
      return summary;
    },
  };
}

/** Replays events sorted by time (ties keep their order) and wakes the planner until `until`. */
export function runSimulation(events: readonly CartEvent[], options: SimulationOptions): SimulationSummary {
  const simulation = createSimulation(options);
  for (const event of events) simulation.push(event);
  return simulation.finish();
}
