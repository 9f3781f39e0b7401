/**
 * The one suite every `Store` passes: `runStoreConformance("sqlite", () => sqliteStore({ path }))`.
 * Each test gets a fresh store from the factory and closes it afterwards. Times are explicit values,
 * never the clock, so lease tests are deterministic.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Command, MailerliteForget } from "../../src/core/commands.js";
import type { Profile } from "../../src/core/profile.js";
import {
  isStoreConflictError,
  isStoreUsageError,
  type OutboxState,
  type Store,
  type StoreTransaction,
  transactByKeys,
} from "../../src/runtime/store.js";
import { OUTBOX_MOVES, type OutboxMove } from "../../src/stores/outbox.js";
import { sampleGroupAdd, sampleProfile, sampleSms } from "./sample-profile.js";

const T0 = Date.UTC(2026, 10, 23, 12);
const MIN = 60_000;
const lease = (worker: string, leaseMs = 5 * MIN) => ({ worker, leaseMs });

export function runStoreConformance(name: string, createStore: () => Promise<Store>): void {
  describe(`${name} store conformance`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
    });

    /** saves a sample profile with its usual keys */
    const put = async (
      id: string,
      options: {
        wakeAt?: number | null;
        keys?: string[];
        commands?: Parameters<StoreTransaction["save"]>[0]["commands"];
        now?: number;
      } = {},
    ) => {
      const profile = sampleProfile(id, T0);
      const { saved } = await store.transact(id, (tx) => {
        tx.save({
          profile,
          wakeAt: options.wakeAt === undefined ? null : options.wakeAt,
          keys: options.keys ?? [`user:${id}`, `anon:anon-${id}`, `email:${id}@example.com`],
          commands: options.commands ?? [],
          now: options.now ?? T0,
        });
      });
      return { profile, saved: saved! };
    };

    describe("profiles and transactions", () => {
      it("reports its name", () => {
        expect(store.name).toBe(name);
      });

      it("a new profile loads as null, then as exactly what was saved", async () => {
        const seen = await store.transact("p1", (tx) => tx.load("p1"));
        expect(seen.value).toBeNull();
        expect(seen.saved).toBeNull();

        const { profile, saved } = await put("p1", { wakeAt: T0 + 15 * MIN });
        expect(saved.version).toBe(1);
        const loaded = await store.load("p1");
        expect(loaded).toEqual({
          profile,
          wakeAt: T0 + 15 * MIN,
          keys: ["anon:anon-p1", "email:p1@example.com", "user:p1"],
          version: 1,
        });
        expect(loaded!.profile.journeys["four-stage:cart-p1"]!.sent[0]!.key).toBe(
          "four-stage:cart-p1:1:nudge:email",
        );
      });

      it("lists every committed profile in id order, a page at a time", async () => {
        expect(await store.listProfiles()).toEqual([]);
        const ids = ["p3", "p1", "p10", "p2"];
        for (const id of ids) await put(id);
        const all = await store.listProfiles();
        expect(all.map((p) => p.id)).toEqual(["p1", "p10", "p2", "p3"]);
        expect(all[0]).toEqual(sampleProfile("p1", T0));
        const first = await store.listProfiles({ limit: 3 });
        expect(first.map((p) => p.id)).toEqual(["p1", "p10", "p2"]);
        const next = await store.listProfiles({ after: first[2]!.id, limit: 3 });
        expect(next.map((p) => p.id)).toEqual(["p3"]);
        expect(await store.listProfiles({ after: "p3" })).toEqual([]);
      });

      it("every save bumps the version and replaces the document", async () => {
        await put("p1");
        const { value, saved } = await store.transact("p1", async (tx) => {
          const current = await tx.load("p1");
          const profile: Profile = { ...current!.profile, email: "new@example.com" };
          tx.save({ profile, wakeAt: null, now: T0 + MIN });
          return current!.version;
        });
        expect(value).toBe(1);
        expect(saved!.version).toBe(2);
        const loaded = await store.load("p1");
        expect(loaded!.profile.email).toBe("new@example.com");
        expect(loaded!.version).toBe(2);
        // keys omitted: left as they were
        expect(loaded!.keys).toEqual(["anon:anon-p1", "email:p1@example.com", "user:p1"]);
      });

      it("a loaded profile is a copy: changing it changes nothing stored", async () => {
        await put("p1");
        const loaded = await store.load("p1");
        loaded!.profile.carts[0]!.items.length = 0;
        const again = await store.load("p1");
        expect(again!.profile.carts[0]!.items).toHaveLength(2);
      });

      it("when the function throws, nothing of the transaction is kept", async () => {
        await expect(
          store.transact("p1", (tx) => {
            tx.save({
              profile: sampleProfile("p1", T0),
              wakeAt: T0,
              keys: ["user:p1"],
              commands: [sampleSms("p1", "k1")],
              now: T0,
            });
            throw new Error("planner failed");
          }),
        ).rejects.toThrow("planner failed");
        expect(await store.load("p1")).toBeNull();
        expect(await store.resolve(["user:p1"])).toEqual([]);
        expect(await store.getOutbox("k1")).toBeNull();
        expect(await store.claimDue(T0, 10, lease("w"))).toEqual([]);
      });

      it("refuses to save a profile it did not lock, saying which", async () => {
        const error = await store
          .transact("p1", (tx) => tx.save({ profile: sampleProfile("p2"), wakeAt: null, now: T0 }))
          .catch((e: unknown) => e);
        expect(isStoreUsageError(error)).toBe(true);
        expect(String(error)).toContain('"p2" is not among the locked ids');
        expect(await store.load("p2")).toBeNull();
      });

      it("refuses an empty id list and a second save", async () => {
        await expect(store.transact([], () => 1)).rejects.toThrow("at least one profile id");
        await expect(
          store.transact("p1", (tx) => {
            tx.save({ profile: sampleProfile("p1"), wakeAt: null, now: T0 });
            tx.save({ profile: sampleProfile("p1"), wakeAt: null, now: T0 });
          }),
        ).rejects.toThrow("at most once");
        expect(await store.load("p1")).toBeNull();
      });

      it("applies one shopper's transactions in the order they were started", async () => {
        await put("p1");
        const order: number[] = [];
        const bump = (n: number) =>
          store.transact("p1", async (tx) => {
            const current = await tx.load("p1");
            // yield to the event loop between read and write: a lost update would show here
            await new Promise((resolve) => setImmediate(resolve));
            const counter = Number(current!.profile.traits.counter);
            order.push(n);
            tx.save({
              profile: { ...current!.profile, traits: { ...current!.profile.traits, counter: counter + 1 } },
              wakeAt: null,
              now: T0 + n,
            });
          });
        await Promise.all(Array.from({ length: 20 }, (_, n) => bump(n)));
        expect(order).toEqual(Array.from({ length: 20 }, (_, n) => n));
        const loaded = await store.load("p1");
        expect(loaded!.profile.traits.counter).toBe(20);
        expect(loaded!.version).toBe(21);
      });

      it("different shoppers do not wait for each other", async () => {
        let releaseA!: () => void;
        const gate = new Promise<void>((resolve) => {
          releaseA = resolve;
        });
        const a = store.transact("a", async (tx) => {
          await gate;
          tx.save({ profile: sampleProfile("a"), wakeAt: null, now: T0 });
          return "a";
        });
        // b finishes while a is still holding its lock
        const b = await store.transact("b", (tx) => {
          tx.save({ profile: sampleProfile("b"), wakeAt: null, now: T0 });
          return "b";
        });
        expect(b.value).toBe("b");
        expect(await store.load("b")).not.toBeNull();
        expect(await store.load("a")).toBeNull();
        releaseA();
        expect((await a).value).toBe("a");
        expect(await store.load("a")).not.toBeNull();
      });

      it("a transaction over several ids waits for each of them", async () => {
        await put("a");
        await put("b");
        const log: string[] = [];
        let releaseB!: () => void;
        const gate = new Promise<void>((resolve) => {
          releaseB = resolve;
        });
        const onB = store.transact("b", async () => {
          await gate;
          log.push("b done");
        });
        const both = store.transact(["a", "b"], () => {
          log.push("a+b ran");
        });
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(log).toEqual([]);
        releaseB();
        await Promise.all([onB, both]);
        expect(log).toEqual(["b done", "a+b ran"]);
      });
    });

    describe("identity index", () => {
      it("resolves keys to distinct profile ids in key order", async () => {
        await put("p1");
        await put("p2");
        expect(await store.resolve([])).toEqual([]);
        expect(await store.resolve(["email:nobody@example.com"])).toEqual([]);
        expect(
          await store.resolve(["anon:anon-p2", "user:p1", "email:p2@example.com", "email:p1@example.com"]),
        ).toEqual(["p2", "p1"]);
      });

      it("resolves long key lists, repeated and unknown keys included, in key order", async () => {
        const owners = Array.from({ length: 40 }, (_, i) => `q${String(i).padStart(2, "0")}`);
        for (const id of owners) await put(id, { keys: [`user:${id}`] });
        // more keys than one lookup takes at once, the last owners first, every key twice
        const keys = [...owners].reverse().flatMap((id) => [`user:${id}`, `email:${id}@nowhere.example`]);
        expect(await store.resolve([...keys, ...keys])).toEqual([...owners].reverse());
      });

      it("a saved key set replaces the old one", async () => {
        await put("p1");
        await store.transact("p1", (tx) =>
          tx.save({
            profile: sampleProfile("p1"),
            wakeAt: null,
            keys: ["user:p1", "phone:+15555550100"],
            now: T0,
          }),
        );
        expect(await store.resolve(["email:p1@example.com"])).toEqual([]);
        expect(await store.resolve(["phone:+15555550100"])).toEqual(["p1"]);
        expect((await store.load("p1"))!.keys).toEqual(["phone:+15555550100", "user:p1"]);
      });

      it("after a load, the same keys stay, a new one is added and a dropped one goes", async () => {
        await put("p1");
        const save = (keys: string[]) =>
          store.transact("p1", async (tx) => {
            const current = await tx.load("p1");
            tx.save({ profile: current!.profile, wakeAt: null, keys, now: T0 });
          });
        await save(["email:p1@example.com", "user:p1", "anon:anon-p1"]);
        expect((await store.load("p1"))!.keys).toEqual(["anon:anon-p1", "email:p1@example.com", "user:p1"]);
        await save(["email:p1@example.com", "user:p1", "anon:anon-p1", "phone:+15555550100"]);
        expect(await store.resolve(["phone:+15555550100"])).toEqual(["p1"]);
        await save(["user:p1", "anon:anon-p1", "phone:+15555550100"]);
        expect((await store.load("p1"))!.keys).toEqual(["anon:anon-p1", "phone:+15555550100", "user:p1"]);
        expect(await store.resolve(["email:p1@example.com"])).toEqual([]);
      });

      it("a key owned by a profile outside the transaction is a conflict that names the owner", async () => {
        await put("p1");
        const error = await store
          .transact("p2", (tx) =>
            tx.save({
              profile: sampleProfile("p2"),
              wakeAt: T0,
              keys: ["user:p2", "email:p1@example.com"],
              commands: [sampleSms("p2", "k2")],
              now: T0,
            }),
          )
          .catch((e: unknown) => e);
        expect(isStoreConflictError(error)).toBe(true);
        expect(error).toMatchObject({ key: "email:p1@example.com", ownerId: "p1" });
        // nothing of p2 was written
        expect(await store.load("p2")).toBeNull();
        expect(await store.resolve(["user:p2"])).toEqual([]);
        expect(await store.getOutbox("k2")).toBeNull();
        expect(await store.resolve(["email:p1@example.com"])).toEqual(["p1"]);
      });

      it("a key of another locked profile moves over without a merge", async () => {
        await put("p1");
        await put("p2");
        await store.transact(["p1", "p2"], (tx) =>
          tx.save({ profile: sampleProfile("p2"), wakeAt: null, keys: ["user:p2", "anon:anon-p1"], now: T0 }),
        );
        expect(await store.resolve(["anon:anon-p1"])).toEqual(["p2"]);
        expect((await store.load("p1"))!.keys).toEqual(["email:p1@example.com", "user:p1"]);
        expect((await store.load("p2"))!.keys).toEqual(["anon:anon-p1", "user:p2"]);
      });

      it("a merge deletes the absorbed profile and moves its keys and outbox in one step", async () => {
        await put("p1", { commands: [sampleSms("p1", "k-p1")] });
        await put("p2", { wakeAt: T0, commands: [sampleSms("p2", "k-p2")] });
        const ids = await store.resolve(["user:p1", "anon:anon-p2"]);
        expect(ids).toEqual(["p1", "p2"]);
        await store.transact(ids, async (tx) => {
          const [a, b] = [await tx.load("p1"), await tx.load("p2")];
          tx.save({
            profile: {
              ...a!.profile,
              anonymousIds: [...a!.profile.anonymousIds, ...b!.profile.anonymousIds],
            },
            wakeAt: T0 + 60 * MIN,
            keys: [...a!.keys, ...b!.keys],
            absorbed: ["p2"],
            now: T0,
          });
        });
        expect(await store.load("p2")).toBeNull();
        expect(await store.resolve(["anon:anon-p2", "user:p2", "user:p1"])).toEqual(["p1"]);
        expect((await store.getOutbox("k-p2"))!.profileId).toBe("p1");
        expect((await store.listOutbox({ profileId: "p1" })).map((e) => e.key)).toEqual(["k-p1", "k-p2"]);
        // p2's wake-up went with it
        expect(await store.claimDue(T0, 10, lease("w"))).toEqual([]);
        expect((await store.stats(T0)).profiles).toBe(1);
      });

      it("refuses to absorb a profile it did not lock", async () => {
        await put("p1");
        await put("p2");
        await expect(
          store.transact("p1", (tx) =>
            tx.save({ profile: sampleProfile("p1"), wakeAt: null, absorbed: ["p2"], now: T0 }),
          ),
        ).rejects.toThrow('absorbed profile "p2" is not locked');
        expect(await store.load("p2")).not.toBeNull();
      });
    });

    describe("transactions by identity keys", () => {
      let created = 0;
      /** applies one event: counts it on the surviving profile and merges any others into it */
      const applyEvent = (keys: string[], now = T0) =>
        transactByKeys(store, keys, { newId: () => `new-${++created}` }, async (tx, ids) => {
          const loaded = (await Promise.all(ids.map((id) => tx.load(id)))).filter((p) => p !== null);
          const survivor = loaded[0];
          const profile = survivor
            ? survivor.profile
            : { ...sampleProfile(ids[0]!, now), traits: { counter: 0 } };
          const counted = loaded.reduce((sum, p) => sum + Number(p.profile.traits.counter), 0);
          const allKeys = new Set([...keys, ...loaded.flatMap((p) => p.keys)]);
          tx.save({
            profile: { ...profile, traits: { ...profile.traits, counter: counted + 1 } },
            wakeAt: null,
            keys: [...allKeys],
            absorbed: loaded.slice(1).map((p) => p.profile.id),
            now,
          });
        });

      it("creates a profile for unknown keys and finds it again by any of them", async () => {
        const first = await applyEvent(["anon:a1"]);
        expect(first.profileIds).toHaveLength(1);
        const second = await applyEvent(["anon:a1", "email:ann@example.com"]);
        const third = await applyEvent(["email:ann@example.com"]);
        expect(second.profileIds).toEqual(first.profileIds);
        expect(third.profileIds).toEqual(first.profileIds);
        expect((await store.load(first.profileIds[0]!))!.profile.traits.counter).toBe(3);
      });

      it("hands over every profile the keys join, so they can merge", async () => {
        const anon = await applyEvent(["anon:a1"]);
        const user = await applyEvent(["user:u1"]);
        const joined = await applyEvent(["anon:a1", "user:u1"]);
        expect(joined.profileIds).toEqual([anon.profileIds[0], user.profileIds[0]]);
        expect(await store.resolve(["anon:a1", "user:u1"])).toEqual([anon.profileIds[0]]);
        expect((await store.load(anon.profileIds[0]!))!.profile.traits.counter).toBe(3);
        expect((await store.stats(T0)).profiles).toBe(1);
      });

      it("concurrent first events of one new shopper end in one profile with every event", async () => {
        await Promise.all(Array.from({ length: 6 }, () => applyEvent(["anon:same"])));
        const ids = await store.resolve(["anon:same"]);
        expect(ids).toHaveLength(1);
        expect((await store.load(ids[0]!))!.profile.traits.counter).toBe(6);
        expect((await store.stats(T0)).profiles).toBe(1);
      });
    });

    describe("due index and scheduler claims", () => {
      it("claims due profiles earliest first, up to the limit, with the wake-up time for lateness", async () => {
        await put("late", { wakeAt: T0 - 10 * MIN });
        await put("due", { wakeAt: T0 });
        await put("future", { wakeAt: T0 + MIN });
        await put("idle", { wakeAt: null });
        await put("early", { wakeAt: T0 - 20 * MIN });
        expect(await store.claimDue(T0, 2, lease("w1"))).toEqual([
          { profileId: "early", wakeAt: T0 - 20 * MIN },
          { profileId: "late", wakeAt: T0 - 10 * MIN },
        ]);
        expect(await store.claimDue(T0, 10, lease("w1"))).toEqual([{ profileId: "due", wakeAt: T0 }]);
        expect(await store.claimDue(T0, 10, lease("w1"))).toEqual([]);
        expect(await store.claimDue(T0 + MIN, 10, lease("w1"))).toEqual([
          { profileId: "future", wakeAt: T0 + MIN },
        ]);
      });

      it("a held lease keeps others out; an expired one lets the profile be claimed again", async () => {
        await put("p1", { wakeAt: T0 });
        expect(await store.claimDue(T0, 10, lease("crashed", MIN))).toHaveLength(1);
        expect(await store.claimDue(T0 + MIN - 1, 10, lease("w2", MIN))).toEqual([]);
        expect(await store.claimDue(T0 + MIN, 10, lease("w2", MIN))).toEqual([
          { profileId: "p1", wakeAt: T0 },
        ]);
      });

      it("a save releases the lease and sets the next wake-up", async () => {
        await put("p1", { wakeAt: T0 });
        await put("p2", { wakeAt: T0 });
        await store.claimDue(T0, 10, lease("w1", 60 * MIN));
        await store.transact("p1", async (tx) => {
          const current = await tx.load("p1");
          tx.save({ profile: current!.profile, wakeAt: T0 + 5 * MIN, now: T0 });
        });
        await store.transact("p2", async (tx) => {
          const current = await tx.load("p2");
          tx.save({ profile: current!.profile, wakeAt: T0, now: T0 });
        });
        // p2 saved with a wake-up that is already due: claimable at once; p1 at its new time
        expect(await store.claimDue(T0, 10, lease("w2", 60 * MIN))).toEqual([
          { profileId: "p2", wakeAt: T0 },
        ]);
        expect(await store.claimDue(T0 + 5 * MIN, 10, lease("w2"))).toEqual([
          { profileId: "p1", wakeAt: T0 + 5 * MIN },
        ]);
      });

      it("concurrent claims never hand one profile to two workers", async () => {
        for (let i = 0; i < 30; i++) await put(`p${String(i).padStart(2, "0")}`, { wakeAt: T0 - i });
        const batches = await Promise.all(
          ["w1", "w2", "w3", "w4"].map((worker) => store.claimDue(T0, 10, lease(worker))),
        );
        const ids = batches.flat().map((c) => c.profileId);
        expect(ids).toHaveLength(30);
        expect(new Set(ids).size).toBe(30);
      });

      it("validates its arguments", async () => {
        await expect(store.claimDue(T0, 0, lease("w"))).rejects.toThrow("limit must be a positive integer");
        await expect(store.claimDue(T0, 1, { worker: "", leaseMs: 1 })).rejects.toThrow("lease.worker");
        await expect(store.claimOutbox(Number.NaN, 1, lease("w"))).rejects.toThrow("now must be epoch ms");
      });
    });

    describe("outbox", () => {
      it("enqueues commands with the profile save; a key already there is ignored", async () => {
        const first = await put("p1", {
          commands: [sampleGroupAdd("p1", "k1"), sampleSms("p1", "k2"), sampleSms("p1", "k2")],
        });
        expect(first.saved.enqueued).toEqual(["k1", "k2"]);
        const entry = await store.getOutbox("k2");
        expect(entry).toMatchObject({
          key: "k2",
          profileId: "p1",
          destination: "twilio",
          state: "pending",
          createdAt: T0,
          dueAt: T0,
          attempts: 0,
          lastError: null,
          sendingSince: null,
          providerId: null,
          sentAt: null,
        });
        expect(entry!.command).toEqual(sampleSms("p1", "k2"));

        // a replay of the same plan, even after delivery, enqueues nothing
        const [claimed] = await store.claimOutbox(T0, 1, lease("d"));
        await store.markSent(claimed!.key, { at: T0 + 1, providerId: "SM1" });
        const changed = { ...sampleSms("p1", "k1"), body: "changed" };
        const replay = await put("p1", { commands: [changed, sampleSms("p1", "k2"), sampleSms("p1", "k3")] });
        expect(replay.saved.enqueued).toEqual(["k3"]);
        expect((await store.getOutbox("k1"))!.command.type).toBe("mailerlite.addToGroup");
        expect((await store.getOutbox(claimed!.key))!.state).toBe("sent");
      });

      it("claims due entries in due order, later ones only when their time comes", async () => {
        await put("p1", {
          commands: [
            { command: sampleSms("p1", "later"), dueAt: T0 + 10 * MIN },
            sampleGroupAdd("p1", "now"),
            { command: sampleSms("p1", "earlier"), dueAt: T0 - MIN },
          ],
        });
        const claimed = await store.claimOutbox(T0, 10, lease("d1", 60 * MIN));
        expect(claimed.map((e) => e.key)).toEqual(["earlier", "now"]);
        expect(claimed[0]).toMatchObject({
          state: "sending",
          attempts: 1,
          sendingSince: T0,
          leaseOwner: "d1",
          outcomeUnknown: false,
        });
        expect(await store.claimOutbox(T0 + 5 * MIN - 1, 10, lease("d2"))).toEqual([]);
        expect((await store.claimOutbox(T0 + 10 * MIN, 1, lease("d2"))).map((e) => e.key)).toEqual(["later"]);
      });

      it("commands due together leave in the order the plan made them, not by key", async () => {
        // the subscriber's fields must be set before the group add that triggers the email
        const upsert: Command = {
          ...sampleGroupAdd("p1", "z:upsert"),
          type: "mailerlite.upsertSubscriber",
          kind: "support",
          email: "p1@example.com",
          fields: { cart_url: "https://shop.example.com/r/abc" },
        };
        await put("p1", { commands: [upsert, sampleGroupAdd("p1", "a:group"), sampleSms("p1", "m:sms")] });
        const claimed = await store.claimOutbox(T0, 10, lease("d"));
        expect(claimed.map((e) => e.key)).toEqual(["z:upsert", "a:group", "m:sms"]);
        expect((await store.listOutbox()).map((e) => e.key)).toEqual(["z:upsert", "a:group", "m:sms"]);
      });

      it("an entry whose worker vanished comes back flagged: its outcome is unknown", async () => {
        await put("p1", { commands: [sampleSms("p1", "sms-1")] });
        await store.claimOutbox(T0, 10, lease("crashed", MIN));
        expect(await store.claimOutbox(T0 + MIN - 1, 10, lease("d2", MIN))).toEqual([]);
        const [again] = await store.claimOutbox(T0 + MIN, 10, lease("d2", MIN));
        expect(again).toMatchObject({
          key: "sms-1",
          state: "sending",
          attempts: 2,
          // still the lost attempt's start, so a provider lookup knows where to search from
          sendingSince: T0,
          leaseOwner: "d2",
          outcomeUnknown: true,
        });
      });

      it("markSent records the receipt and retires the entry", async () => {
        await put("p1", { commands: [sampleSms("p1", "sms-1")] });
        await store.claimOutbox(T0, 10, lease("d", MIN));
        expect(await store.markSent("sms-1", { at: T0 + 500, providerId: "SM123" })).toBe(true);
        expect(await store.getOutbox("sms-1")).toMatchObject({
          state: "sent",
          sentAt: T0 + 500,
          providerId: "SM123",
          sendingSince: null,
          leaseOwner: null,
        });
        expect(await store.markSent("sms-1", { at: T0 + 600 })).toBe(false);
        expect(await store.markSent("unknown", { at: T0 })).toBe(false);
        expect(await store.claimOutbox(T0 + 60 * MIN, 10, lease("d"))).toEqual([]);
      });

      it("markRetry counts the attempt, keeps the error and waits until the next attempt", async () => {
        await put("p1", { commands: [sampleSms("p1", "sms-1")] });
        expect(await store.markRetry("sms-1", { error: "not claimed", nextAttemptAt: T0 })).toBe(false);
        await store.claimOutbox(T0, 10, lease("d"));
        expect(
          await store.markRetry("sms-1", { error: "429 Too Many Requests", nextAttemptAt: T0 + 30_000 }),
        ).toBe(true);
        expect(await store.getOutbox("sms-1")).toMatchObject({
          state: "pending",
          attempts: 1,
          lastError: "429 Too Many Requests",
          dueAt: T0 + 30_000,
          sendingSince: null,
          leaseOwner: null,
        });
        expect(await store.claimOutbox(T0 + 29_999, 10, lease("d"))).toEqual([]);
        const [again] = await store.claimOutbox(T0 + 30_000, 10, lease("d"));
        expect(again).toMatchObject({
          attempts: 2,
          outcomeUnknown: false,
          lastError: "429 Too Many Requests",
        });
      });

      it("a retry after an attempt without an answer keeps its start, and the next claims are flagged", async () => {
        await put("p1", { commands: [sampleSms("p1", "sms-1")] });
        await store.claimOutbox(T0, 10, lease("d"));
        const timedOut = { error: "timed out", nextAttemptAt: T0 + 30_000, outcomeUnknown: true };
        expect(await store.markRetry("sms-1", timedOut)).toBe(true);
        expect(await store.getOutbox("sms-1")).toMatchObject({ state: "pending", sendingSince: T0 });
        const [again] = await store.claimOutbox(T0 + 30_000, 10, lease("d"));
        // the lookup searches from the first attempt that may have gone out, not from this one
        expect(again).toMatchObject({ attempts: 2, outcomeUnknown: true, sendingSince: T0 });
        // the lookup itself failed: still unknown
        await store.markRetry("sms-1", { ...timedOut, nextAttemptAt: T0 + 60_000 });
        expect((await store.claimOutbox(T0 + 60_000, 10, lease("d")))[0]).toMatchObject({
          outcomeUnknown: true,
          sendingSince: T0,
        });
        // an attempt with an answer (a 503) settles it: the next claim starts afresh
        await store.markRetry("sms-1", { error: "503", nextAttemptAt: T0 + 90_000 });
        expect((await store.claimOutbox(T0 + 90_000, 10, lease("d")))[0]).toMatchObject({
          outcomeUnknown: false,
          sendingSince: T0 + 90_000,
        });
      });

      it("dead letters can be listed, retried from scratch, or dropped for good", async () => {
        await put("p1", { commands: [sampleSms("p1", "a"), sampleSms("p1", "b"), sampleSms("p1", "c")] });
        await store.claimOutbox(T0, 10, lease("d"));
        expect(await store.deadLetter("a", { reason: "21610 recipient opted out", at: T0 + 1 })).toBe(true);
        expect(await store.deadLetter("b", { reason: "too many attempts", at: T0 + 2 })).toBe(true);
        await store.markSent("c", { at: T0 });
        expect(await store.deadLetter("c", { reason: "late", at: T0 })).toBe(false);

        const dead = await store.listOutbox({ state: "dead" });
        expect(dead.map((e) => [e.key, e.deadReason, e.deadAt])).toEqual([
          ["a", "21610 recipient opted out", T0 + 1],
          ["b", "too many attempts", T0 + 2],
        ]);
        expect(await store.claimOutbox(T0 + 60 * MIN, 10, lease("d"))).toEqual([]);

        expect(await store.retryDeadLetter("a", T0 + 60 * MIN)).toBe(true);
        expect(await store.retryDeadLetter("c", T0 + 60 * MIN)).toBe(false);
        const [retried] = await store.claimOutbox(T0 + 60 * MIN, 10, lease("d"));
        expect(retried).toMatchObject({ key: "a", attempts: 1, deadReason: null, deadAt: null });

        expect(await store.dropDeadLetter("b")).toBe(true);
        expect(await store.dropDeadLetter("b")).toBe(false);
        expect((await store.getOutbox("b"))!.state).toBe("dropped");
        // the dropped key still blocks a replay from sending it again
        const replay = await put("p1", { commands: [sampleSms("p1", "b")] });
        expect(replay.saved.enqueued).toEqual([]);
        expect(await store.listOutbox({ state: "dead" })).toEqual([]);
      });

      it("drops an entry nobody should retry in one write, past the dead-letter queue", async () => {
        await put("p1", { commands: [sampleSms("p1", "a"), sampleSms("p1", "b")] });
        await store.claimOutbox(T0, 10, lease("d"));
        const reason = "dropped: sms consent was withdrawn before the message went out";
        expect(await store.deadLetter("a", { reason, at: T0 + 1, dropped: true })).toBe(true);
        expect(await store.getOutbox("a")).toMatchObject({
          state: "dropped",
          deadReason: reason,
          deadAt: T0 + 1,
        });
        expect(await store.listOutbox({ state: "dead" })).toEqual([]);
        expect(await store.retryDeadLetter("a", T0 + 2)).toBe(false);
        expect(await store.deadLetter("a", { reason, at: T0 + 2, dropped: true })).toBe(false);
        // still a known key: a replay of the same command does not enqueue it again
        const replay = await put("p1", { commands: [sampleSms("p1", "a")] });
        expect(replay.saved.enqueued).toEqual([]);
        expect((await store.getOutbox("b"))!.state).toBe("sending");
      });

      it("every call changes an entry's state exactly as the shared table allows, and no other way", async () => {
        const states: OutboxState[] = ["pending", "sending", "sent", "dead", "dropped"];
        let made = 0;
        /** one entry in `state`, due before every entry made so far, so a claim then takes only it */
        const entryIn = async (state: OutboxState, key: string) => {
          const dueAt = T0 - ++made;
          await put(`p-${key}`, { commands: [{ command: sampleSms(`p-${key}`, key), dueAt }] });
          if (state === "pending") return;
          expect((await store.claimOutbox(dueAt, 1, lease("d"))).map((e) => e.key)).toEqual([key]);
          if (state === "sent") await store.markSent(key, { at: T0 });
          if (state === "dead" || state === "dropped")
            await store.deadLetter(key, { reason: "r", at: T0, dropped: state === "dropped" });
        };
        const moves: Record<Exclude<OutboxMove, "claim">, (key: string) => Promise<boolean>> = {
          markSent: (key) => store.markSent(key, { at: T0 + 1 }),
          markRetry: (key) => store.markRetry(key, { error: "e", nextAttemptAt: T0 + 1 }),
          deadLetter: (key) => store.deadLetter(key, { reason: "r2", at: T0 + 1 }),
          retryDeadLetter: (key) => store.retryDeadLetter(key, T0 + 1),
          dropDeadLetter: (key) => store.dropDeadLetter(key),
        };
        const seen: string[] = [];
        const expected: string[] = [];
        for (const [move, call] of Object.entries(moves) as [
          OutboxMove,
          (key: string) => Promise<boolean>,
        ][]) {
          for (const state of states) {
            const key = `${move}-${state}`;
            await entryIn(state, key);
            const changed = await call(key);
            const after = (await store.getOutbox(key))!.state;
            seen.push(`${move} ${state} → ${changed ? after : "refused"}`);
            const allowed = OUTBOX_MOVES[move];
            expected.push(
              `${move} ${state} → ${allowed.from.includes(state) && allowed.to.includes(after) ? after : "refused"}`,
            );
            if (!changed) expect(after, key).toBe(state);
          }
        }
        expect(seen).toEqual(expected);
        // once every lease has run out, a claim takes exactly the entries in a state the table lets it take
        const before = await store.listOutbox({ limit: 1000 });
        const claimed = await store.claimOutbox(T0 + 60 * MIN, 1000, lease("d2"));
        expect(claimed.map((e) => e.key).sort()).toEqual(
          before
            .filter((e) => OUTBOX_MOVES.claim.from.includes(e.state))
            .map((e) => e.key)
            .sort(),
        );
        expect(claimed.every((e) => OUTBOX_MOVES.claim.to.includes(e.state))).toBe(true);
      });

      it("lists entries by profile and state, oldest due first, with a limit", async () => {
        await put("p1", {
          commands: [
            { command: sampleSms("p1", "x2"), dueAt: T0 + 2 },
            { command: sampleSms("p1", "x1"), dueAt: T0 + 1 },
          ],
        });
        await put("p2", { commands: [sampleSms("p2", "y1")] });
        expect((await store.listOutbox()).map((e) => e.key)).toEqual(["y1", "x1", "x2"]);
        expect((await store.listOutbox({ profileId: "p1" })).map((e) => e.key)).toEqual(["x1", "x2"]);
        expect((await store.listOutbox({ limit: 1 })).map((e) => e.key)).toEqual(["y1"]);
        expect(await store.listOutbox({ state: "sent" })).toEqual([]);
      });

      it("lists the entries of given keys, for a report, leaving unknown keys out", async () => {
        await put("p1", { commands: [sampleSms("p1", "x1"), sampleSms("p1", "x2")] });
        await put("p2", { commands: [sampleSms("p2", "y1")] });
        const many = Array.from({ length: 600 }, (_, i) => `unknown-${i}`);
        const found = await store.listOutbox({ keys: ["y1", "x2", "nope", ...many] });
        expect(found.map((e) => e.key).sort()).toEqual(["x2", "y1"]);
        expect(found.find((e) => e.key === "x2")!.command).toEqual(sampleSms("p1", "x2"));
        expect(await store.listOutbox({ keys: [] })).toEqual([]);
        expect((await store.listOutbox({ keys: ["x1", "y1"], profileId: "p1" })).map((e) => e.key)).toEqual([
          "x1",
        ]);
      });

      it("concurrent outbox claims never hand one entry to two dispatchers", async () => {
        const commands = Array.from({ length: 40 }, (_, i) => sampleSms("p1", `k${i}`));
        await put("p1", { commands });
        const batches = await Promise.all(
          ["d1", "d2", "d3"].map((worker) => store.claimOutbox(T0, 15, lease(worker))),
        );
        const keys = batches.flat().map((e) => e.key);
        expect(keys).toHaveLength(40);
        expect(new Set(keys).size).toBe(40);
      });
    });

    describe("erasure", () => {
      it("forget removes the profile, its keys and its outbox, returns them, and enqueues follow-ups", async () => {
        await put("p1", { wakeAt: T0, commands: [sampleSms("p1", "k1"), sampleGroupAdd("p1", "k2")] });
        await put("p2", { commands: [sampleSms("p2", "k3")] });
        await store.claimOutbox(T0, 1, lease("d"));
        await store.markSent("k1", { at: T0 });
        const mailerliteForget: MailerliteForget = {
          ...sampleGroupAdd("p1", "forget:p1"),
          type: "mailerlite.forget",
          kind: "support",
          email: "p1@example.com",
        };

        const result = await store.forget("p1", { now: T0 + MIN, commands: [mailerliteForget] });
        expect(result.profile?.email).toBe("p1@example.com");
        expect(result.keys).toEqual(["anon:anon-p1", "email:p1@example.com", "user:p1"]);
        expect(result.outbox.map((e) => [e.key, e.state])).toEqual([
          ["k1", "sent"],
          ["k2", "pending"],
        ]);

        expect(await store.load("p1")).toBeNull();
        expect(await store.resolve(["user:p1", "email:p1@example.com"])).toEqual([]);
        expect(await store.getOutbox("k2")).toBeNull();
        expect(await store.claimDue(T0 + MIN, 10, lease("w"))).toEqual([]);
        expect(await store.getOutbox("forget:p1")).toMatchObject({
          state: "pending",
          destination: "mailerlite",
          dueAt: T0 + MIN,
        });
        // others untouched
        expect(await store.getOutbox("k3")).not.toBeNull();
        expect(await store.resolve(["user:p2"])).toEqual(["p2"]);

        const unknown = await store.forget("nobody", { now: T0 });
        expect(unknown).toEqual({ profile: null, keys: [], outbox: [] });
      });
    });

    describe("metrics", () => {
      it("counts profiles, due profiles and the outbox by state and destination", async () => {
        await put("p1", { wakeAt: T0 - MIN, commands: [sampleSms("p1", "a"), sampleSms("p1", "b")] });
        await put("p2", { wakeAt: T0 + MIN, commands: [sampleSms("p2", "c"), sampleGroupAdd("p2", "d")] });
        await put("p3", { wakeAt: null });
        await store.claimOutbox(T0, 3, lease("d"));
        await store.markSent("a", { at: T0 });
        await store.deadLetter("b", { reason: "permanent", at: T0 });
        expect(await store.stats(T0)).toEqual({
          profiles: 3,
          dueProfiles: 1,
          scheduledProfiles: 2,
          outbox: { pending: 1, sending: 1, sent: 1, dead: 1, dropped: 0 },
          outboxByDestination: {
            twilio: { pending: 0, sending: 1, sent: 1, dead: 1, dropped: 0 },
            mailerlite: { pending: 1, sending: 0, sent: 0, dead: 0, dropped: 0 },
          },
        });
        await store.claimDue(T0, 10, lease("w"));
        expect((await store.stats(T0)).dueProfiles).toBe(0);
        expect((await store.stats(T0 + MIN)).dueProfiles).toBe(1);
      });
    });

    describe("housekeeping", () => {
      it("prunes settled entries older than the cut-off, oldest first, and nothing unsettled", async () => {
        await put("p1", {
          commands: ["s1", "s2", "s3", "dead", "dropped", "pending", "unclaimed"].map((k) =>
            sampleSms("p1", k),
          ),
        });
        await store.claimOutbox(T0, 6, lease("d"));
        await store.markSent("s1", { at: T0 + 1 });
        await store.markSent("s2", { at: T0 + 2 });
        await store.markSent("s3", { at: T0 + 50 });
        await store.deadLetter("dead", { reason: "permanent", at: T0 });
        await store.deadLetter("dropped", { reason: "permanent", at: T0 + 3 });
        await store.dropDeadLetter("dropped");
        await store.markRetry("pending", { error: "429", nextAttemptAt: T0 });

        expect(await store.pruneOutbox(T0 + 10, 2)).toBe(2);
        expect(await store.getOutbox("s1")).toBeNull();
        expect(await store.getOutbox("s2")).toBeNull();
        expect(await store.pruneOutbox(T0 + 10)).toBe(1);
        expect(await store.getOutbox("dropped")).toBeNull();
        expect(await store.pruneOutbox(T0 + 10)).toBe(0);
        expect((await store.listOutbox()).map((e) => e.key).sort()).toEqual([
          "dead",
          "pending",
          "s3",
          "unclaimed",
        ]);
        // a pruned key no longer blocks a replay
        expect((await put("p1", { commands: [sampleSms("p1", "s1")] })).saved.enqueued).toEqual(["s1"]);
        await expect(store.pruneOutbox(T0, 0)).rejects.toThrow("limit must be a positive integer");
      });
    });

    describe("closing", () => {
      it("waits for a running transaction, then refuses new work", async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => {
          release = resolve;
        });
        const running = store.transact("p1", async (tx) => {
          await gate;
          tx.save({ profile: sampleProfile("p1"), wakeAt: null, now: T0 });
        });
        const closing = store.close();
        release();
        await running;
        await closing;
        await expect(store.load("p1")).rejects.toThrow(/closed/);
        // the suite's afterEach closes again: closing twice is harmless
      });
    });
  });
}
