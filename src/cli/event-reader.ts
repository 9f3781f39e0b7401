/**
 * Reads an NDJSON stream of messages into cart events in time order, for `cartback simulate`: each
 * line parsed, normalized and put back into order (`ReorderBuffer`); a line that cannot be used is
 * reported with its number and skipped. The same code runs in the simulating thread or, for a large
 * file, in a worker thread beside it (`event-reader-worker.ts`).
 */
import type { Readable } from "node:stream";
import { Worker } from "node:worker_threads";
import type { CartEvent } from "../core/events.js";
import { formatDuration } from "../core/journey/index.js";
import { normalizeEvent } from "../core/normalize/index.js";
import type { NormalizeOptions } from "../core/normalize/options.js";
import { formatIssues } from "../core/result.js";
import { parseNdjsonLine, readLines } from "./ndjson.js";
import { ReorderBuffer } from "./reorder.js";

/** the most events handed over at once */
const BATCH = 4096;

export interface EventReaderOptions {
  normalize: NormalizeOptions;
  /** how far out of order (ms) a line may be; `Infinity` holds and sorts everything */
  window: number;
  /** events looked at before the window is trusted (see `ReorderOptions.probe`) */
  probe: number;
}

export interface EventSink {
  /** events in time order, a batch per chunk of input; the reader waits for a returned promise */
  events(batch: CartEvent[]): void | Promise<void>;
  /** a line that was skipped, and why */
  skipped(line: number, reason: string): void;
}

export interface EventReaderResult {
  /** the latest event time read, or null when there was none */
  lastAt: number | null;
  /** lines skipped */
  skipped: number;
}

function late(at: number, reached: number, window: number): string {
  return `its time ${new Date(at).toISOString()} is ${formatDuration(reached - at)} before events already replayed (${new Date(reached).toISOString()}); lines are put back in order when they are at most ${formatDuration(window)} out of order (--reorder-window, or all to hold and sort everything)`;
}

export async function readEvents(
  input: Readable,
  options: EventReaderOptions,
  sink: EventSink,
): Promise<EventReaderResult> {
  let batch: CartEvent[] = [];
  const full: CartEvent[][] = [];
  const reorder = new ReorderBuffer({
    window: options.window,
    probe: options.probe,
    release: (event) => {
      batch.push(event);
      if (batch.length === BATCH) {
        full.push(batch);
        batch = [];
      }
    },
  });
  /** hands over everything released so far */
  const deliver = async () => {
    if (batch.length > 0) {
      full.push(batch);
      batch = [];
    }
    for (const events of full.splice(0)) await sink.events(events);
  };
  let skipped = 0;
  const skip = (line: number, reason: string) => {
    skipped++;
    sink.skipped(line, reason);
  };
  let line = 0;
  for await (const lines of readLines(input)) {
    for (const text of lines) {
      const entry = parseNdjsonLine(++line, text);
      if (!entry) continue;
      if ("error" in entry) {
        skip(line, entry.error);
        continue;
      }
      const result = normalizeEvent(entry.value, options.normalize);
      if (!result.success) {
        skip(line, formatIssues(result.error));
        continue;
      }
      const reached = reorder.add(result.data);
      if (reached !== null) skip(line, late(result.data[0]?.at ?? reached, reached, reorder.windowMs));
    }
    await deliver();
  }
  reorder.flush();
  await deliver();
  return { lastAt: Number.isFinite(reorder.lastAt) ? reorder.lastAt : null, skipped };
}

/** what the reader thread posts */
export type WorkerMessage =
  | { type: "events"; events: CartEvent[] }
  | { type: "skipped"; line: number; reason: string }
  | { type: "done"; result: EventReaderResult };

/** whether this module runs compiled, so that the worker's own compiled file is beside it */
export const canReadInWorker = import.meta.url.endsWith(".js");

/**
 * `readEvents` on a file in a worker thread: reading, parsing and normalizing run beside the thread
 * that consumes the events. The events arrive in the same order and batches as from `readEvents`;
 * `sink.events` is called for one batch at a time and must apply it before it returns. A promise it
 * returns holds the reader back until it resolves (the batches already on their way still arrive).
 */
export function readEventsInWorker(
  path: string,
  options: EventReaderOptions,
  sink: EventSink,
): Promise<EventReaderResult> {
  const worker = new Worker(new URL("./event-reader-worker.js", import.meta.url), {
    workerData: { path, options },
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(error);
    };
    worker.on("message", (message: WorkerMessage) => {
      if (settled) return;
      try {
        if (message.type === "events") {
          // the reader stays a few batches ahead; a sink that has to wait (its output is full)
          // holds it back: this batch's credit goes back once the wait is over
          const waiting = sink.events(message.events);
          if (waiting) waiting.then(() => worker.postMessage(0), fail);
          else worker.postMessage(0);
        } else if (message.type === "skipped") sink.skipped(message.line, message.reason);
        else {
          settled = true;
          resolve(message.result);
        }
      } catch (error) {
        fail(error);
      }
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the event reader stopped early (exit code ${code})`)));
  });
}
