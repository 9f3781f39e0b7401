/**
 * The reference a store's team would build instead of cartback: the `playbook` journey's scheduling
 * on BullMQ + Redis, the common Node design (a delayed-job queue with one job per cart and stage that
 * re-checks the cart when it fires). Benchmark code only; it is not part of the package.
 *
 * Design, written the way a competent team would:
 * - State: one JSON document per shopper in Redis (a hash `<ns>:p:<profileId>` with a version and
 *   the pending wake-up time, which names its job) and one key per identity (`<ns>:k:<key>`) that
 *   points at it. The shopper's events are normalized, joined, reduced and planned with cartback's
 *   own pure core (`normalizeEvent`, `joinProfiles`, `reduceProfile`, `planShopper`), so both sides
 *   decide identically and only the machinery differs.
 * - Writes are optimistic: a Lua script saves the new document only if every document it was derived
 *   from still has the version that was read (else the shopper is reloaded and replanned, up to 5
 *   times), and moves the identity keys in the same step. Within a process, one shopper's events run
 *   in order; shoppers run 64 at a time; ioredis pipelines the commands of concurrent shoppers.
 * - Scheduling: each stage's wake-up is one delayed BullMQ job (`wake`) with the job id
 *   `<profileId>@<wakeAt>` (colons made underscores), so a replayed event cannot schedule a stage
 *   twice. The jobs of an ingest batch are added with one `addBulk`. When a plan moves or drops the
 *   wake-up (an order, a consent withdrawal, a cart change), the pending job is removed
 *   (`Queue.remove`); a job that is already running cannot be removed, and the fire-time check
 *   below has to catch it.
 * - Firing: the worker loads the shopper, skips a job that no longer matches the stored wake-up,
 *   replans at the current time, saves (optimistically, as above) and then sends the message
 *   commands that are due now. Commands the plan schedules for later (the text that follows an
 *   email within a stage) become delayed `send` jobs (job id = the command's idempotency key) that
 *   re-read the shopper and send only when the cart was not ordered and consent still holds. The
 *   next stage's wake-up is added as the next delayed job.
 * - Sending is recorded, not delivered: a Lua script counts each message and, in the same step,
 *   whether the cart's order had already been recorded (the measure of messages after an order).
 * - Time: the benchmark's clock (`now`) is virtual or accelerated; BullMQ's delays are real
 *   milliseconds, so a plan's due time is turned into a real delay by the benchmark (`realDelay`).
 */
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Command } from "../src/core/commands.js";
import type { CartEvent } from "../src/core/events.js";
import { eventIdentityKeys, joinProfiles, profileIdFor } from "../src/core/identity.js";
import { planShopper, type ResolvedJourney } from "../src/core/journey/index.js";
import { normalizeEvent } from "../src/core/normalize/index.js";
import type { Profile } from "../src/core/profile.js";
import { emptyProfile, reduceProfile } from "../src/core/reduce.js";
import { createKeyedLock } from "../src/runtime/keyed-lock.js";
import type { ScheduledCommand } from "../src/runtime/store.js";
import { BENCH_PLAN } from "./generate-stream.js";

export interface PeerOptions {
  redisUrl: string;
  /** key namespace and BullMQ prefix; everything the reference writes lives under it */
  ns: string;
  journeys: readonly ResolvedJourney[];
  /** the benchmark's clock (epoch ms, virtual) */
  now: () => number;
  /** the real ms from now until the virtual time `due`, for BullMQ delays */
  realDelay: (due: number, now: number) => number;
  /** worker concurrency (jobs in flight per process); default 50 */
  concurrency?: number;
}

interface StoredDoc {
  v: number;
  wakeAt: number | null;
  profile: Profile;
}

