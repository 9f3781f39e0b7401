/**
 * A seeded generator of realistic RudderStack messages: shoppers browse, add to cart, sometimes
 * identify, start checkout and order, the way the JavaScript SDK sends them (full `context`).
 */

/**
 * what the benchmarks plan with: the generated carts have no checkout URL of their own, so texts link
 * to the shop's cart page (as with \`links.fallbackUrl\`) and are rendered like any deployment's
 */
export const BENCH_PLAN = { shopUrl: "https://shop.example.com/cart" } as const;

export interface StreamOptions {
  /** how many carts (one shopper session each) */
  carts: number;
  seed?: number;
  start?: number;
  /**
   * share (0–1) of the carts not ordered in their session that are ordered later, between 20 minutes
   * and 10 days after the shopper left (across the journey's stages); default 0. It draws from its own
   * random sequence, so the rest of the stream is the same with or without it.
   */
  lateOrders?: number;
}

/** a min-heap of messages by time, for the orders that arrive after later sessions began */
class LaterQueue {
  private items: { at: number; message: Record<string, unknown> }[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): number {
    return this.items[0]?.at ?? Number.POSITIVE_INFINITY;
  }
  push(at: number, message: Record<string, unknown>): void {
    const a = this.items;
    a.push({ at, message });
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((a[parent] as { at: number }).at <= at) break;
      [a[i], a[parent]] = [a[parent] as (typeof a)[number], a[i] as (typeof a)[number]];
      i = parent;
    }
  }
  pop(): Record<string, unknown> {
    const a = this.items;
    const top = a[0] as (typeof a)[number];
    const last = a.pop() as (typeof a)[number];
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && (a[l] as { at: number }).at < (a[m] as { at: number }).at) m = l;
        if (r < a.length && (a[r] as { at: number }).at < (a[m] as { at: number }).at) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m] as (typeof a)[number], a[i] as (typeof a)[number]];
        i = m;
      }
    }
    return top.message;
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CATALOG = [
  { product_id: "sku-kurta", name: "Block-print kurta", price: 1899, category: "Apparel" },
  { product_id: "sku-dupatta", name: "Silk dupatta", price: 1250, category: "Apparel" },
  { product_id: "sku-mug", name: "Stoneware mug", price: 450, category: "Home" },
  { product_id: "sku-lamp", name: "Brass lamp", price: 5400, category: "Home" },
  { product_id: "sku-rug", name: "Dhurrie rug", price: 12900, category: "Home" },
  { product_id: "sku-tea", name: "Assam tea 250 g", price: 380, category: "Food" },
  { product_id: "sku-watch", name: "Field watch", price: 24500, category: "Accessories" },
];
const ZONES = ["Asia/Kolkata", "Europe/London", "America/New_York", "America/Los_Angeles", "Europe/Berlin"];
const AGENTS = [
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
];

