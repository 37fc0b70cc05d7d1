import { diag } from '@opentelemetry/api';
import type { ObservableResult } from '@opentelemetry/api';
import { ATTR_ML_BUDGET_NAME, ATTR_ML_BUDGET_WINDOW } from '@mltel/semconv';
import { WarnOnce } from '@mltel/kit';
import { picoToUsd, usdToPico } from '../money.js';
import type { Pico } from '../money.js';
import type { BudgetStore } from '../stores/types.js';
import { BudgetExceededError } from './errors.js';
import type { BudgetConfig, ChargeContext, ThresholdEvent } from './types.js';
import { isValidWindow, windowBuckets, windowLabel } from './window.js';

const MAX_BUDGETS = 100;

/**
 * Which crossings of a threshold (or of the limit) this process reports, in `ml.budget.exceeded`
 * and to the threshold handler: `all` for a store of its own (or while a shared one fails: the
 * decisions are then local), `none` for a total re-read from a shared store (another process
 * made that spend, and reports it), or the range of the shared total its own increment moved
 * (from, to]. Redis increments are atomic, so each level is crossed by exactly one increment of
 * one process: one owner per crossing, however many replicas share the budget.
 */
type Ownership = 'all' | 'none' | { readonly from: Pico; readonly to: Pico };
const DEFAULT_THRESHOLDS = [0.8, 0.95];
type Window = ReturnType<typeof windowBuckets>;

/** How budgets report what they count. */
export interface BudgetSink {
  exceeded(attributes: Record<string, string>): void;
  refused(attributes: Record<string, string>): void;
}

interface BudgetState {
  readonly config: BudgetConfig;
  readonly limit: Pico;
  readonly thresholds: readonly number[];
  readonly attributes: Record<string, string>;
  /** Spend known per bucket start, for the buckets of the current window. */
  readonly buckets: Map<number, Pico>;
  /** The window (calendar: its start) the fired thresholds belong to. */
  windowKey: number;
  readonly fired: Set<number>;
  exceeded: boolean;
}

/** Options of a budget set. */
export interface BudgetSetOptions {
  store: BudgetStore;
  /** The clock (UTC ms); a fake one in tests. */
  now?: () => number;
  /** Called once per window for each threshold crossed (and at 1 when the limit is exceeded). */
  onThreshold?: (event: ThresholdEvent) => void;
  /** Prefix of the store keys (default `mltel:budget:`): one per service sharing a store. */
  keyPrefix?: string;
  /** How often totals of a shared store are re-read (default 1000 ms). */
  refreshMs?: number;
  sink: BudgetSink;
}

/**
 * Named budgets: spend per window, thresholds, hard stops, kept in a store. Decisions are made
 * on the spend this process knows: exact for a store of its own (memory, file); for a shared one
 * (Redis) the total returned by each of its increments and re-read every `refreshMs` and before
 * each `track()`ed call. A store that fails is reported once; spend is then counted here and
 * handed to the store when it works again. With a shared store, a crossing (a threshold, the
 * limit) is reported, in `ml.budget.exceeded` and to the handler, only by the process whose
 * increment crossed it: one count per crossing however many replicas share the budget.
 */
export class BudgetSet {
  private readonly budgets: BudgetState[] = [];
  private readonly now: () => number;
  private readonly warnings = new WarnOnce();
  private readonly keyPrefix: string;
  private readonly unsynced = new Map<string, { pico: Pico; expiresAt: number }>();
  private storeFailing = false;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  private flushing: Promise<void> | undefined;
  private readonly writes = new Set<Promise<void>>();
  private readonly hardStop: boolean;
  /**
   * Resolves when the spend already kept in a store of this process's own (a file that survived
   * a restart) has been read; at once for a shared store, which is re-read before each call.
   */
  readonly loaded: Promise<void>;

  constructor(
    configs: readonly BudgetConfig[],
    private readonly options: BudgetSetOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.keyPrefix = options.keyPrefix ?? 'mltel:budget:';
    const names = new Set<string>();
    for (const config of Array.isArray(configs) ? configs : []) {
      const state = this.validate(config, names);
      if (state !== undefined) this.budgets.push(state);
    }
    this.hardStop = this.budgets.some((b) => b.config.hardStop === true);
    if (options.store.shared && this.budgets.length > 0) {
      this.refreshTimer = setInterval(() => void this.refresh(), options.refreshMs ?? 1000);
      this.refreshTimer.unref?.();
    }
    this.loaded = !options.store.shared && this.budgets.length > 0 ? this.refresh() : Promise.resolve();
  }

