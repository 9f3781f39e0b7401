/**
 * The scheduler pass: lease the profiles whose wake-up time has come, plan them again at the current
 * time, and save what is due (commands to the outbox, the next wake-up). A worker that dies holding
 * leases loses them when they run out, so another worker plans those profiles.
 */
import { type PlanContext, planShopper, type ResolvedJourney } from "../core/journey/index.js";
import type { Clock } from "./clock.js";
import { forEachLimited } from "./limit.js";
import type { Logger } from "./logger.js";
import type { MetricsRecorder } from "./metrics.js";
import { recoveriesRecorded } from "./recoveries.js";
import type { Store } from "./store.js";

export interface SchedulerDeps {
  store: Store;
  journeys: readonly ResolvedJourney[];
  context: PlanContext;
  clock: Clock;
  logger: Logger;
  metrics: MetricsRecorder;
  worker: string;
  batch: number;
  leaseMs: number;
  concurrency: number;
}

/** one pass; resolves to the number of profiles it planned */
export async function runSchedulerPass(deps: SchedulerDeps): Promise<number> {
  const { store, journeys, context, clock, logger, metrics } = deps;
  const claims = await store.claimDue(clock.now(), deps.batch, {
    worker: deps.worker,
    leaseMs: deps.leaseMs,
  });
  let woke = 0;
  await forEachLimited(claims, deps.concurrency, async (claim) => {
    try {
      const { saved, value } = await store.transact(claim.profileId, async (tx) => {
        const stored = await tx.load(claim.profileId);
        if (!stored) return [];
        const now = clock.now();
        metrics.lateness(now - claim.wakeAt);
        const planned = planShopper(journeys, stored.profile, now, context);
        tx.save({ profile: planned.profile, wakeAt: planned.wakeAt, commands: planned.commands, now });
        return recoveriesRecorded(stored.profile, planned.profile);
      });
      woke++;
      for (const recovery of value ?? []) metrics.recovered(recovery);
      if (saved && saved.enqueued.length > 0) metrics.enqueued(saved.enqueued.length);
    } catch (error) {
      // the lease runs out and the profile is planned again; nothing is lost
      logger.error({ err: error, profileId: claim.profileId }, "scheduler: planning a due profile failed");
    }
  });
  return woke;
}
