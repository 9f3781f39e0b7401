/**
 * What the three stores share about the outbox: how commands become rows, how rows are counted, and
 * the one table of the state changes an entry may make.
 */
import type { Command } from "../core/commands.js";
import { commandDestination } from "../core/commands.js";
import type { OutboxState, ScheduledCommand } from "../runtime/store.js";
import { StoreUsageError } from "../runtime/store-errors.js";

/** the calls that change an entry's state */
export type OutboxMove =
  | "claim"
  | "markSent"
  | "markRetry"
  | "deadLetter"
  | "retryDeadLetter"
  | "dropDeadLetter";

/**
 * The state changes an outbox entry may make, by the call that makes them: a call on an entry in any
 * other state changes nothing and returns false. Every store checks its moves against this table —
 * the memory store in code, the SQL stores in the `state IN (…)` of their statements.
 */
export const OUTBOX_MOVES: Readonly<
  Record<OutboxMove, { from: readonly OutboxState[]; to: readonly OutboxState[] }>
> = {
  // pending and due, or sending with a lease that ran out (the attempt's outcome is unknown)
  claim: { from: ["pending", "sending"], to: ["sending"] },
  // a dead letter can still be found to have gone out (a late lookup, a provider's callback)
  markSent: { from: ["pending", "sending", "dead"], to: ["sent"] },
  markRetry: { from: ["sending"], to: ["pending"] },
  deadLetter: { from: ["pending", "sending"], to: ["dead", "dropped"] },
  retryDeadLetter: { from: ["dead"], to: ["pending"] },
  dropDeadLetter: { from: ["dead"], to: ["dropped"] },
};

/** true when `move` may start from `state` */
export function canMove(move: OutboxMove, state: OutboxState): boolean {
  return OUTBOX_MOVES[move].from.includes(state);
}

/** the states `move` starts from as an SQL list, e.g. `'pending', 'sending'` (constants, never input) */
export function sqlStatesFrom(move: OutboxMove): string {
  return OUTBOX_MOVES[move].from.map((state) => `'${state}'`).join(", ");
}

/** one outbox row to insert, flattened from a command or scheduled command */
export interface OutboxInsert {
  key: string;
  profileId: string;
  destination: string;
  command: Command;
  dueAt: number;
  createdAt: number;
}

/** flattens commands for insertion; the first of two commands with one key wins, like the table does */
export function toOutboxInserts(
  commands: ReadonlyArray<Command | ScheduledCommand> | undefined,
  profileId: string,
  now: number,
): OutboxInsert[] {
  const out: OutboxInsert[] = [];
  const seen = new Set<string>();
  for (const item of commands ?? []) {
    const scheduled = "command" in item;
    const command = scheduled ? item.command : item;
    const dueAt = scheduled ? item.dueAt : now;
    if (typeof command?.key !== "string" || command.key.length === 0) {
      throw new StoreUsageError(`save: every command needs an idempotency key (type ${command?.type})`);
    }
    if (!Number.isFinite(dueAt)) {
      throw new StoreUsageError(`save: command ${command.key} has no valid dueAt (${String(dueAt)})`);
    }
    if (seen.has(command.key)) continue;
    seen.add(command.key);
    out.push({
      key: command.key,
      profileId,
      destination: commandDestination(command.type),
      command,
      dueAt,
      createdAt: now,
    });
  }
  return out;
}

export function emptyOutboxCounts(): Record<OutboxState, number> {
  return { pending: 0, sending: 0, sent: 0, dead: 0, dropped: 0 };
}

/** totals and per-destination outbox counts from `(destination, state, count)` rows */
export function countOutbox(rows: Iterable<{ destination: string; state: OutboxState; n: number }>): {
  outbox: Record<OutboxState, number>;
  outboxByDestination: Record<string, Record<OutboxState, number>>;
} {
  const outbox = emptyOutboxCounts();
  const outboxByDestination: Record<string, Record<OutboxState, number>> = {};
  for (const { destination, state, n } of rows) {
    outbox[state] += n;
    outboxByDestination[destination] ??= emptyOutboxCounts();
    outboxByDestination[destination][state] += n;
  }
  return { outbox, outboxByDestination };
}
