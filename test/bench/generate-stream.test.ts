import { describe, expect, it } from "vitest";
import { generateMessages } from "../../bench/generate-stream.js";

type Message = Record<string, unknown> & { properties?: Record<string, unknown> };
const at = (m: Message) => Date.parse(String(m.timestamp));
const isLate = (m: Message) => String(m.messageId).startsWith("msg-late-");

describe("generated stream with late orders", () => {
  const plain = [...generateMessages({ carts: 2_000 })] as Message[];
  const late = [...generateMessages({ carts: 2_000, lateOrders: 0.25 })] as Message[];
  const lateOrders = late.filter(isLate);

  it("leaves every other message as the default stream has it, in the same order", () => {
    expect(JSON.stringify(late.filter((m) => !isLate(m)))).toBe(JSON.stringify(plain));
  });

  it("orders about a quarter of the carts not ordered in their session, 20 minutes to 10 days after the shopper left", () => {
    const orderedAtOnce = new Set(
      plain.filter((m) => m.event === "Order Completed").map((m) => m.properties?.cart_id),
    );
    const open = new Set(plain.map((m) => m.properties?.cart_id).filter((c) => c && !orderedAtOnce.has(c)));
    expect(lateOrders.length / open.size).toBeGreaterThan(0.2);
    expect(lateOrders.length / open.size).toBeLessThan(0.3);
    const gaps = lateOrders.map((order) => {
      expect(open.has(order.properties?.cart_id)).toBe(true);
      const last = Math.max(...plain.filter((m) => m.anonymousId === order.anonymousId).map(at));
      return at(order) - last;
    });
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20 * 60_000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(10 * 86_400_000);
    // spread across the stages: some within a day of leaving, some after three days
    expect(gaps.filter((g) => g < 86_400_000).length).toBeGreaterThan(lateOrders.length / 4);
    expect(gaps.filter((g) => g > 3 * 86_400_000).length).toBeGreaterThan(lateOrders.length / 10);
  });

  it("puts each late order among the messages of its time, not after the session that made it", () => {
    expect(lateOrders.map(at)).toEqual(lateOrders.map(at).sort((x, y) => x - y));
    late.forEach((m, i) => {
      if (!isLate(m)) return;
      // sessions last under 20 minutes: nothing after the order began that long before it
      const next = late.slice(i + 1).find((x) => !isLate(x));
      if (next) expect(at(next)).toBeGreaterThan(at(m) - 20 * 60_000);
    });
  });
});
