// The circuit breaker and health of any dependency (a broker, a database, a downstream service),
// with the same gauges for all of them; `ml.provider.*` stays the provider meter's own.
import type { Attributes, Counter, MeterProvider, ObservableGauge } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_ML_CIRCUIT_BREAKER_FROM,
  ATTR_ML_CIRCUIT_BREAKER_STATE,
  ATTR_ML_CIRCUIT_BREAKER_TO,
  ATTR_ML_DEPENDENCY_KIND,
  ATTR_ML_DEPENDENCY_NAME,
  ML_CIRCUIT_BREAKER_STATE_VALUES,
  ML_DEPENDENCY_CIRCUIT_BREAKER_STATE,
  ML_DEPENDENCY_CIRCUIT_BREAKER_TRANSITIONS,
  ML_DEPENDENCY_FAILURES,
  ML_DEPENDENCY_STATUS,
} from '@mltel/semconv';
import { errorTypeOf } from './error-type.js';
import { describeValue, WarnOnce } from './guard.js';
import { instrumentOptions } from './instrument-options.js';
import { ProviderBinding } from './provider-binding.js';

/** A breaker state, as `ml.circuit_breaker.state` names it. */
export type BreakerState = (typeof ML_CIRCUIT_BREAKER_STATE_VALUES)[number];

/** Dependencies reported at once per process; past it a new one works but is not reported (one warning). */
export const MAX_DEPENDENCIES = 100;
/** Longest dependency name or kind kept; longer ones are truncated (one warning). */
export const MAX_DEPENDENCY_NAME_LENGTH = 128;
/** `error.type` values kept per dependency; later ones are `_OTHER`. */
const MAX_ERROR_TYPES = 20;

/** Options of {@link createDependencyHealth}. */
export interface DependencyHealthOptions {
  /** `ml.dependency.name`: a bounded name (`rabbitmq`, `orders-db`), never a URL with credentials. */
  name: string;
  /** `ml.dependency.kind`: `broker`, `database`, `service`, ... Default `service`. */
  kind?: string;
  /** Consecutive failures that open the breaker. Default 5 (1 to 10,000). */
  failureThreshold?: number;
  /** How long the breaker stays open before it lets one trial call through (half-open), in ms. Default 30,000. */
  openMs?: number;
  /** Successes in half-open that close the breaker. Default 1 (1 to 1,000). */
  halfOpenSuccesses?: number;
  /** The provider to report to; default the global one, followed. */
  meterProvider?: MeterProvider;
  /** The clock in ms (tests); default `performance.now`. */
  now?: () => number;
}

/** The breaker and health of one dependency. Every method is safe on the hot path and never throws. */
export interface DependencyHealth {
  /** `ml.dependency.name` as recorded. */
  readonly name: string;
  /** `ml.dependency.kind` as recorded. */
  readonly kind: string;
  /** A call succeeded: in half-open, enough of them close the breaker; the failure streak ends. */
  recordSuccess(): void;
  /** A call failed: counted by `error.type`; enough in a row (or one in half-open) open the breaker. */
  recordFailure(error?: unknown): void;
  /** Whether a call may go now: false while open (counted as a `circuit_open` failure when `count`). */
  allowRequest(count?: boolean): boolean;
  /** The breaker state now (open turns half-open once `openMs` passed). */
  state(): BreakerState;
  /** Healthy unless the breaker is open or the dependency was marked down with {@link setHealthy}. */
  healthy(): boolean;
  /** Marks the dependency up or down by hand (your own probe); `undefined` returns to the breaker's view. */
  setHealthy(healthy: boolean | undefined): void;
  /** Runs `fn` through the breaker: refused with {@link CircuitOpenError} while open, outcome recorded. */
  run<T>(fn: () => T | Promise<T>): Promise<T>;
  /** Stops reporting this dependency. */
  close(): void;
}

/** Thrown by {@link DependencyHealth.run} when the breaker is open. */
export class CircuitOpenError extends Error {
  constructor(readonly dependency: string) {
    super(`mltel: the circuit breaker of ${dependency} is open; the call was not made`);
    this.name = 'CircuitOpenError';
  }
}

