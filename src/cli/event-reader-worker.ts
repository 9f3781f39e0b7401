/**
 * The worker side of `readEventsInWorker`: reads and normalizes a file beside the simulating thread
 * and posts the events to it in batches, at most a few batches ahead of it.
 */
import { createReadStream } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { type EventReaderOptions, readEvents, type WorkerMessage } from "./event-reader.js";

/** batches posted and not yet taken: enough to keep both threads busy, few enough to bound memory */
const AHEAD = 4;

const port = parentPort;
if (!port) throw new Error("event-reader-worker runs only as a worker thread");
const { path, options } = workerData as { path: string; options: EventReaderOptions };

let credit = AHEAD;
let resume: (() => void) | null = null;
port.on("message", () => {
  credit++;
  resume?.();
  resume = null;
});

const result = await readEvents(createReadStream(path, { highWaterMark: 1 << 20 }), options, {
  async events(events) {
    while (credit === 0) await new Promise<void>((resolve) => (resume = resolve));
    credit--;
    port.postMessage({ type: "events", events } satisfies WorkerMessage);
  },
  skipped(line, reason) {
    port.postMessage({ type: "skipped", line, reason } satisfies WorkerMessage);
  },
});
port.postMessage({ type: "done", result } satisfies WorkerMessage);
port.close();