/** keys: profile keys of the documents read (with their versions in ARGV), then the new one, then identity keys */
const SAVE = `
local n = tonumber(ARGV[1])
for i = 1, n do
  local cur = redis.call('HGET', KEYS[i], 'v')
  local want = ARGV[1 + i]
  if (cur or '0') ~= want then return 0 end
end
local target = KEYS[n + 1]
local v = tonumber(redis.call('HGET', target, 'v') or '0') + 1
redis.call('HSET', target, 'v', v, 'doc', ARGV[n + 2], 'wakeAt', ARGV[n + 3])
for i = 1, n do
  if KEYS[i] ~= target then redis.call('DEL', KEYS[i]) end
end
local id = ARGV[n + 4]
for i = n + 2, #KEYS - 1 do redis.call('SET', KEYS[i], id) end
local orders = KEYS[#KEYS]
for i = n + 5, #ARGV do redis.call('HSET', orders, ARGV[i], 1) end
return 1
`;

/** KEYS: orders hash, counters hash; ARGV: cart ids of the messages sent */
const SEND = `
for i = 1, #ARGV do
  redis.call('HINCRBY', KEYS[2], 'sent', 1)
  if ARGV[i] ~= '' and redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    redis.call('HINCRBY', KEYS[2], 'afterOrder', 1)
  end
end
return 1
`;

interface WakeData {
  profileId: string;
  wakeAt: number;
}
interface SendData {
  profileId: string;
  command: Command;
}

export interface PeerStats {
  /** message commands the plans made (sent at once or as delayed `send` jobs) */
  planned: number;
  /** real ms between a wake job's due time and its start, per wake-up handled */
  lateness: number[];
  wakeUps: number;
  conflicts: number;
}

function isScheduled(c: Command | ScheduledCommand): c is ScheduledCommand {
  return (c as ScheduledCommand).command !== undefined;
}

