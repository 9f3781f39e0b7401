/**
 * The recovery report: what the journeys earned, from the state cartback already keeps (journey
 * instances, carts, engagement and consent in each profile; delivery outcomes from the outbox).
 * Profiles are added one at a time, so a store of any size is read in pages; `finish` returns plain
 * JSON. Every total is the sum of its breakdown, which a property test checks.
 *
 * @example
 * const builder = createReportBuilder({ journeys: [playbookJourney()], now });
 * for (const profile of profiles) builder.add(profile, (key) => outbox.get(key));
 * const report = builder.finish();
 * report.journeys[0].treated.rate; // recovered carts ÷ carts that entered the journey
 */
import type { Channel } from "../events.js";
import { HOLDOUT_REASON } from "../journey/holdout.js";
import type { JourneyInstance, SentStep } from "../journey/instance.js";
import { type ResolvedJourney, resolveCheckedJourney } from "../journey/resolve.js";
import type { JourneySpec } from "../journey/schema.js";
import type { Cart, Profile } from "../profile.js";
import {
  type AttributionWindows,
  attributeOrder,
  type ClickThrough,
  DEFAULT_ATTRIBUTION_WINDOWS,
  type Touch,
} from "./attribution.js";
import {
  DEFAULT_WINNER_RULE,
  differenceInterval,
  experimentVerdict,
  type Interval,
  twoProportionTest,
  type Verdict,
  type WinnerRule,
  wilsonInterval,
} from "./statistics.js";
import { checkTargets, PLAYBOOK_TARGETS, type TargetCheck } from "./targets.js";

/** amounts per ISO currency: revenue in different currencies is never added up */
export type Money = Record<string, number>;

/** what one message costs, in one currency: per email, per SMS segment, per WhatsApp message */
export interface Prices {
  currency: string;
  email?: number;
  sms?: number;
  whatsapp?: number;
  push?: number;
}

/** what became of a message after the planner sent it, from the outbox */
export interface DeliveryFact {
  /** `queued`: not delivered yet; `failed`: dead-lettered; `dropped`: no longer sent (e.g. ordered meanwhile) */
  state: "sent" | "queued" | "failed" | "dropped";
  /** when it went out (for `sent`) */
  at: number | null;
  /** billed units: SMS segments; null when unknown (counted as 1) */
  units: number | null;
}

/** the delivery of a message by its key; undefined when unknown, which counts as sent when planned */
export type DeliveryLookup = (key: string) => DeliveryFact | undefined;

export interface ReportOptions {
  journeys: readonly JourneySpec[];
  /** the report's time (epoch ms): the end of the period */
  now: number;
  /** only carts abandoned at or after this (epoch ms) */
  since?: number | null;
  /** only this journey */
  journey?: string | null;
  prices?: Prices | null;
  winnerRule?: Partial<WinnerRule>;
}

export type HoldoutArm = "treated" | "holdout";

/** numbers per cart, additive over carts */
export interface CartCounts {
  /** carts that entered the journey (were judged abandoned and not suppressed) */
  carts: number;
  /** carts at least one message went out to */
  messaged: number;
  recovered: number;
  revenue: Money;
  /** recovered carts ordered before any message went out */
  recoveredBeforeMessage: number;
}

/** numbers per message, additive over messages */
export interface MessageCounts {
  sent: number;
  /** planned and not out yet */
  queued: number;
  /** dead-lettered: the provider refused or it kept failing */
  failed: number;
  /** not sent because it no longer applied when its turn came (an order, a withdrawn consent) */
  dropped: number;
  delivered: number;
  opened: number;
  clicked: number;
  bounced: number;
  unsubscribed: number;
  /** recoveries whose last touch this message was */
  recoveries: number;
  revenue: Money;
  /** recoveries whose shopper came back through this message's link */
  clickRecoveries: number;
  clickRevenue: Money;
  /** billed units: emails, SMS segments, WhatsApp messages */
  units: number;
  /** in `prices.currency`; null without prices */
  cost: number | null;
}

export interface CartRow extends CartCounts {
  journey: string;
  group: HoldoutArm;
  segment: string;
}

export interface MessageRow extends MessageCounts {
  journey: string;
  stage: number;
  step: string;
  channel: Channel;
  segment: string;
  /** the variant labels the message carried (`experiment:variant`, comma-separated), or `-` */
  variant: string;
}

