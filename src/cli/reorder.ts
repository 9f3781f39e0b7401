/**
 * Puts a stream of events back into time order while it is read, holding only the events that a
 * later line could still precede. Events come out sorted by time, ties in the order they went in: the
 * order a stable sort of the whole input gives, for every input that is out of order by at most the
 * window.
 */
import type { CartEvent } from "../core/events.js";

export interface ReorderOptions {
  /** how far out of order (ms) an event may arrive; `Infinity` holds every event until the end */
  window: number;
  /**
   * hold this many events before releasing any, and keep holding everything if one of them arrived
   * more than `window` out of order: an input that starts out of order is held whole
   */
  probe?: number;
  /** receives the events in time order */
  release: (event: CartEvent) => void;
}

export class ReorderBuffer {
  private readonly times: number[] = [];
  private readonly seqs: number[] = [];
  private readonly events: CartEvent[] = [];
  private readonly release: (event: CartEvent) => void;
  private window: number;
  private probing: number;
  private seq = 0;
  private maxAt = Number.NEGATIVE_INFINITY;
  private maxLateness = 0;
  /** the time of the last event released: nothing before it can be placed any more */
  private releasedAt = Number.NEGATIVE_INFINITY;

  constructor(options: ReorderOptions) {
    this.window = options.window;
    this.probing = options.window === Number.POSITIVE_INFINITY ? 0 : (options.probe ?? 0);
    this.release = options.release;
  }

  /** the latest event time accepted so far (-Infinity before any) */
  get lastAt(): number {
    return this.maxAt;
  }

  /** the window in force: `Infinity` once a probe found the input too far out of order */
  get windowMs(): number {
    return this.window;
  }

  /**
   * Takes the events of one input line (all at one time). Returns null when they were accepted, or
   * the time the replay has already reached when they come too late to be placed in order.
   */
  add(events: readonly CartEvent[]): number | null {
    const first = events[0];
    if (first === undefined) return null;
    const at = first.at;
    if (at < this.releasedAt) return this.releasedAt;
    for (const event of events) this.push(event);
    if (at > this.maxAt) this.maxAt = at;
    else if (this.maxAt - at > this.maxLateness) this.maxLateness = this.maxAt - at;
    if (this.probing > 0) {
      this.probing -= events.length;
      if (this.probing > 0) return null;
      this.probing = 0;
      if (this.maxLateness > this.window) this.window = Number.POSITIVE_INFINITY;
    }
    // an event more than the window before the latest one cannot be preceded by any line still to come
    const bound = this.maxAt - this.window;
    while (this.times.length > 0 && (this.times[0] as number) < bound) this.releaseFirst();
    return null;
  }

  /** releases everything still held (the input has ended) */
  flush(): void {
    while (this.times.length > 0) this.releaseFirst();
  }

  private releaseFirst(): void {
    const event = this.pop();
    this.releasedAt = event.at;
    this.release(event);
  }

  // a binary min-heap on (time, arrival)

  private before(i: number, at: number, seq: number): boolean {
    const t = this.times[i] as number;
    return t < at || (t === at && (this.seqs[i] as number) < seq);
  }

  /** puts an entry at position i */
  private place(i: number, at: number, seq: number, event: CartEvent): void {
    this.times[i] = at;
    this.seqs[i] = seq;
    this.events[i] = event;
  }

  /** moves the entry at `from` to `to` */
  private move(to: number, from: number): void {
    this.place(to, this.times[from] as number, this.seqs[from] as number, this.events[from] as CartEvent);
  }

  private push(event: CartEvent): void {
    const at = event.at;
    const seq = this.seq++;
    let i = this.times.length;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.before(parent, at, seq)) break;
      this.move(i, parent);
      i = parent;
    }
    this.place(i, at, seq, event);
  }

  private pop(): CartEvent {
    const { times, seqs, events } = this;
    const top = events[0] as CartEvent;
    const at = times.pop() as number;
    const seq = seqs.pop() as number;
    const event = events.pop() as CartEvent;
    const n = times.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(r, times[l] as number, seqs[l] as number) ? r : l;
      if (!this.before(c, at, seq)) break;
      this.move(i, c);
      i = c;
    }
    this.place(i, at, seq, event);
    return top;
  }
}
