/**
 * Per-key mutual exclusion inside one process: `run(keys, fn)` waits for every earlier holder of any
 * of `keys`, then runs `fn`. Keys are taken together, so there is no lock ordering to get wrong.
 */
export function createKeyedLock() {
  const tails = new Map<string, Promise<void>>();
  let inFlight = new Set<Promise<unknown>>();
  return {
    async run<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
      const previous = keys.map((key) => tails.get(key)).filter((p): p is Promise<void> => p !== undefined);
      let release!: () => void;
      const done = new Promise<void>((resolve) => {
        release = resolve;
      });
      for (const key of keys) tails.set(key, done);
      const task = (async () => {
        try {
          if (previous.length > 0) await Promise.all(previous);
          return await fn();
        } finally {
          for (const key of keys) if (tails.get(key) === done) tails.delete(key);
          release();
        }
      })();
      inFlight.add(task);
      task.then(
        () => inFlight.delete(task),
        () => inFlight.delete(task),
      );
      return task;
    },
    /** resolves when everything started so far has finished */
    async drain(): Promise<void> {
      while (inFlight.size > 0) {
        const current = inFlight;
        inFlight = new Set();
        await Promise.allSettled(current);
      }
    },
  };
}
