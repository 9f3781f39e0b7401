/**
 * The durable engine: events in, one store transaction per shopper (profile, wake-up, outbox), a
 * scheduler that wakes profiles when their journeys are due, and a dispatcher that delivers the outbox
 * exactly once per idempotency key.
 *
 * @example
 * const engine = createEngine({ store: sqliteStore({ path: "cartback.db" }), journeys: [playbook()], destinations });
 * engine.start();
 * await engine.ingest(rudderstackBatch);
 * await engine.stop();
 */
import { hostname } from "node:os";
import { clampEventTime, MAX_CLOCK_SKEW_MS } from "../core/event-time.js";
import type { CartEvent } from "../core/events.js";
import { eventIdentityKeys } from "../core/identity.js";
import { type JourneySpec, type PlanContext, resolveJourney } from "../core/journey/index.js";
import { type NormalizeOptions, normalizeEvent } from "../core/normalize/index.js";
import type { Issue } from "../core/result.js";
import type { Destination } from "../destinations/types.js";
import { applyEvents } from "./apply.js";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import { runDispatcherPass } from "./dispatcher.js";
import { createKeyedLock } from "./keyed-lock.js";
import { type Logger, silentLogger } from "./logger.js";
import { createMetricsRecorder, type EngineMetrics } from "./metrics.js";
import {
  type ForgetReport,
  findProfileId,
  forgetProfile,
  type ProfileReport,
  reportProfile,
} from "./report.js";
import { runSchedulerPass } from "./scheduler.js";
import type { Store } from "./store.js";

export interface EngineOptions {
  store: Store;
  journeys: JourneySpec[];
  destinations: Destination[];
  clock?: Clock;
  logger?: Logger;
  plan?: PlanContext;
  normalize?: NormalizeOptions;
  /** names this process in leases; default `hostname:pid` */
  worker?: string;
  /**
   * how far ahead of its receipt an event may be dated (epoch ms of clock skew); one dated later
   * takes the time it was received, so a wrong or made-up date cannot outrank what follows it.
   * Default 5 minutes (`MAX_CLOCK_SKEW_MS`)
   */
  clockSkewMs?: number;
  /** shopper transactions in flight at once during `ingest`; default 64 */
  concurrency?: number;
  scheduler?: { intervalMs?: number; batch?: number; leaseMs?: number; concurrency?: number };
  dispatcher?: {
    intervalMs?: number;
    batch?: number;
    leaseMs?: number;
    maxAttempts?: number;
    /**
     * the least wait before asking a provider whether an attempt that got no answer (a timeout, a
     * reset connection) went out; default 30 s, so a request the provider held past the client's
     * timeout has landed by then
     */
    lookupDelayMs?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    concurrency?: number;
    /** randomness for backoff jitter (0 ≤ x < 1); pass a seeded one for reproducible retry times */
    random?: () => number;
  };
  /** how often the running engine refreshes outbox depth and due counts for `metrics()`; default 5 s */
  statsIntervalMs?: number;
}

export interface IngestResult {
  /** messages that normalized */
  accepted: number;
  /** cart events they produced (a message can produce none or several) */
  events: number;
  rejected: { index: number; messageId?: string; issues: Issue[] }[];
}