interface HealthInstruments {
  readonly transitions: Counter;
  readonly failures: Counter;
  readonly state: ObservableGauge;
  readonly status: ObservableGauge;
}

const warnings = new WarnOnce();
let reported = 0;

function intIn(value: unknown, fallback: number, min: number, max: number, setting: string): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  warnings.warn(
    `dependency:${setting}`,
    `createDependencyHealth: ${setting} must be an integer from ${min} to ${max}, got ${describeValue(value)}; using ${fallback}`,
  );
  return fallback;
}

function label(value: unknown, fallback: string, what: string): string {
  if (typeof value !== 'string' || value === '') {
    warnings.warn(
      `dependency:${what}`,
      `createDependencyHealth: ${what} must be a non-empty string, got ${describeValue(value)}; using "${fallback}"`,
    );
    return fallback;
  }
  if (value.length <= MAX_DEPENDENCY_NAME_LENGTH) return value;
  warnings.warn(
    `dependency:${what}:long`,
    `createDependencyHealth: ${what} is truncated to ${MAX_DEPENDENCY_NAME_LENGTH} characters`,
  );
  return value.slice(0, MAX_DEPENDENCY_NAME_LENGTH);
}

class Health implements DependencyHealth {
  readonly name: string;
  readonly kind: string;
  private current: BreakerState = 'closed';
  private streak = 0;
  private trialSuccesses = 0;
  private openedAt = 0;
  private manual: boolean | undefined;
  private readonly errorTypes = new Set<string>();
  private readonly threshold: number;
  private readonly openMs: number;
  private readonly halfOpenSuccesses: number;
  private readonly now: () => number;
  private readonly base: Attributes;
  private readonly binding: ProviderBinding<HealthInstruments> | undefined;
  private closed = false;

  constructor(options: DependencyHealthOptions) {
    const given = typeof options === 'object' && options !== null ? options : ({} as DependencyHealthOptions);
    this.name = label(given.name, 'unknown', 'name');
    this.kind = label(given.kind ?? 'service', 'service', 'kind');
    this.threshold = intIn(given.failureThreshold, 5, 1, 10_000, 'failureThreshold');
    this.openMs = intIn(given.openMs, 30_000, 0, 86_400_000, 'openMs');
    this.halfOpenSuccesses = intIn(given.halfOpenSuccesses, 1, 1, 1000, 'halfOpenSuccesses');
    this.now = typeof given.now === 'function' ? given.now : () => performance.now();
    this.base = { [ATTR_ML_DEPENDENCY_NAME]: this.name, [ATTR_ML_DEPENDENCY_KIND]: this.kind };
    if (reported >= MAX_DEPENDENCIES) {
      warnings.warn(
        'dependency:too-many',
        `createDependencyHealth: more than ${MAX_DEPENDENCIES} dependencies at once; "${this.name}" works but is not reported. Fix: close() the ones you no longer use.`,
      );
      return;
    }
    reported++;
    this.binding = new ProviderBinding(
      '@mltel/kit',
      (meter, callbacks) => {
        const instruments: HealthInstruments = {
          transitions: meter.createCounter(
            ML_DEPENDENCY_CIRCUIT_BREAKER_TRANSITIONS.name,
            instrumentOptions(ML_DEPENDENCY_CIRCUIT_BREAKER_TRANSITIONS),
          ),
          failures: meter.createCounter(ML_DEPENDENCY_FAILURES.name, instrumentOptions(ML_DEPENDENCY_FAILURES)),
          state: meter.createObservableGauge(
            ML_DEPENDENCY_CIRCUIT_BREAKER_STATE.name,
            instrumentOptions(ML_DEPENDENCY_CIRCUIT_BREAKER_STATE),
          ),
          status: meter.createObservableGauge(ML_DEPENDENCY_STATUS.name, instrumentOptions(ML_DEPENDENCY_STATUS)),
        };
        callbacks.observeBatch(
          (result) => {
            const state = this.state();
            // Every state is reported, at 0 when not current, so `== 1` selects the current one and
            // a state's series exists before the dependency first enters it.
            for (const s of ML_CIRCUIT_BREAKER_STATE_VALUES) {
              result.observe(instruments.state, s === state ? 1 : 0, {
                ...this.base,
                [ATTR_ML_CIRCUIT_BREAKER_STATE]: s,
              });
            }
            result.observe(instruments.status, this.healthy() ? 1 : 0, this.base);
          },
          [instruments.state, instruments.status],
        );
        return instruments;
      },
      { meterProvider: given.meterProvider },
    );
    this.binding.follow();
    // The transitions series of the common flips exist from the start, so the first opening is an
    // increase from 0 in `increase()`, not a series born at 1.
    const { transitions } = this.binding.get();
    for (const [from, to] of [
      ['closed', 'open'],
      ['open', 'half_open'],
      ['half_open', 'open'],
      ['half_open', 'closed'],
    ] as const) {
      transitions.add(0, { ...this.base, [ATTR_ML_CIRCUIT_BREAKER_FROM]: from, [ATTR_ML_CIRCUIT_BREAKER_TO]: to });
    }
  }