/** messages in time order across all sessions, each as a plain object */
export function* generateMessages(options: StreamOptions): Generator<Record<string, unknown>> {
  const random = mulberry32(options.seed ?? 7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const start = options.start ?? Date.parse("2026-03-02T00:00:00.000Z");
  const lateShare = options.lateOrders ?? 0;
  const lateRandom = mulberry32((options.seed ?? 7) ^ 0x5bd1e995);
  const later = new LaterQueue();
  let n = 0;
  for (let s = 0; s < options.carts; s++) {
    while (later.size > 0 && later.peek() <= start + s * 6_000) yield later.pop();
    const anonymousId = `anon-${s.toString(36)}-${Math.floor(random() * 1e9).toString(36)}`;
    const cartId = `cart-${s.toString(36)}`;
    const zone = pick(ZONES);
    const mobile = random() < 0.55;
    const context: Record<string, unknown> = {
      app: {
        name: "RudderLabs JavaScript SDK",
        namespace: "com.rudderlabs.javascript",
        version: "3.7.0",
        installType: "cdn",
      },
      library: { name: "RudderLabs JavaScript SDK", version: "3.7.0" },
      userAgent: pick(AGENTS),
      os: { name: "", version: "" },
      locale: "en-IN",
      timezone: zone,
      screen: { density: 2, width: 1440, height: 900, innerWidth: 1440, innerHeight: 789 },
      page: {
        path: "/cart",
        referrer: "https://www.google.com/",
        referring_domain: "www.google.com",
        search: "",
        title: "Your cart",
        url: "https://shop.example/cart",
        tab_url: "https://shop.example/cart",
        initial_referrer: "https://www.google.com/",
        initial_referring_domain: "www.google.com",
      },
      campaign: { name: "spring", source: "newsletter", medium: "email" },
      sessionId: start + s,
      sessionStart: s % 3 === 0,
      uaChData: {
        brands: [
          { brand: "Chromium", version: "124" },
          { brand: "Google Chrome", version: "124" },
          { brand: "Not-A.Brand", version: "99" },
        ],
        mobile,
        platform: mobile ? "Android" : "Windows",
      },
      ip: `49.36.${s % 255}.${(s * 7) % 255}`,
    };
    let t = start + s * 6_000 + Math.floor(random() * 60_000);
    const products: Record<string, unknown>[] = [];
    const envelope = (type: string, extra: Record<string, unknown>) => {
      t += 5_000 + Math.floor(random() * 90_000);
      const iso = new Date(t).toISOString();
      return {
        type,
        messageId: `msg-${(n++).toString(36)}-${s.toString(36)}`,
        anonymousId,
        channel: "web",
        context,
        originalTimestamp: iso,
        sentAt: iso,
        receivedAt: iso,
        timestamp: iso,
        integrations: { All: true },
        rudderId: anonymousId,
        ...extra,
      };
    };
    yield envelope("page", {
      name: "Home",
      properties: { path: "/", title: "Shop", url: "https://shop.example/" },
    });
    const adds = 1 + Math.floor(random() * 3);
    for (let i = 0; i < adds; i++) {
      const product = pick(CATALOG);
      const quantity = 1 + Math.floor(random() * 2);
      products.push({ ...product, quantity });
      yield envelope("track", {
        event: "Product Added",
        properties: {
          cart_id: cartId,
          ...product,
          sku: product.product_id.toUpperCase(),
          quantity,
          currency: "INR",
          price: String(product.price),
        },
      });
    }
    const identified = random() < 0.6;
    const traits = identified
      ? {
          email: `shopper${s}@example.com`,
          phone: `+9198${String(10_000_000 + s).slice(-8)}`,
          firstName: "Asha",
          email_opt_in: true,
          sms_opt_in: random() < 0.5,
        }
      : undefined;
    if (identified) {
      yield envelope("identify", { userId: `cust-${s}`, traits });
      // from here on the SDK repeats the user's traits in every event's context
      context.traits = traits;
    }
    yield envelope("track", { event: "Cart Viewed", properties: { cart_id: cartId, products } });
    if (random() < 0.5) {
      const value = products.reduce((sum, p) => sum + (p.price as number) * (p.quantity as number), 0);
      yield envelope("track", {
        event: "Checkout Started",
        userId: identified ? `cust-${s}` : undefined,
        properties: { cart_id: cartId, order_id: `chk-${s}`, value, currency: "INR", products },
      });
      if (random() < 0.4) {
        yield envelope("track", {
          event: "Order Completed",
          userId: identified ? `cust-${s}` : undefined,
          properties: {
            order_id: `ord-${s}`,
            checkout_id: `chk-${s}`,
            cart_id: cartId,
            total: value,
            currency: "INR",
            products,
          },
        });
        continue;
      }
    }
    if (lateShare > 0 && lateRandom() < lateShare) {
      // 20 min to 10 days later, log-uniform: as many orders between the first stages as later
      const at = t + Math.round(20 * 60_000 * Math.exp(lateRandom() * Math.log(720)));
      const iso = new Date(at).toISOString();
      const value = products.reduce((sum, p) => sum + (p.price as number) * (p.quantity as number), 0);
      later.push(at, {
        type: "track",
        event: "Order Completed",
        messageId: `msg-late-${s.toString(36)}`,
        anonymousId,
        userId: identified ? `cust-${s}` : undefined,
        channel: "web",
        context,
        originalTimestamp: iso,
        sentAt: iso,
        receivedAt: iso,
        timestamp: iso,
        integrations: { All: true },
        rudderId: anonymousId,
        properties: { order_id: `ord-${s}`, cart_id: cartId, total: value, currency: "INR", products },
      });
    }
  }
  while (later.size > 0) yield later.pop();
}

/** the same stream as NDJSON lines */
export function generateLines(options: StreamOptions): string[] {
  const lines: string[] = [];
  for (const message of generateMessages(options)) lines.push(JSON.stringify(message));
  return lines;
}