export function createPeer(options: PeerOptions) {
  const { ns, journeys } = options;
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: null, enableAutoPipelining: true });
  redis.defineCommand("cbSave", { lua: SAVE });
  redis.defineCommand("cbSend", { numberOfKeys: 2, lua: SEND });
  const run = redis as unknown as {
    cbSave(numKeys: number, ...args: (string | number)[]): Promise<number>;
    cbSend(orders: string, counters: string, ...carts: string[]): Promise<number>;
  };
  const queue = new Queue("carts", { connection: redis, prefix: ns });
  const lock = createKeyedLock();
  const pKey = (id: string) => `${ns}:p:${id}`;
  const kKey = (key: string) => `${ns}:k:${key}`;
  const ordersKey = `${ns}:orders`;
  const countersKey = `${ns}:counters`;
  const stats: PeerStats = { planned: 0, lateness: [], wakeUps: 0, conflicts: 0 };
  let worker: Worker | null = null;
  let workerConnection: Redis | null = null;

  async function loadDoc(id: string): Promise<(StoredDoc & { id: string }) | null> {
    const h = await redis.hgetall(pKey(id));
    if (!h.v) return null;
    return {
      id,
      v: Number(h.v),
      wakeAt: h.wakeAt === "" || h.wakeAt === undefined ? null : Number(h.wakeAt),
      profile: JSON.parse(h.doc as string) as Profile,
    };
  }

  /** cart ids newly ordered between two states of a shopper */
  function newOrders(before: Profile | null, after: Profile): string[] {
    const was = new Set(before?.carts.filter((c) => c.orderedAt !== undefined).map((c) => c.id) ?? []);
    return after.carts.filter((c) => c.orderedAt !== undefined && !was.has(c.id)).map((c) => c.id);
  }

  /** optimistic save; false when a document changed since it was read */
  async function save(
    read: { id: string; v: number }[],
    profile: Profile,
    wakeAt: number | null,
    keys: string[],
    ordered: string[],
  ): Promise<boolean> {
    // a document saved for the first time must still be absent (version 0)
    const reads = read.some((r) => r.id === profile.id) ? read : [...read, { id: profile.id, v: 0 }];
    // KEYS: the documents read, the one written, its identity keys, the orders hash
    const redisKeys = [...reads.map((r) => pKey(r.id)), pKey(profile.id), ...keys.map(kKey), ordersKey];
    const ok = await run.cbSave(
      redisKeys.length,
      ...redisKeys,
      reads.length,
      ...reads.map((r) => String(r.v)),
      JSON.stringify(profile),
      wakeAt === null ? "" : String(wakeAt),
      profile.id,
      ...ordered,
    );
    if (!ok) stats.conflicts++;
    return ok === 1;
  }

  /** BullMQ refuses most job ids with a colon */
  const jobId = (profileId: string, wakeAt: number) => `${profileId.replaceAll(":", "_")}@${wakeAt}`;

  interface JobChanges {
    add: { name: string; data: WakeData | SendData; opts: { jobId: string; delay: number } }[];
    remove: string[];
  }

  function scheduleChanges(
    changes: JobChanges,
    profileId: string,
    before: number | null,
    after: number | null,
    commands: readonly (Command | ScheduledCommand)[],
    now: number,
  ) {
    if (before !== after) {
      if (before !== null) changes.remove.push(jobId(profileId, before));
      if (after !== null) {
        changes.add.push({
          name: "wake",
          data: { profileId, wakeAt: after },
          opts: { jobId: jobId(profileId, after), delay: options.realDelay(after, now) },
        });
      }
    }
    for (const c of commands) {
      if (!isScheduled(c) || c.command.kind !== "message" || c.dueAt <= now) continue;
      changes.add.push({
        name: "send",
        data: { profileId, command: c.command },
        opts: { jobId: c.command.key.replaceAll(":", "_"), delay: options.realDelay(c.dueAt, now) },
      });
    }
  }

  /** messages due now; later ones went to delayed `send` jobs */
  async function sendNow(commands: readonly (Command | ScheduledCommand)[], now: number) {
    const carts: string[] = [];
    for (const c of commands) {
      const command = isScheduled(c) ? c.command : c;
      if (command.kind !== "message") continue;
      stats.planned++;
      if (isScheduled(c) && c.dueAt > now) continue;
      carts.push(command.cartId ?? "");
    }
    if (carts.length > 0) await run.cbSend(ordersKey, countersKey, ...carts);
  }

  async function applyGroup(group: CartEvent[], changes: JobChanges) {
    const head = group[0] as CartEvent;
    const keys = eventIdentityKeys(head);
    const fresh = profileIdFor(keys);
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = options.now();
      const owners = keys.length > 0 ? await redis.mget(...keys.map(kKey)) : [];
      const ids = [...new Set(owners.filter((o): o is string => o !== null))];
      const loaded = (await Promise.all(ids.map(loadDoc))).filter((d) => d !== null);
      let chosen = joinProfiles(loaded, (d) => d.profile, head.contact.userId);
      if (chosen === null) {
        const existing = await loadDoc(fresh);
        chosen =
          existing && (!existing.profile.userId || existing.profile.userId === head.contact.userId)
            ? { profile: existing.profile, members: [existing], absorbed: [] }
            : { profile: emptyProfile(fresh, head.at), members: existing ? [existing] : [], absorbed: [] };
      }
      let profile = chosen.profile;
      for (const event of group) profile = reduceProfile(profile, event);
      const planned = planShopper(journeys, profile, now, BENCH_PLAN);
      const self = chosen.members.find((m) => m.id === planned.profile.id);
      const read = chosen.members.map((m) => ({ id: m.id, v: m.v }));
      const ordered = newOrders(self?.profile ?? null, planned.profile);
      if (!(await save(read, planned.profile, planned.wakeAt, keys, ordered))) continue;
      const before = self?.wakeAt ?? null;
      scheduleChanges(changes, planned.profile.id, before, planned.wakeAt, planned.commands, now);
      for (const member of chosen.members) {
        if (member.id !== planned.profile.id && member.wakeAt !== null)
          changes.remove.push(jobId(member.id, member.wakeAt));
      }
      await sendNow(planned.commands, now);
      return;
    }
    throw new Error(`bullmq reference: shopper ${fresh} kept changing under 5 attempts`);
  }

  async function flush(changes: JobChanges) {
    // removals first: a job re-added under the same id after a removal must stay
    await Promise.all(changes.remove.map((id) => queue.remove(id)));
    for (let i = 0; i < changes.add.length; i += 500) await queue.addBulk(changes.add.slice(i, i + 500));
  }

  return {
    queue,
    redis,
    stats,
    /** one RudderStack batch: normalize, apply per shopper, then the batch's job changes in bulk */
    async ingest(messages: unknown[]): Promise<number> {
      const events: CartEvent[] = [];
      for (const message of messages) {
        const result = normalizeEvent(message, {});
        if (result.success) for (const e of result.data) events.push(e);
      }
      const changes: JobChanges = { add: [], remove: [] };
      const tasks: Promise<void>[] = [];
      let i = 0;
      while (i < events.length) {
        const first = events[i] as CartEvent;
        let j = i + 1;
        while (j < events.length && (events[j] as CartEvent).contact === first.contact) j++;
        const group = events.slice(i, j);
        i = j;
        const keys = eventIdentityKeys(first);
        tasks.push(
          lock.run(keys.length > 0 ? keys : [`event:${first.id}`], () => applyGroup(group, changes)),
        );
        if (tasks.length >= 64) await Promise.all(tasks.splice(0, tasks.length));
      }
      await Promise.all(tasks);
      await flush(changes);
      return events.length;
    },
    /** starts the worker that handles `wake` and `send` jobs */
    start() {
      workerConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
      worker = new Worker(
        "carts",
        async (job: Job) => {
          if (job.name === "send") {
            const { profileId, command } = job.data as SendData;
            const doc = await loadDoc(profileId);
            if (!doc) return;
            const cart = doc.profile.carts.find((c) => c.id === command.cartId);
            if (cart?.orderedAt !== undefined) return;
            if (command.channel !== null && doc.profile.consent[command.channel]?.status === "denied") return;
            await run.cbSend(ordersKey, countersKey, command.cartId ?? "");
            return;
          }
          const { profileId, wakeAt } = job.data as WakeData;
          stats.lateness.push(Math.max(0, Date.now() - (job.timestamp + (job.opts.delay ?? 0))));
          stats.wakeUps++;
          for (let attempt = 0; attempt < 5; attempt++) {
            const doc = await loadDoc(profileId);
            if (!doc || doc.wakeAt !== wakeAt) return; // moved or dropped since this job was added
            // BullMQ's clock says the job is due; the benchmark's accelerated clock, read a moment
            // apart in another process, may say it is a few virtual seconds early
            const now = Math.max(options.now(), wakeAt);
            const planned = planShopper(journeys, doc.profile, now, BENCH_PLAN);
            const ordered = newOrders(doc.profile, planned.profile);
            if (!(await save([{ id: profileId, v: doc.v }], planned.profile, planned.wakeAt, [], ordered)))
              continue;
            await sendNow(planned.commands, now);
            const changes: JobChanges = { add: [], remove: [] };
            // this job is running: only a new wake-up is added
            scheduleChanges(changes, profileId, null, planned.wakeAt, planned.commands, now);
            if (changes.add.length > 0) await queue.addBulk(changes.add);
            return;
          }
        },
        {
          connection: workerConnection,
          prefix: ns,
          concurrency: options.concurrency ?? 50,
          removeOnComplete: { count: 0 },
          removeOnFail: { count: 1000 },
        },
      );
      worker.on("error", () => {});
    },
    async pending(): Promise<number> {
      return queue.getDelayedCount();
    },
    async counters(): Promise<{ sent: number; afterOrder: number }> {
      const h = await redis.hgetall(countersKey);
      return { sent: Number(h.sent ?? 0), afterOrder: Number(h.afterOrder ?? 0) };
    },
    async stopWorker() {
      if (worker) await worker.close();
      worker = null;
      workerConnection?.disconnect();
      workerConnection = null;
    },
    async close() {
      await this.stopWorker();
      await queue.close();
      redis.disconnect();
    },
  };
}

export type Peer = ReturnType<typeof createPeer>;