  recordSuccess(): void {
    if (this.state() === 'half_open') {
      this.trialSuccesses++;
      if (this.trialSuccesses >= this.halfOpenSuccesses) this.move('closed');
    }
    this.streak = 0;
  }

  recordFailure(error?: unknown): void {
    this.countFailure(error === undefined ? '_OTHER' : this.errorType(error));
    const state = this.state();
    if (state === 'half_open') {
      this.move('open');
      return;
    }
    this.streak++;
    if (state === 'closed' && this.streak >= this.threshold) this.move('open');
  }

  allowRequest(count = true): boolean {
    if (this.state() !== 'open') return true;
    if (count) this.countFailure('circuit_open');
    return false;
  }

  state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.openMs) this.move('half_open');
    return this.current;
  }

  healthy(): boolean {
    if (this.manual !== undefined) return this.manual;
    return this.state() !== 'open';
  }

  setHealthy(healthy: boolean | undefined): void {
    if (healthy !== undefined && typeof healthy !== 'boolean') {
      warnings.warn(
        'dependency:set-healthy',
        `setHealthy needs true, false or undefined, got ${describeValue(healthy)}`,
      );
      return;
    }
    this.manual = healthy;
  }

  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    if (!this.allowRequest()) throw new CircuitOpenError(this.name);
    let value: T;
    try {
      value = await fn();
    } catch (error) {
      this.recordFailure(error);
      throw error;
    }
    this.recordSuccess();
    return value;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.binding !== undefined) {
      reported--;
      this.binding.dispose();
    }
  }

  private errorType(error: unknown): string {
    let type: string;
    try {
      type = errorTypeOf(error);
    } catch {
      type = '_OTHER';
    }
    if (this.errorTypes.has(type)) return type;
    if (this.errorTypes.size >= MAX_ERROR_TYPES) return '_OTHER';
    this.errorTypes.add(type);
    return type;
  }

  private countFailure(type: string): void {
    if (this.closed) return;
    try {
      this.binding?.get().failures.add(1, { ...this.base, [ATTR_ERROR_TYPE]: type });
    } catch {
      // A failing provider loses this count, never the caller's call.
    }
  }

  private move(to: BreakerState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    if (to === 'open') this.openedAt = this.now();
    if (to === 'half_open') this.trialSuccesses = 0;
    if (to === 'closed') this.streak = 0;
    if (this.closed) return;
    try {
      this.binding
        ?.get()
        .transitions.add(1, { ...this.base, [ATTR_ML_CIRCUIT_BREAKER_FROM]: from, [ATTR_ML_CIRCUIT_BREAKER_TO]: to });
    } catch {
      // As above: the state still changes.
    }
  }
}

/**
 * The circuit breaker and health of one dependency, reported as `ml.dependency.circuit_breaker.state`
 * (1 for the current state, 0 for the others), `ml.dependency.circuit_breaker.transitions` (every
 * change, so a half-open to open flip between two scrapes is still counted), `ml.dependency.status`
 * and `ml.dependency.failures`. Never throws; bad options fall back to the defaults with one warning.
 */
export function createDependencyHealth(options: DependencyHealthOptions): DependencyHealth {
  return new Health(options);
}