  /** Whether a budget in force is a hard stop (only those decide anything before a call). */
  get hasHardStop(): boolean {
    return this.hardStop;
  }

  /** The budgets in force (invalid ones were dropped with a warning). */
  get names(): string[] {
    return this.budgets.map((b) => b.config.name);
  }

  /** The attributes of every budget's series (`ml.budget.name`, `ml.budget.window`). */
  get series(): Record<string, string>[] {
    return this.budgets.map((b) => b.attributes);
  }

  /** Throws a {@link BudgetExceededError} when a matching hard-stop budget is spent. */
  check(context: ChargeContext): void {
    for (const budget of this.budgets) {
      if (budget.config.hardStop !== true || !matches(budget.config, context)) continue;
      const spent = this.spent(budget);
      if (spent >= budget.limit) {
        this.options.sink.refused(budget.attributes);
        throw new BudgetExceededError(budget.config.name, picoToUsd(budget.limit), picoToUsd(spent));
      }
    }
  }

  /** Re-reads the totals of the matching hard-stop budgets from a shared store (bounded in time). */
  async prepare(context: ChargeContext, timeoutMs = 500): Promise<void> {
    const relevant = this.budgets.filter((b) => b.config.hardStop === true && matches(b.config, context));
    if (relevant.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      // A store of this process's own is read once, at start.
      this.options.store.shared ? this.refresh(relevant) : this.loaded,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref?.();
      }),
    ]);
    clearTimeout(timer);
  }

  /** Adds a call's cost to every matching budget. */
  charge(context: ChargeContext, pico: Pico): void {
    if (pico <= 0n) return;
    // The clock is read once per charge, and each budget's window computed once from it (it was
    // four times: roll, spent, evaluate; a rolling window is 60 buckets).
    const now = this.now();
    for (const budget of this.budgets) {
      if (!matches(budget.config, context)) continue;
      const buckets = windowBuckets(budget.config.window, now);
      const { starts, length } = buckets;
      this.roll(budget, buckets);
      const bucket = starts[starts.length - 1]!;
      budget.buckets.set(bucket, (budget.buckets.get(bucket) ?? 0n) + pico);
      // A shared store's crossing is decided by the total its increment returns (see store()).
      if (!this.options.store.shared || this.storeFailing) this.evaluate(budget, 'all', buckets);
      const key = this.key(budget, bucket);
      // Kept until the bucket has left the window, plus one window of slack.
      const window = budget.config.window;
      const windowMs = typeof window === 'string' ? length : window.rollingSeconds * 1000;
      const write = this.store(key, pico, bucket + length + windowMs, budget, bucket);
      this.writes.add(write);
      void write.finally(() => this.writes.delete(write));
    }
  }

  /** Reports limit, spent and remaining of every budget. */
  observe(limit: ObservableResult, spent: ObservableResult, remaining: ObservableResult): void {
    for (const budget of this.budgets) {
      const total = this.spent(budget);
      limit.observe(picoToUsd(budget.limit), budget.attributes);
      spent.observe(picoToUsd(total), budget.attributes);
      remaining.observe(picoToUsd(total >= budget.limit ? 0n : budget.limit - total), budget.attributes);
    }
  }

  /** The spend known now of a budget, in US dollars (undefined for an unknown name). */
  spentUsd(name: string): number | undefined {
    const budget = this.budgets.find((b) => b.config.name === name);
    return budget === undefined ? undefined : picoToUsd(this.spent(budget));
  }

  /** Re-reads every budget's totals from the store. */
  async refresh(budgets: readonly BudgetState[] = this.budgets): Promise<void> {
    await this.flushUnsynced();
    for (const budget of budgets) {
      this.roll(budget);
      const { starts } = windowBuckets(budget.config.window, this.now());
      try {
        const totals = await this.options.store.get(starts.map((s) => this.key(budget, s)));
        this.recovered();
        starts.forEach((start, i) => {
          const total = totals[i] ?? 0n;
          // Spend only grows within a window: never go below what this process counted.
          if (total > (budget.buckets.get(start) ?? 0n)) budget.buckets.set(start, total);
        });
        this.evaluate(budget, this.options.store.shared ? 'none' : 'all');
      } catch (error) {
        this.failed(error);
      }
    }
  }

  /** Stops the refresh timer; resolves when the writes to the store under way are done. */
  async close(): Promise<void> {
    if (this.refreshTimer !== undefined) clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
    while (this.writes.size > 0) await Promise.allSettled([...this.writes]);
  }

  private async store(key: string, pico: Pico, expiresAt: number, budget: BudgetState, bucket: number): Promise<void> {
    try {
      const total = await this.options.store.add(key, pico, expiresAt);
      this.recovered();
      if (!windowBuckets(budget.config.window, this.now()).starts.includes(bucket)) return;
      if (total > (budget.buckets.get(bucket) ?? 0n)) budget.buckets.set(bucket, total);
      if (!this.options.store.shared) {
        this.evaluate(budget, 'all');
        return;
      }
      // The other buckets of the window as known here, plus this bucket before and after the
      // increment: the crossings in between are this process's to report.
      const others = this.spent(budget) - (budget.buckets.get(bucket) ?? 0n);
      this.evaluate(budget, { from: others + total - pico, to: others + total });
    } catch (error) {
      const pending = this.unsynced.get(key);
      this.unsynced.set(key, { pico: (pending?.pico ?? 0n) + pico, expiresAt });
      this.failed(error);
      // Decided on this process's count while the store fails.
      this.evaluate(budget, 'all');
    }
  }

  // One flush at a time (refreshes, recoveries and calls all ask for one): each pending amount
  // is taken out before it is added, so it is never added twice, and one that fails goes back.
  private flushUnsynced(): Promise<void> {
    if (this.unsynced.size === 0) return Promise.resolve();
    this.flushing ??= (async () => {
      for (const [key, { pico, expiresAt }] of [...this.unsynced]) {
        this.unsynced.delete(key);
        try {
          await this.options.store.add(key, pico, expiresAt);
        } catch (error) {
          const pending = this.unsynced.get(key);
          this.unsynced.set(key, { pico: (pending?.pico ?? 0n) + pico, expiresAt });
          this.failed(error);
          return;
        }
      }
      this.recovered();
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private failed(error: unknown): void {
    if (this.storeFailing) return;
    this.storeFailing = true;
    diag.warn(
      `mltel: the budget store (${this.options.store.description}) failed: ${error instanceof Error ? error.message : String(error)}. ` +
        'Spend is counted in this process and hard stops use that count until the store works again; ' +
        'the spend counted meanwhile is then added to it. Fix: check the store (MLTEL_BUDGET_STORE).',
    );
  }

  private recovered(): void {
    if (!this.storeFailing) return;
    this.storeFailing = false;
    diag.warn(`mltel: the budget store (${this.options.store.description}) works again.`);
    void this.flushUnsynced();
  }

  private spent(budget: BudgetState, window: Window = windowBuckets(budget.config.window, this.now())): Pico {
    this.roll(budget, window);
    const { starts } = window;
    let total = 0n;
    for (const start of starts) total += budget.buckets.get(start) ?? 0n;
    return total;
  }

  // Drops buckets that left the window; a calendar window that ended re-arms its thresholds, a
  // rolling one those its remaining spend is under (so the next crossing calls the handler again,
  // even when one charge brings the spend back over).
  private roll(budget: BudgetState, window: Window = windowBuckets(budget.config.window, this.now())): void {
    const { starts, windowStart } = window;
    const first = starts[0]!;
    const length = window.length;
    let dropped = false;
    for (const start of budget.buckets.keys()) {
      // The starts are `length` apart from the first: a bucket is in the window when it is one.
      if (start >= first && start <= starts[starts.length - 1]! && (start - first) % length === 0) continue;
      budget.buckets.delete(start);
      dropped = true;
    }
    if (typeof budget.config.window === 'string') {
      if (budget.windowKey !== windowStart) {
        budget.windowKey = windowStart;
        budget.fired.clear();
        budget.exceeded = false;
      }
    } else if (dropped) {
      let spent = 0n;
      for (const pico of budget.buckets.values()) spent += pico;
      for (const threshold of budget.fired)
        if (!reaches(spent, threshold, budget.limit)) budget.fired.delete(threshold);
      if (spent <= budget.limit) budget.exceeded = false;
    }
  }

  private evaluate(
    budget: BudgetState,
    ownership: Ownership,
    window: Window = windowBuckets(budget.config.window, this.now()),
  ): void {
    const spent = this.spent(budget, window);
    const rolling = typeof budget.config.window !== 'string';
    const owns = (reached: (spent: Pico) => boolean): boolean =>
      ownership === 'all' || (ownership !== 'none' && !reached(ownership.from) && reached(ownership.to));
    for (const threshold of budget.thresholds) {
      const reachedAt = (value: Pico): boolean => reaches(value, threshold, budget.limit);
      const reached = reachedAt(spent);
      if (reached && !budget.fired.has(threshold) && owns(reachedAt)) {
        budget.fired.add(threshold);
        this.notify(budget, threshold, spent);
      } else if (!reached && rolling) {
        // A rolling window falls back under a threshold as old spend leaves it: re-arm.
        budget.fired.delete(threshold);
      }
    }
    // Spent to the limit counts as exceeded: it is also where a hard stop starts refusing.
    const overAt = (value: Pico): boolean => value >= budget.limit;
    const over = overAt(spent);
    if (over && !budget.exceeded && owns(overAt)) {
      budget.exceeded = true;
      this.options.sink.exceeded(budget.attributes);
      // A threshold of 1 was already called at the limit: once per window.
      if (!budget.thresholds.includes(1)) this.notify(budget, 1, spent);
    } else if (!over && rolling) {
      budget.exceeded = false;
    }
  }

  private notify(budget: BudgetState, threshold: number, spent: Pico): void {
    const handler = this.options.onThreshold;
    if (handler === undefined) return;
    const { windowStart } = windowBuckets(budget.config.window, this.now());
    try {
      handler({
        budget: budget.config.name,
        window: windowLabel(budget.config.window),
        threshold,
        spentUsd: picoToUsd(spent),
        limitUsd: picoToUsd(budget.limit),
        windowStart: new Date(windowStart),
      });
    } catch (error) {
      this.warnings.warn(
        'handler',
        `the budget threshold handler threw (${error instanceof Error ? error.message : String(error)}); it is not called again for this event`,
      );
    }
  }

  private key(budget: BudgetState, bucket: number): string {
    return `${this.keyPrefix}${budget.config.name}:${windowLabel(budget.config.window)}:${bucket}`;
  }

  private validate(config: BudgetConfig, names: Set<string>): BudgetState | undefined {
    const problem = (why: string): undefined => {
      diag.warn(
        `mltel: budget ${JSON.stringify((config as { name?: unknown } | null)?.name ?? null)} is ignored: ${why}.`,
      );
      return undefined;
    };
    if (typeof config !== 'object' || config === null) return problem('it is not an object');
    if (typeof config.name !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(config.name)) {
      return problem('name must be 1-64 letters, digits or _ . : -');
    }
    if (names.has(config.name)) return problem('another budget has this name');
    if (names.size >= MAX_BUDGETS) return problem(`more than ${MAX_BUDGETS} budgets`);
    const limit = usdToPico(config.limitUsd);
    if (limit === undefined || limit <= 0n)
      return problem(`limitUsd must be a number of dollars > 0, got ${JSON.stringify(config.limitUsd)}`);
    if (!isValidWindow(config.window)) return problem('window must be hour, day, month or { rollingSeconds: N >= 1 }');
    const thresholds = config.thresholds ?? DEFAULT_THRESHOLDS;
    if (!Array.isArray(thresholds) || thresholds.some((t) => typeof t !== 'number' || !(t > 0 && t <= 1))) {
      return problem('thresholds must be fractions of the limit in (0, 1]');
    }
    names.add(config.name);
    return {
      config,
      limit,
      thresholds: [...new Set(thresholds)].sort((a, b) => a - b),
      attributes: { [ATTR_ML_BUDGET_NAME]: config.name, [ATTR_ML_BUDGET_WINDOW]: windowLabel(config.window) },
      buckets: new Map(),
      windowKey: Number.NaN,
      fired: new Set(),
      exceeded: false,
    };
  }
}

function reaches(spent: Pico, threshold: number, limit: Pico): boolean {
  return spent * 1_000_000n >= BigInt(Math.round(threshold * 1_000_000)) * limit;
}

function matches(config: BudgetConfig, context: ChargeContext): boolean {
  const scope = config.scope;
  if (scope === undefined) return true;
  if (scope.provider !== undefined && scope.provider !== context.provider) return false;
  if (scope.model !== undefined && scope.model !== context.model && scope.model !== context.responseModel) return false;
  if (scope.task !== undefined && scope.task !== context.task) return false;
  if (scope.tenant !== undefined && scope.tenant !== context.tenant) return false;
  return true;
}