export interface CartRates extends CartCounts {
  /** recovered ÷ carts */
  rate: number | null;
  /** 95 % interval of the rate */
  interval: Interval | null;
}

export interface StageResult extends MessageCounts {
  stage: number;
  name: string;
  /** carts at least one message of this stage went out to */
  reached: number;
  /** this stage's share of the recoveries credited to a message (last touch) */
  share: number | null;
  unsubscribesPerSend: number | null;
  revenuePerMessage: Money;
}

export interface ChannelResult extends MessageCounts {
  channel: Channel;
  revenuePerMessage: Money;
  /** credited revenue in the price currency ÷ cost */
  returnOnSpend: number | null;
}

export interface SegmentResult extends CartRates {
  segment: string;
  sent: number;
}

export interface HoldoutComparison {
  treatedRate: number | null;
  holdoutRate: number | null;
  /** treated rate − holdout rate, in rate points (0.03 = 3 points) */
  difference: number | null;
  /** 95 % interval of the difference */
  interval: Interval | null;
  /** two-proportion z-test of the difference */
  pValue: number | null;
  /** carts the journey brought back beyond what the holdout rate predicts */
  incrementalRecoveries: number | null;
  /** treated revenue minus the holdout's scaled to the treated carts, per currency */
  incrementalRevenue: Money;
}

export interface VariantResult {
  id: string;
  carts: number;
  recovered: number;
  revenue: Money;
  sent: number;
  rate: number | null;
  uplift: number | null;
  probabilityToBeatControl: number | null;
  pValue: number | null;
}

export interface ExperimentResult {
  id: string;
  control: string;
  status: Verdict["status"];
  winner: string | null;
  summary: string;
  variants: VariantResult[];
}

export interface JourneyResult {
  id: string;
  name: string;
  holdoutPercent: number;
  /** attribution windows in hours */
  windowsHours: AttributionWindows;
  /** every cart that entered, treated and held out together */
  carts: CartRates;
  treated: CartRates;
  holdout: CartRates;
  comparison: HoldoutComparison | null;
  messages: MessageCounts;
  /** recovered revenue per cart messaged, per currency */
  revenuePerRecipient: Money;
  revenuePerMessage: Money;
  /** treated recovered revenue in the price currency ÷ cost */
  returnOnSpend: number | null;
  stages: StageResult[];
  segments: SegmentResult[];
  channels: ChannelResult[];
  experiments: ExperimentResult[];
  /** steps that came due and were not sent, by reason (held-out carts under `holdout`) */
  skipped: Record<string, number>;
  targets: TargetCheck[];
}

export interface OrderCounts {
  orders: number;
  revenue: Money;
}

export interface RecoveryReport {
  generatedAt: string;
  since: string | null;
  journey: string | null;
  prices: Prices | null;
  winnerRule: WinnerRule;
  /** all journeys together */
  totals: { carts: CartRates; treated: CartRates; holdout: CartRates; messages: MessageCounts };
  journeys: JourneyResult[];
  /** orders of carts in the period: recovered, in a journey but not recovered, never in a journey */
  orders: { recovered: OrderCounts; notRecovered: OrderCounts; noJourney: OrderCounts };
  /** the full breakdowns the summaries are sums of */
  cartRows: CartRow[];
  messageRows: MessageRow[];
}

function emptyCartCounts(): CartCounts {
  return { carts: 0, messaged: 0, recovered: 0, revenue: {}, recoveredBeforeMessage: 0 };
}

export function emptyMessageCounts(priced: boolean): MessageCounts {
  return {
    sent: 0,
    queued: 0,
    failed: 0,
    dropped: 0,
    delivered: 0,
    opened: 0,
    clicked: 0,
    bounced: 0,
    unsubscribed: 0,
    recoveries: 0,
    revenue: {},
    clickRecoveries: 0,
    clickRevenue: {},
    units: 0,
    cost: priced ? 0 : null,
  };
}

function addMoney(into: Money, from: Money): void {
  for (const [currency, amount] of Object.entries(from))
    into[currency] = roundCents((into[currency] ?? 0) + amount);
}

