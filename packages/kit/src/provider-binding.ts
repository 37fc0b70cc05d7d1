// The one way an mltel meter holds its instruments: bound to a MeterProvider, rebuilt when the
// global provider changes, their collection-time callbacks removed from the provider they leave.
import { createNoopMeter, diag, metrics } from '@opentelemetry/api';
import type { Meter, MeterProvider } from '@opentelemetry/api';
import { CallbackList } from './callback-list.js';
import type { CallbackRegistry } from './callback-list.js';
import { followGlobalProvider } from './provider-change.js';
import { MLTEL_VERSION } from './version.js';

/** Builds a meter's instruments on `meter`, registering callbacks through `callbacks`. */
export type InstrumentBuilder<T> = (meter: Meter, callbacks: CallbackRegistry) => T;

/** Options of a {@link ProviderBinding}. */
export interface ProviderBindingOptions {
  /** A fixed provider: the binding never moves. Default: the global provider, followed. */
  meterProvider?: MeterProvider | undefined;
}

interface Bound<T> {
  readonly provider: MeterProvider;
  readonly instruments: T;
  readonly callbacks: CallbackList;
}

/**
 * Instruments bound to a MeterProvider (create, rebind, dispose). {@link get} returns the
 * instruments on the current provider (the explicit one, else the global one), building them on
 * first use and again when the global provider changed; the callbacks registered on the old
 * provider are removed then. {@link follow} keeps collection-time callbacks (gauges, observable
 * totals) on the current global provider even when nothing is recorded: at once when a
 * distribution announces a new provider, else within `PROVIDER_RECHECK_MS` (unref'd timer).
 * Never throws: a provider that fails is replaced by a no-op meter with one `diag` warning.
 */
export class ProviderBinding<T> {
  private bound: Bound<T> | undefined;
  private unfollow: (() => void) | undefined;
  private warned = false;

  constructor(
    private readonly scope: string,
    private readonly build: InstrumentBuilder<T>,
    private readonly options: ProviderBindingOptions = {},
  ) {}

  /** The instruments on the current provider. */
  get(): T {
    const provider = this.options.meterProvider ?? metrics.getMeterProvider();
    const bound = this.bound;
    if (bound !== undefined && bound.provider === provider) return bound.instruments;
    this.release();
    let callbacks: CallbackList | undefined;
    let instruments: T;
    try {
      const meter = provider.getMeter(this.scope, MLTEL_VERSION);
      callbacks = new CallbackList(meter);
      instruments = this.build(meter, callbacks);
    } catch (error) {
      callbacks?.release();
      if (!this.warned) {
        this.warned = true;
        diag.warn(
          `mltel: the MeterProvider failed to create the ${this.scope} instruments; nothing is recorded`,
          error,
        );
      }
      const noop = createNoopMeter();
      callbacks = new CallbackList(noop);
      instruments = this.build(noop, callbacks);
    }
    this.bound = { provider, instruments, callbacks };
    return instruments;
  }

  /** Keeps the instruments on the global provider without a record call (no-op with a fixed provider). */
  follow(): void {
    this.get();
    if (this.options.meterProvider !== undefined || this.unfollow !== undefined) return;
    this.unfollow = followGlobalProvider(() => {
      try {
        this.get();
      } catch {
        // get() does not throw; a listener must never stop start-up anyway.
      }
    });
  }

  /** Stops following the global provider; the instruments stay where they are. */
  unfollowGlobal(): void {
    this.unfollow?.();
    this.unfollow = undefined;
  }

  /** Stops following and removes every callback from the current provider. */
  dispose(): void {
    this.unfollowGlobal();
    this.release();
  }

  private release(): void {
    const bound = this.bound;
    this.bound = undefined;
    bound?.callbacks.release();
  }
}
