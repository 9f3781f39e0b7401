import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReorderBuffer } from "../../src/cli/reorder.js";
import type { CartEvent } from "../../src/core/events.js";

const HOUR = 3_600_000;

/** an event that only carries what the buffer looks at, with its input position as id */
const event = (at: number, id: number) => ({ at, id: String(id) }) as unknown as CartEvent;

function run(times: number[], window: number, probe = 0) {
  const out: string[] = [];
  const late: number[] = [];
  const buffer = new ReorderBuffer({ window, probe, release: (e) => out.push(e.id) });
  times.forEach((at, i) => {
    if (buffer.add([event(at, i)]) !== null) late.push(i);
  });
  buffer.flush();
  return { out, late, window: buffer.windowMs };
}

/** what a stable sort of the accepted lines gives */
function sorted(times: number[], skip: number[] = []): string[] {
  return times
    .map((at, i) => ({ at, i }))
    .filter(({ i }) => !skip.includes(i))
    .sort((a, b) => a.at - b.at)
    .map(({ i }) => String(i));
}

describe("ReorderBuffer", () => {
  it("gives the order of a stable sort for any input at most the window out of order", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 4 })), {
          maxLength: 200,
        }),
        (steps) => {
          // a clock that moves forward, each line up to an hour behind it (ties are common)
          let clock = 0;
          const times = steps.map(([forward, back]) => {
            clock += forward * 600_000;
            return Math.max(0, clock - back * 900_000);
          });
          const { out, late } = run(times, HOUR);
          expect(late).toEqual([]);
          expect(out).toEqual(sorted(times));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("skips only lines it can no longer place, and keeps the rest in order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 * HOUR }), { maxLength: 200 }), (times) => {
        const { out, late } = run(times, HOUR);
        expect(out).toEqual(sorted(times, late));
        // a line is late only when it is more than the window behind one read before it
        for (const i of late)
          expect(Math.max(...times.slice(0, i)) - (times[i] as number)).toBeGreaterThan(HOUR);
      }),
      { numRuns: 500 },
    );
  });

  it("holds everything when a line in the probe is further out of order than the window", () => {
    const times = [5 * HOUR, 0, 6 * HOUR, 7 * HOUR, 8 * HOUR, 1];
    // line 1 is placed (nothing after it has gone out yet); line 5 comes after 6h went out
    expect(run(times, HOUR)).toMatchObject({ late: [5] });
    const probed = run(times, HOUR, 3);
    expect(probed).toEqual({ out: sorted(times), late: [], window: Number.POSITIVE_INFINITY });
    // a probe that saw nothing out of order streams with the window
    expect(run([0, 2 * HOUR, 4 * HOUR, 3.5 * HOUR, 0], HOUR, 3)).toMatchObject({ late: [4], window: HOUR });
  });

  it("keeps the events of one line together, in their order", () => {
    const out: string[] = [];
    const buffer = new ReorderBuffer({ window: 0, release: (e) => out.push(e.id) });
    buffer.add([event(10, 0)]);
    buffer.add([event(5, 1), event(5, 2), event(5, 3)]);
    buffer.add([event(5, 4)]);
    buffer.flush();
    expect(out).toEqual(["1", "2", "3", "4", "0"]);
  });
});