export interface Engine {
  /** normalizes each message; invalid ones are rejected one by one, valid ones applied durably before it resolves */
  ingest(messages: unknown[]): Promise<IngestResult>;
  /** applies already-normalized events (webhooks, delivery feedback) */
  ingestEvents(events: readonly CartEvent[]): Promise<void>;
  /** one scheduler pass and one dispatcher pass, for manual clocks and tests */
  tick(): Promise<{ woke: number; dispatched: number }>;
  /** runs the scheduler and dispatcher loops until `stop` */
  start(): void;
  /** stops the loops and waits for in-flight passes and ingests */
  stop(): Promise<void>;
  metrics(): EngineMetrics;
  /** refreshes the store-derived numbers (outbox depth, due profiles) and returns the metrics */
  collectMetrics(): Promise<EngineMetrics>;
  /** state, journey timeline, what is scheduled next and why; by profile id, identity key, email or phone */
  showProfile(idOrKey: string): Promise<ProfileReport | null>;
  /** erasure: state, identity keys, outbox, plus the MailerLite `forget` command */
  forget(idOrKey: string): Promise<ForgetReport>;
  readonly worker: string;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`createEngine: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

/** the destination for each command type; two destinations claiming one type is a configuration error */
function routeDestinations(destinations: readonly Destination[]): Map<string, Destination> {
  const routes = new Map<string, Destination>();
  for (const destination of destinations) {
    for (const type of destination.handles) {
      const taken = routes.get(type);
      if (taken) {
        throw new Error(
          `createEngine: destinations "${taken.name}" and "${destination.name}" both handle ${type}; configure one`,
        );
      }
      routes.set(type, destination);
    }
  }
  return routes;
}

function sameShopper(keys: readonly string[], first: CartEvent, next: CartEvent): boolean {
  if (next.contact === first.contact) return next.type !== "identity_merged";
  if (next.type === "identity_merged") return false;
  const userId = next.contact.userId;
  if (userId !== undefined && userId !== first.contact.userId) return false;
  const nextKeys = eventIdentityKeys(next);
  return nextKeys.length > 0 && nextKeys.every((key) => keys.includes(key));
}

export function createEngine(options: EngineOptions): Engine {
  const { store } = options;
  if (!store || typeof store.transact !== "function")
    throw new TypeError("createEngine: options.store must be a Store");
  if (!Array.isArray(options.journeys))
    throw new TypeError("createEngine: options.journeys must be an array of journeys");
  // checked once, here: an invalid journey stops the engine from starting (`JourneyError` says why)
  const journeys = options.journeys.map(resolveJourney);
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const context = options.plan ?? {};
  if (!(context.linkBaseUrl && context.secrets?.links) && !context.shopUrl)
    logger.warn(
      { setting: "plan.shopUrl" },
      "engine: no link for carts without a checkout URL (set plan.linkBaseUrl with plan.secrets.links, or plan.shopUrl); texts about them are skipped as no_link",
    );
  const worker = options.worker ?? `${hostname()}:${process.pid}`;
  const metrics = createMetricsRecorder();
  const routes = routeDestinations(options.destinations ?? []);
  const ingestConcurrency = positive("concurrency", options.concurrency, 64);
  const clockSkewMs =
    options.clockSkewMs === 0 ? 0 : positive("clockSkewMs", options.clockSkewMs, MAX_CLOCK_SKEW_MS);
  const s = options.scheduler ?? {};
  const d = options.dispatcher ?? {};
  const schedulerInterval = positive("scheduler.intervalMs", s.intervalMs, 250);
  const dispatcherInterval = positive("dispatcher.intervalMs", d.intervalMs, 250);
  const statsInterval = positive("statsIntervalMs", options.statsIntervalMs, 5_000);
  const lock = createKeyedLock();

  const schedulerDeps = {
    store,
    journeys,
    context,
    clock,
    logger,
    metrics,
    worker,
    batch: positive("scheduler.batch", s.batch, 200),
    leaseMs: positive("scheduler.leaseMs", s.leaseMs, 60_000),
    concurrency: positive("scheduler.concurrency", s.concurrency, 32),
  };
  const dispatcherDeps = {
    store,
    destinations: routes,
    clock,
    logger,
    metrics,
    worker,
    batch: positive("dispatcher.batch", d.batch, 100),
    leaseMs: positive("dispatcher.leaseMs", d.leaseMs, 120_000),
    concurrency: positive("dispatcher.concurrency", d.concurrency, 16),
    maxAttempts: positive("dispatcher.maxAttempts", d.maxAttempts, 8),
    lookupDelayMs: positive("dispatcher.lookupDelayMs", d.lookupDelayMs, 30_000),
    backoff: {
      baseDelayMs: positive("dispatcher.baseDelayMs", d.baseDelayMs, 5_000),
      maxDelayMs: positive("dispatcher.maxDelayMs", d.maxDelayMs, 3_600_000),
    },
    random: d.random ?? Math.random,
    feedback: (events: CartEvent[]) => ingestEvents(events),
  };

  let slots = ingestConcurrency;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> | undefined => {
    if (slots > 0) {
      slots--;
      return undefined;
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  };

  async function ingestEvents(received: readonly CartEvent[]): Promise<void> {
    const receivedAt = clock.now();
    const events = received.map((event) => clampEventTime(event, receivedAt, clockSkewMs));
    // consecutive events with the same identity keys (one message's events) share a transaction;
    // groups that share a key run in order, the others in parallel
    const tasks: Promise<void>[] = [];
    let i = 0;
    while (i < events.length) {
      const first = events[i] as CartEvent;
      const keys = eventIdentityKeys(first);
      let j = i + 1;
      // an event whose keys are all among the first one's lands on the same profile once the first is
      // applied (its keys all point there), so it can share the transaction: e.g. identify, then tracks
      while (j < events.length && sameShopper(keys, first, events[j] as CartEvent)) j++;
      const group = events.slice(i, j);
      i = j;
      const wait = acquire();
      if (wait) await wait;
      const lockKeys = keys.length > 0 ? keys : [`event:${first.id}`];
      tasks.push(
        lock
          .run(lockKeys, async () => {
            const outcome = await applyEvents(store, group, journeys, context, clock.now());
            metrics.events.accepted += group.length;
            for (const recovery of outcome.recoveries) metrics.recovered(recovery);
            if (outcome.enqueued.length > 0) metrics.enqueued(outcome.enqueued.length);
          })
          .finally(release),
      );
    }
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  async function ingest(messages: unknown[]): Promise<IngestResult> {
    if (!Array.isArray(messages)) throw new TypeError("ingest: messages must be an array");
    const rejected: IngestResult["rejected"] = [];
    const events: CartEvent[] = [];
    let accepted = 0;
    messages.forEach((message, index) => {
      const result = normalizeEvent(message, options.normalize ?? {});
      if (!result.success) {
        const id = (message as { messageId?: unknown } | null)?.messageId;
        rejected.push({ index, ...(typeof id === "string" ? { messageId: id } : {}), issues: result.error });
        return;
      }
      accepted++;
      for (const event of result.data) events.push(event);
    });
    metrics.messages.rejected += rejected.length;
    metrics.events.rejected += rejected.length;
    if (events.length > 0) await ingestEvents(events);
    metrics.messages.accepted += accepted;
    return { accepted, events: events.length, rejected };
  }

  async function refreshStats(): Promise<void> {
    const stats = await store.stats(clock.now());
    metrics.setStats({
      outbox: stats.outbox,
      outboxByDestination: stats.outboxByDestination,
      dueProfiles: stats.dueProfiles,
      profiles: stats.profiles,
    });
  }

  let running = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inFlight = new Set<Promise<unknown>>();

  function loop(name: string, intervalMs: number, pass: () => Promise<number>) {
    const run = () => {
      if (!running) return;
      const task = pass().then(
        (worked) => worked,
        (error) => {
          logger.error({ err: error }, `${name}: pass failed`);
          return 0;
        },
      );
      inFlight.add(task);
      void task.then((worked) => {
        inFlight.delete(task);
        if (!running) return;
        // busy: go again at once (after I/O); idle: wait
        const timer = setTimeout(
          () => {
            timers.delete(timer);
            run();
          },
          worked > 0 ? 0 : intervalMs,
        );
        timers.add(timer);
      });
    };
    run();
  }

  return {
    worker,
    ingest,
    ingestEvents,
    async tick() {
      const woke = await runSchedulerPass(schedulerDeps);
      const dispatched = await runDispatcherPass(dispatcherDeps);
      return { woke, dispatched };
    },
    start() {
      if (running) return;
      running = true;
      logger.info(
        { worker, store: store.name, destinations: [...new Set([...routes.values()].map((x) => x.name))] },
        "engine started",
      );
      loop("scheduler", schedulerInterval, () => runSchedulerPass(schedulerDeps));
      loop("dispatcher", dispatcherInterval, () => runDispatcherPass(dispatcherDeps));
      loop("stats", statsInterval, async () => {
        await refreshStats();
        return 0;
      });
    },
    async stop() {
      running = false;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      await lock.drain();
      logger.info({ worker }, "engine stopped");
    },
    metrics: () => metrics.snapshot(),
    async collectMetrics() {
      await refreshStats();
      return metrics.snapshot();
    },
    async showProfile(idOrKey) {
      const id = await findProfileId(store, idOrKey, options.normalize?.defaultRegion);
      return id === null ? null : reportProfile(store, id, journeys, context);
    },
    async forget(idOrKey) {
      const id = await findProfileId(store, idOrKey, options.normalize?.defaultRegion);
      if (id === null)
        return { found: false, profileId: null, keys: [], outboxRemoved: 0, mailerliteForget: null };
      return lock.run([`forget:${id}`], () => forgetProfile(store, id, clock.now()));
    },
  };
}
