/**
 * The state of one journey for one cart, kept in the shopper's profile and advanced only by the planner.
 */
import type { Channel } from "../events.js";

export type JourneyStatus = "waiting" | "active" | "paused" | "completed" | "exited" | "suppressed";

export interface SentStep {
  stage: number;
  step: string;
  channel: Channel | null;
  at: number;
  key: string;
  variant: string | null;
}

export interface JourneyInstance {
  journey: string;
  cartId: string;
  status: JourneyStatus;
  segment: string | null;
  /** when the cart was judged abandoned; stage delays count from here */
  abandonedAt: number | null;
  stage: number | null;
  sent: SentStep[];
  exitReason?: string;
  exitedAt?: number;
}
