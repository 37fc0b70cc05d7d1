import type { ObservableResult } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_ML_CIRCUIT_BREAKER_STATE,
  ML_CIRCUIT_BREAKER_STATE_VALUES,
} from '@mltel/semconv';
import { field } from '@mltel/kit';
import type { DerivedHealthOptions } from './types.js';

/** A circuit-breaker state, as `ml.provider.circuit_breaker.state` names it. */
export type CircuitBreakerState = (typeof ML_CIRCUIT_BREAKER_STATE_VALUES)[number];

interface Outcomes {
  // Ring buffer of the last `window` outcomes: true = failed.
  readonly failed: boolean[];
  next: number;
  failures: number;
}

/**
 * Provider health behind `ml.provider.status` and `ml.provider.circuit_breaker.state`: set by
 * the user's own breaker (`setStatus`, `setCircuitState`), or derived from the last outcomes of
 * tracked calls when enabled. A status set by hand wins over the derived one for that provider.
 */
export class ProviderHealthState {
  private readonly manual = new Map<string, 0 | 1>();
  private readonly circuits = new Map<string, CircuitBreakerState>();
  private readonly outcomes = new Map<string, Outcomes>();
  private readonly window: number;
  private readonly minCalls: number;
  private readonly maxFailureRatio: number;

  constructor(
    readonly derive: boolean,
    options: DerivedHealthOptions = {},
  ) {
    // Each option read behind a guard: a throwing getter leaves its default.
    this.window = clampInt(field(options, 'window'), 20, 1, 10_000);
    this.minCalls = clampInt(field(options, 'minCalls'), 5, 1, this.window);
    const ratio = field(options, 'maxFailureRatio');
    this.maxFailureRatio = typeof ratio === 'number' && ratio > 0 && ratio <= 1 ? ratio : 0.5;
  }

  setStatus(provider: string, healthy: boolean): void {
    this.manual.set(provider, healthy ? 1 : 0);
  }

  setCircuitState(provider: string, state: CircuitBreakerState): void {
    this.circuits.set(provider, state);
  }

  /** Remembers one call outcome (derived mode only). */
  outcome(provider: string, failed: boolean): void {
    if (!this.derive) return;
    let o = this.outcomes.get(provider);
    if (o === undefined) {
      o = { failed: [], next: 0, failures: 0 };
      this.outcomes.set(provider, o);
    }
    if (o.failed.length < this.window) {
      o.failed.push(failed);
    } else {
      if (o.failed[o.next]) o.failures--;
      o.failed[o.next] = failed;
      o.next = (o.next + 1) % this.window;
    }
    if (failed) o.failures++;
  }

  /** The status of a provider now: 1, 0, or undefined when nothing is known yet. */
  status(provider: string): 0 | 1 | undefined {
    const manual = this.manual.get(provider);
    if (manual !== undefined) return manual;
    const o = this.outcomes.get(provider);
    if (o === undefined) return undefined;
    if (o.failed.length < this.minCalls) return 1;
    return o.failures / o.failed.length >= this.maxFailureRatio ? 0 : 1;
  }

  /** Reports both gauges for every known provider. */
  observeStatus(result: ObservableResult): void {
    const providers = new Set([...this.manual.keys(), ...this.outcomes.keys()]);
    for (const provider of providers) {
      const status = this.status(provider);
      if (status !== undefined) result.observe(status, { [ATTR_GEN_AI_PROVIDER_NAME]: provider });
    }
  }

  observeCircuits(result: ObservableResult): void {
    for (const [provider, current] of this.circuits) {
      for (const state of ML_CIRCUIT_BREAKER_STATE_VALUES) {
        result.observe(state === current ? 1 : 0, {
          [ATTR_GEN_AI_PROVIDER_NAME]: provider,
          [ATTR_ML_CIRCUIT_BREAKER_STATE]: state,
        });
      }
    }
  }
}

function clampInt(value: unknown, fallback: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) return fallback;
  return Math.min(max, Math.max(min, value));
}