/** money is summed in 1/10,000 units like cart values, so sums do not drift */
function roundCents(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function addCartCounts(into: CartCounts, from: CartCounts): void {
  into.carts += from.carts;
  into.messaged += from.messaged;
  into.recovered += from.recovered;
  into.recoveredBeforeMessage += from.recoveredBeforeMessage;
  addMoney(into.revenue, from.revenue);
}

function addMessageCounts(into: MessageCounts, from: MessageCounts): void {
  into.sent += from.sent;
  into.queued += from.queued;
  into.failed += from.failed;
  into.dropped += from.dropped;
  into.delivered += from.delivered;
  into.opened += from.opened;
  into.clicked += from.clicked;
  into.bounced += from.bounced;
  into.unsubscribed += from.unsubscribed;
  into.recoveries += from.recoveries;
  addMoney(into.revenue, from.revenue);
  into.clickRecoveries += from.clickRecoveries;
  addMoney(into.clickRevenue, from.clickRevenue);
  into.units += from.units;
  if (into.cost !== null && from.cost !== null) into.cost = roundCents(into.cost + from.cost);
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

function perUnit(money: Money, count: number): Money {
  const out: Money = {};
  if (count <= 0) return out;
  for (const [currency, amount] of Object.entries(money)) out[currency] = roundCents(amount / count);
  return out;
}

function withRates(counts: CartCounts): CartRates {
  return {
    ...counts,
    rate: ratio(counts.recovered, counts.carts),
    interval: counts.carts > 0 ? wilsonInterval(counts.recovered, counts.carts) : null,
  };
}

/** one message of an instance, with what became of it */
interface MessageFact {
  cartId: string;
  sent: SentStep;
  channel: Channel;
  row: MessageRow;
  state: DeliveryFact["state"];
  /** when it went out (sent) or was planned */
  at: number;
  flags: Set<string>;
}

const ENGAGEMENT_FLAGS = new Set(["delivered", "opened", "clicked", "bounced", "unsubscribed"]);

/** the message keys of a profile's journeys, for looking their delivery up in one go */
export function messageKeysOf(profile: Profile): string[] {
  const keys: string[] = [];
  for (const instance of Object.values(profile.journeys))
    for (const s of instance.sent) if (s.channel !== null) keys.push(s.key);
  return keys;
}

/**
 * Starts a report. `add` every profile (in any order, each once), then `finish`.
 */
export function createReportBuilder(options: ReportOptions) {
  const resolved = new Map<string, ResolvedJourney>();
  for (const spec of options.journeys) resolved.set(spec.id, resolveCheckedJourney(spec));
  const since = options.since ?? null;
  const prices = options.prices ?? null;
  const rule: WinnerRule = { ...DEFAULT_WINNER_RULE, ...options.winnerRule };
  const priced = prices !== null;

  const cartRows = new Map<string, CartRow>();
  const messageRows = new Map<string, MessageRow>();
  // per journey: carts reached per stage, skipped steps, experiment arms
  const reached = new Map<string, Map<number, number>>();
  const skipped = new Map<string, Record<string, number>>();
  const arms = new Map<string, Map<string, Map<string, VariantResult>>>();
  const orders = {
    recovered: { orders: 0, revenue: {} as Money },
    notRecovered: { orders: 0, revenue: {} as Money },
    noJourney: { orders: 0, revenue: {} as Money },
  };
  const journeyOrder: string[] = options.journeys.map((j) => j.id);

  const selected = (journeyId: string) => options.journey == null || options.journey === journeyId;
  const windowsOf = (journeyId: string) =>
    resolved.get(journeyId)?.attribution ?? DEFAULT_ATTRIBUTION_WINDOWS;
  const currencyOf = (journeyId: string, cart: Cart | undefined, fallback?: string) =>
    cart?.currency ?? fallback ?? resolved.get(journeyId)?.thresholds.currency ?? "USD";

  function cartRow(journey: string, group: HoldoutArm, segment: string): CartRow {
    const key = `${journey}\u0000${group}\u0000${segment}`;
    let row = cartRows.get(key);
    if (!row) {
      row = { journey, group, segment, ...emptyCartCounts() };
      cartRows.set(key, row);
      if (!journeyOrder.includes(journey)) journeyOrder.push(journey);
    }
    return row;
  }

  function messageRow(journey: string, s: SentStep, channel: Channel, segment: string): MessageRow {
    const variant = s.variant ?? "-";
    const key = `${journey}\u0000${s.stage}\u0000${s.step}\u0000${channel}\u0000${segment}\u0000${variant}`;
    let row = messageRows.get(key);
    if (!row) {
      row = {
        journey,
        stage: s.stage,
        step: s.step,
        channel,
        segment,
        variant,
        ...emptyMessageCounts(priced),
      };
      messageRows.set(key, row);
    }
    return row;
  }

  function price(channel: Channel): number {
    return prices?.[channel] ?? 0;
  }

  /** the message an engagement record answers, or undefined */
  function matchEngagement(
    facts: MessageFact[],
    e: Profile["engagement"][number],
    windows: (journey: string) => AttributionWindows,
  ): MessageFact | undefined {
    if (e.key !== undefined) {
      return facts.find((f) => e.key === f.sent.key || e.key?.startsWith(`${f.sent.key}:`));
    }
    let best: MessageFact | undefined;
    for (const f of facts) {
      if (f.channel !== e.channel || f.at > e.at) continue;
      if (e.cartId !== undefined && f.cartId !== e.cartId) continue;
      if (e.stage !== undefined && f.sent.stage !== e.stage) continue;
      if (e.step !== undefined && f.sent.step !== e.step) continue;
      // a shopper-level signal (an email unsubscribe from MailerLite) goes to the last message
      // before it, within the click window
      if (e.cartId === undefined && e.at - f.at > windows(f.row.journey).click) continue;
      if (!best || f.at >= best.at) best = f;
    }
    return best;
  }

  function add(profile: Profile, delivery?: DeliveryLookup): void {
    const facts: MessageFact[] = [];
    const entered: { instance: JourneyInstance; mine: MessageFact[]; cart: Cart | undefined }[] = [];
    const inJourney = new Set<string>();

    for (const instance of Object.values(profile.journeys)) {
      if (!selected(instance.journey)) continue;
      if (instance.status === "suppressed" || instance.abandonedAt === null) continue;
      if (since !== null && instance.abandonedAt < since) continue;
      if (instance.abandonedAt > options.now) continue;
      inJourney.add(instance.cartId);
      const cart = profile.carts.find((c) => c.id === instance.cartId);
      const segment = instance.segment ?? "-";
      const mine: MessageFact[] = [];
      for (const s of instance.sent) {
        if (s.channel === null) continue;
        const fact = delivery?.(s.key);
        const state = fact?.state ?? "sent";
        const row = messageRow(instance.journey, s, s.channel, segment);
        const message: MessageFact = {
          cartId: instance.cartId,
          sent: s,
          channel: s.channel,
          row,
          state,
          at: state === "sent" ? (fact?.at ?? s.at) : s.at,
          flags: new Set(),
        };
        if (state === "sent") {
          row.sent++;
          const units = fact?.units ?? 1;
          row.units += units;
          if (row.cost !== null) row.cost = roundCents(row.cost + units * price(s.channel));
        } else row[state]++;
        mine.push(message);
        facts.push(message);
      }
      const reasons = skipped.get(instance.journey) ?? {};
      skipped.set(instance.journey, reasons);
      for (const s of instance.skipped ?? []) reasons[s.reason] = (reasons[s.reason] ?? 0) + 1;
      entered.push({ instance, mine, cart });
    }

    // engagement and unsubscribes, each counted once per message
    for (const e of profile.engagement) {
      if (!ENGAGEMENT_FLAGS.has(e.engagement)) continue;
      const fact = matchEngagement(facts, e, windowsOf);
      if (fact && fact.state === "sent") fact.flags.add(e.engagement);
    }
    for (const [channel, consent] of Object.entries(profile.consent) as [
      Channel,
      Profile["consent"][Channel],
    ][]) {
      if (consent.status !== "denied" || consent.at === undefined) continue;
      const fact = matchEngagement(facts, { at: consent.at, engagement: "unsubscribed", channel }, windowsOf);
      if (fact && fact.state === "sent") fact.flags.add("unsubscribed");
    }
    const clicksByCart = new Map<string, ClickThrough[]>();
    for (const e of profile.engagement) {
      if (e.engagement !== "clicked") continue;
      const fact = matchEngagement(facts, e, windowsOf);
      if (fact?.state !== "sent") continue;
      const list = clicksByCart.get(fact.cartId) ?? [];
      list.push({ key: fact.sent.key, at: e.at });
      clicksByCart.set(fact.cartId, list);
    }
    for (const fact of facts) {
      for (const flag of fact.flags) fact.row[flag as "delivered"]++;
    }

    for (const { instance, mine, cart } of entered) {
      const group: HoldoutArm = instance.holdout ? "holdout" : "treated";
      const row = cartRow(instance.journey, group, instance.segment ?? "-");
      row.carts++;
      const out = mine.filter((m) => m.state === "sent");
      if (out.length > 0) row.messaged++;
      const stages = reached.get(instance.journey) ?? new Map<number, number>();
      reached.set(instance.journey, stages);
      for (const stage of new Set(out.map((m) => m.sent.stage)))
        stages.set(stage, (stages.get(stage) ?? 0) + 1);

      const order = orderOf(instance, cart);
      // the recovered revenue, when the order recovered the cart
      let recovered: Money | null = null;
      if (order && order.at <= options.now) {
        const touches: Touch[] = out.map((m) => ({ key: m.sent.key, channel: m.channel, at: m.at }));
        const wouldBe = instance.holdout
          ? (instance.skipped ?? [])
              .filter((s) => s.reason === HOLDOUT_REASON && s.channel !== null)
              .map((s) => ({ channel: s.channel as Channel, at: s.at }))
          : [];
        const endedByOrder = instance.exitReason === "ordered";
        const result = attributeOrder({
          abandonedAt: instance.abandonedAt as number,
          endedAt: endedByOrder ? null : (instance.exitedAt ?? null),
          touches,
          wouldBe,
          clicks: clicksByCart.get(instance.cartId) ?? [],
          orderedAt: order.at,
          windows: windowsOf(instance.journey),
        });
        const money: Money = { [currencyOf(instance.journey, cart, order.currency)]: order.value };
        if (result.recovered) {
          recovered = money;
          row.recovered++;
          addMoney(row.revenue, money);
          if (result.lastTouch === null) row.recoveredBeforeMessage++;
          else {
            const credited = out.find((m) => m.sent.key === result.lastTouch?.key) as MessageFact;
            credited.row.recoveries++;
            addMoney(credited.row.revenue, money);
          }
          if (result.clickThrough !== null) {
            const clicked = out.find((m) => m.sent.key === result.clickThrough?.key) as MessageFact;
            clicked.row.clickRecoveries++;
            addMoney(clicked.row.clickRevenue, money);
          }
          orders.recovered.orders++;
          addMoney(orders.recovered.revenue, money);
        } else {
          orders.notRecovered.orders++;
          addMoney(orders.notRecovered.revenue, money);
        }
      }
      countArms(instance, out, recovered);
    }

    // orders of carts that never entered a journey
    for (const cart of profile.carts) {
      if (cart.status !== "ordered" || cart.orderedAt === undefined || inJourney.has(cart.id)) continue;
      if (since !== null && cart.orderedAt < since) continue;
      if (cart.orderedAt > options.now) continue;
      orders.noJourney.orders++;
      addMoney(orders.noJourney.revenue, { [cart.currency ?? "USD"]: cart.orderValue ?? cart.value });
    }
  }

  function countArms(instance: JourneyInstance, out: MessageFact[], recovered: Money | null): void {
    const journeyArms = arms.get(instance.journey) ?? new Map<string, Map<string, VariantResult>>();
    arms.set(instance.journey, journeyArms);
    const seen = new Map<string, string>();
    const sentBy = new Map<string, number>();
    for (const m of out) {
      for (const label of (m.sent.variant ?? "").split(",")) {
        const colon = label.indexOf(":");
        if (colon <= 0) continue;
        const experiment = label.slice(0, colon);
        seen.set(experiment, label.slice(colon + 1));
        sentBy.set(experiment, (sentBy.get(experiment) ?? 0) + 1);
      }
    }
    for (const [experiment, variant] of seen) {
      const byVariant = journeyArms.get(experiment) ?? new Map<string, VariantResult>();
      journeyArms.set(experiment, byVariant);
      const arm = byVariant.get(variant) ?? emptyArm(variant);
      byVariant.set(variant, arm);
      arm.carts++;
      arm.sent += sentBy.get(experiment) ?? 0;
      if (recovered) {
        arm.recovered++;
        addMoney(arm.revenue, recovered);
      }
    }
  }

  function finish(): RecoveryReport {
    const journeys = journeyOrder.filter(selected).map((id) => journeyResult(id));
    const totals = {
      carts: emptyCartCounts(),
      treated: emptyCartCounts(),
      holdout: emptyCartCounts(),
      messages: emptyMessageCounts(priced),
    };
    for (const row of cartRows.values()) {
      addCartCounts(totals.carts, row);
      addCartCounts(totals[row.group], row);
    }
    for (const row of messageRows.values()) addMessageCounts(totals.messages, row);
    return {
      generatedAt: new Date(options.now).toISOString(),
      since: since === null ? null : new Date(since).toISOString(),
      journey: options.journey ?? null,
      prices,
      winnerRule: rule,
      totals: {
        carts: withRates(totals.carts),
        treated: withRates(totals.treated),
        holdout: withRates(totals.holdout),
        messages: totals.messages,
      },
      journeys: journeys.filter((j) => j.carts.carts > 0 || resolved.has(j.id)),
      orders,
      cartRows: [...cartRows.values()].sort(compareCartRows),
      messageRows: [...messageRows.values()].sort(compareMessageRows),
    };
  }

  function journeyResult(id: string): JourneyResult {
    const spec = resolved.get(id);
    const mine = [...cartRows.values()].filter((r) => r.journey === id);
    const messages = [...messageRows.values()].filter((r) => r.journey === id);
    const carts = emptyCartCounts();
    const treated = emptyCartCounts();
    const holdout = emptyCartCounts();
    for (const row of mine) {
      addCartCounts(carts, row);
      addCartCounts(row.group === "treated" ? treated : holdout, row);
    }
    const total = emptyMessageCounts(priced);
    for (const row of messages) addMessageCounts(total, row);

    const stageNumbers = new Set<number>([
      ...(spec?.stages.map((s) => s.stage) ?? []),
      ...messages.map((m) => m.stage),
    ]);
    const stages: StageResult[] = [...stageNumbers]
      .sort((a, b) => a - b)
      .map((stage) => {
        const counts = emptyMessageCounts(priced);
        for (const row of messages) if (row.stage === stage) addMessageCounts(counts, row);
        return {
          stage,
          name: spec?.stages.find((s) => s.stage === stage)?.name ?? `stage ${stage}`,
          ...counts,
          reached: reached.get(id)?.get(stage) ?? 0,
          share: ratio(counts.recoveries, total.recoveries),
          unsubscribesPerSend: ratio(counts.unsubscribed, counts.sent),
          revenuePerMessage: perUnit(counts.revenue, counts.sent),
        };
      });

    const segmentIds = [
      ...new Set([...(spec?.segments.map((s) => s.id) ?? []), ...mine.map((r) => r.segment)]),
    ];
    const segments: SegmentResult[] = segmentIds
      .map((segment) => {
        const counts = emptyCartCounts();
        for (const row of mine)
          if (row.segment === segment && row.group === "treated") addCartCounts(counts, row);
        const sent = messages.filter((m) => m.segment === segment).reduce((n, m) => n + m.sent, 0);
        return { segment, ...withRates(counts), sent };
      })
      .filter((s) => s.carts > 0 || spec?.segments.some((x) => x.id === s.segment));

    const channels: ChannelResult[] = (["email", "sms", "whatsapp", "push"] as Channel[])
      .map((channel) => {
        const counts = emptyMessageCounts(priced);
        for (const row of messages) if (row.channel === channel) addMessageCounts(counts, row);
        return {
          channel,
          ...counts,
          revenuePerMessage: perUnit(counts.revenue, counts.sent),
          returnOnSpend: returnOnSpend(counts.revenue, counts.cost),
        };
      })
      .filter((c) => c.sent + c.queued + c.failed + c.dropped > 0);

    const experiments: ExperimentResult[] = (spec?.experiments ?? []).map((e) => {
      const byVariant = arms.get(id)?.get(e.id) ?? new Map<string, VariantResult>();
      const list = e.variants.map((v) => byVariant.get(v.id) ?? emptyArm(v.id));
      const verdict = experimentVerdict(list, rule);
      return {
        id: e.id,
        control: e.variants[0]?.id ?? "",
        status: verdict.status,
        winner: verdict.winner,
        summary: verdict.summary,
        variants: list.map((arm, i) => {
          const judged = verdict.arms[i];
          return {
            ...arm,
            rate: judged?.rate ?? null,
            uplift: judged?.uplift ?? null,
            probabilityToBeatControl: judged?.probabilityToBeatControl ?? null,
            pValue: judged?.pValue ?? null,
          };
        }),
      };
    });

    let comparison: HoldoutComparison | null = null;
    if (holdout.carts > 0 && treated.carts > 0) {
      const interval = differenceInterval(treated.recovered, treated.carts, holdout.recovered, holdout.carts);
      const difference = treated.recovered / treated.carts - holdout.recovered / holdout.carts;
      const incrementalRevenue: Money = {};
      for (const currency of new Set([...Object.keys(treated.revenue), ...Object.keys(holdout.revenue)])) {
        incrementalRevenue[currency] = roundCents(
          (treated.revenue[currency] ?? 0) -
            ((holdout.revenue[currency] ?? 0) * treated.carts) / holdout.carts,
        );
      }
      comparison = {
        treatedRate: treated.recovered / treated.carts,
        holdoutRate: holdout.recovered / holdout.carts,
        difference,
        interval,
        pValue: twoProportionTest(treated.recovered, treated.carts, holdout.recovered, holdout.carts).pValue,
        incrementalRecoveries: Math.round(difference * treated.carts * 100) / 100,
        incrementalRevenue,
      };
    }

    const windows = spec?.attribution ?? DEFAULT_ATTRIBUTION_WINDOWS;
    const hours = (ms: number) => ms / 3_600_000;
    const result: JourneyResult = {
      id,
      name: spec?.spec.name ?? id,
      holdoutPercent: spec?.holdoutPercent ?? 0,
      windowsHours: {
        email: hours(windows.email),
        sms: hours(windows.sms),
        whatsapp: hours(windows.whatsapp),
        push: hours(windows.push),
        click: hours(windows.click),
      },
      carts: withRates(carts),
      treated: withRates(treated),
      holdout: withRates(holdout),
      comparison,
      messages: total,
      revenuePerRecipient: perUnit(treated.revenue, treated.messaged),
      revenuePerMessage: perUnit(total.revenue, total.sent),
      returnOnSpend: returnOnSpend(treated.revenue, total.cost),
      stages,
      segments,
      channels,
      experiments,
      skipped: skipped.get(id) ?? {},
      targets: [],
    };
    result.targets = checkTargets(PLAYBOOK_TARGETS, result);
    return result;
  }

  function returnOnSpend(revenue: Money, cost: number | null): number | null {
    if (prices === null || cost === null || cost <= 0) return null;
    return (revenue[prices.currency] ?? 0) / cost;
  }

  return { add, finish };
}

export type ReportBuilder = ReturnType<typeof createReportBuilder>;

function emptyArm(id: string): VariantResult {
  return {
    id,
    carts: 0,
    recovered: 0,
    revenue: {},
    sent: 0,
    rate: null,
    uplift: null,
    probabilityToBeatControl: null,
    pValue: null,
  };
}

/** the order that recovered (or did not recover) the instance's cart, as the instance or the cart recorded it */
function orderOf(
  instance: JourneyInstance,
  cart: Cart | undefined,
): { at: number; value: number; currency?: string } | null {
  if (instance.recovery) {
    return {
      at: instance.recovery.orderedAt,
      value: instance.recovery.value,
      ...(instance.recovery.currency ? { currency: instance.recovery.currency } : {}),
    };
  }
  if (cart?.status === "ordered" && cart.orderedAt !== undefined) {
    return {
      at: cart.orderedAt,
      value: cart.orderValue ?? cart.value,
      ...(cart.currency ? { currency: cart.currency } : {}),
    };
  }
  return null;
}

function compareCartRows(a: CartRow, b: CartRow): number {
  return (
    a.journey.localeCompare(b.journey) || a.group.localeCompare(b.group) || a.segment.localeCompare(b.segment)
  );
}

function compareMessageRows(a: MessageRow, b: MessageRow): number {
  return (
    a.journey.localeCompare(b.journey) ||
    a.stage - b.stage ||
    a.step.localeCompare(b.step) ||
    a.channel.localeCompare(b.channel) ||
    a.segment.localeCompare(b.segment) ||
    a.variant.localeCompare(b.variant)
  );
}
