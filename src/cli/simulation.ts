/**
 * A virtual-clock replay of cart events through the journey planner: events in timestamp order, the
 * planner woken at every `wakeAt`, every command recorded with the moment it was produced. Shared by
 * `cartback simulate` and the benchmarks. It decides as the runtime does — the same reducer, the
 * same merge rule (`joinProfiles`), the same planning entry (`planShopper`) — and differs only in
 * where profiles live (a profile book in memory, not a store) and in its clock (a virtual one that
 * jumps to the next wake-up).
 */
import { type Command, type CommandMeta, commandMeta } from "../core/commands.js";
import type { CartEvent, Channel } from "../core/events.js";
import { createProfileBook } from "../core/identity.js";
import {
  instanceKey,
  type JourneyInstance,
  type JourneySpec,
  type PlanContext,
  planShopper,
  resolveJourney,
} from "../core/journey/index.js";
import type { Profile } from "../core/profile.js";

export interface SimulatedCommand {
  at: number;
  command: Command;
  /** with `explain`: for a message that went out later than it was due, when it was due and what held it */
  held?: { due: number; by: string[] };
}

/** with `explain`: a step that was not sent, and why */
export interface SimulatedSkip {
  at: number;
  profileId: string;
  journey: string;
  cartId: string;
  segment: string | null;
  stage: number;
  step: string;
  channel: Channel | null;
  key: string;
  reason: string;
}

/** one line of `cartback simulate --format ndjson`: the stable output contract, the command's
 * metadata next to the command itself */
export type SimulationRecord = Omit<CommandMeta, "after"> & {
  at: string;
  type: Command["type"];
  after: string | null;
  command: Command;
  /** with `--explain`, on messages: when it was due and what held it, or null when it went on time */
  held?: { due: string; by: string[] } | null;
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

export function toRecord({ at, command, held }: SimulatedCommand, explain = false): SimulationRecord {
  const meta = commandMeta(command, command.kind, command.key);
  const record: SimulationRecord = {
    at: isoTime(at),
    type: command.type,
    ...meta,
    after: command.after ?? null,
    command,
  };
  if (explain && command.kind === "message") {
    record.held = held ? { due: new Date(held.due).toISOString(), by: held.by } : null;
  }
  return record;
}

/** with `--explain`: one line of `cartback simulate` for a message that was not sent */
export interface SkipRecord {
  at: string;
  type: "journey.skipped";
  kind: "skipped";
  channel: Channel | null;
  profileId: string;
  cartId: string;
  journey: string;
  stage: number;
  step: string;
  segment: string | null;
  key: string;
  reason: string;
}

export function toSkipRecord(skip: SimulatedSkip): SkipRecord {
  return {
    at: isoTime(skip.at),
    type: "journey.skipped",
    kind: "skipped",
    channel: skip.channel,
    profileId: skip.profileId,
    cartId: skip.cartId,
    journey: skip.journey,
    stage: skip.stage,
    step: skip.step,
    segment: skip.segment,
    key: skip.key,
    reason: skip.reason,
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
  /** the journeys to run, as the runtime would (checked here: `JourneyError` says what is wrong) */
  journeys: readonly JourneySpec[];
  context?: PlanContext;
  /** stop waking the planner after this instant, and ignore events after it */
  until: number;
  /** receives every command as it is produced, in time order */
  onCommand: (entry: SimulatedCommand) => void;
  /**
   * explains the replay: messages that went out later than due carry `held`, and every step that was
   * not sent reaches `onSkip` with its reason (costs a look at every changed journey instance)
   */
  explain?: { onSkip: (skip: SimulatedSkip) => void };
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
  /** the shoppers as the replay left them (for the report) */
  profiles(): Iterable<Profile>;
}

/**
 * A replay on a virtual clock: events in time order, the planner woken at every `wakeAt`.
 * An event and a wake-up at the same instant: the event goes first, so an order always wins.
 * `options.until` bounds the replay while events arrive; `close` may move it (to a time after the
 * last event, when it depends on that event).
 */
export function createSimulation(options: SimulationOptions): Simulation {
  const { context, onCommand, explain } = options;
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

  /** the holds of the messages a plan sent, by key, and the steps it did not send */
  const explainPlan = (before: Profile, instances: readonly JourneyInstance[], now: number) => {
    const held = new Map<string, { due: number; by: string[] }>();
    const skips: SimulatedSkip[] = [];
    for (const instance of instances) {
      const previous = before.journeys[instanceKey(instance.journey, instance.cartId)];
      for (const sent of instance.sent.slice(previous?.sent.length ?? 0)) {
        if (sent.due !== undefined && sent.heldBy) held.set(sent.key, { due: sent.due, by: sent.heldBy });
      }
      for (const skip of (instance.skipped ?? []).slice(previous?.skipped?.length ?? 0)) {
        skips.push({
          at: now,
          profileId: before.id,
          journey: instance.journey,
          cartId: instance.cartId,
          segment: instance.segment,
          stage: skip.stage,
          step: skip.step,
          channel: skip.channel,
          key: skip.key,
          reason: skip.reason,
        });
      }
    }
    return { held, skips };
  };

  const plan = (profileId: string, now: number) => {
    const profile = book.get(profileId);
    if (!profile) return;
    const result = planShopper(journeys, profile, now, context);
    summary.plans++;
    if (result.profile !== profile) book.set(result.profile);
    const explained =
      explain && result.instances.length > 0 ? explainPlan(profile, result.instances, now) : null;
    for (const command of result.commands) {
      summary.commands++;
      const hold = explained?.held.get(command.key);
      onCommand(hold ? { at: now, command, held: hold } : { at: now, command });
    }
    if (explained) for (const skip of explained.skips) explain?.onSkip(skip);
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
    profiles: () => book.profiles(),
  };
}

/** Replays events sorted by time (ties keep their order) and wakes the planner until `until`. */
export function runSimulation(events: readonly CartEvent[], options: SimulationOptions): SimulationSummary {
  const simulation = createSimulation(options);
  for (const event of events) simulation.push(event);
  return simulation.finish();
}
