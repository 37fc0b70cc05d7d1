import type { Usd } from '../money.js';

/** A budget window: calendar hour, day or month (UTC), or the last N seconds. */
export type BudgetWindow = 'hour' | 'day' | 'month' | { rollingSeconds: number };

/** Which calls a budget counts; every given field must match (none given: all calls). */
export interface BudgetScope {
  /** `gen_ai.provider.name`. */
  provider?: string;
  /** Request or response model name, exactly. */
  model?: string;
  /** `ml.task.name` from {@link withCostScope}. */
  task?: string;
  /** The tenant from {@link withCostScope} (never exported as an attribute). */
  tenant?: string;
}

/** A named budget. */
export interface BudgetConfig {
  /** `ml.budget.name`: unique, bounded (it is an attribute). */
  name: string;
  /** The limit per window, in US dollars. */
  limitUsd: Usd;
  /** The window the limit applies to. */
  window: BudgetWindow;
  /** The calls it counts. */
  scope?: BudgetScope;
  /** Fractions of the limit that call the threshold handler once per window (default 0.8, 0.95). */
  thresholds?: number[];
  /** Refuse calls with a BudgetExceededError, before they are sent, once the limit is spent. */
  hardStop?: boolean;
}

/** What the threshold handler is told. */
export interface ThresholdEvent {
  readonly budget: string;
  /** `hour`, `day`, `month` or `rolling`. */
  readonly window: string;
  /** The fraction crossed (0.8), or 1 when the limit itself was exceeded. */
  readonly threshold: number;
  readonly spentUsd: number;
  readonly limitUsd: number;
  /** Start of the current window (for rolling windows: now minus its length). */
  readonly windowStart: Date;
}

/** The context a call is charged in: its provider and models, and the scope values. */
export interface ChargeContext {
  readonly provider: string;
  readonly model: string | undefined;
  readonly responseModel?: string | undefined;
  readonly task?: string | undefined;
  readonly tenant?: string | undefined;
}
