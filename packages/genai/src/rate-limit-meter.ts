import type { Attributes, MeterProvider, ObservableResult } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_ML_RATE_LIMIT_KIND,
  ML_PROVIDER_RATE_LIMIT_LIMIT,
  ML_PROVIDER_RATE_LIMIT_REMAINING,
  ML_PROVIDER_RATE_LIMIT_RESET_TIME,
} from '@mltel/semconv';
import { BoundedValues, field, instrumentOptions, ProviderBinding, WarnOnce } from '@mltel/kit';
import { SCOPE_NAME } from './instruments.js';
import { rateLimitReadings } from './rate-limit-headers.js';
import type { RateLimitHeaderFamily, RateLimitReading } from './rate-limit-headers.js';

/** Options of a {@link RateLimitMeter}. */
export interface RateLimitMeterOptions {
  /** Provider to record to; default: the global one, followed when it changes. */
  meterProvider?: MeterProvider | undefined;
  /** Model allow-list (exact names or `prefix*`), as the provider meter's; others are `_OTHER`. */
  models?: readonly string[] | undefined;
  /** Distinct model names kept before others become `_OTHER` (default 50). */
  maxModels?: number | undefined;
}

interface Limit {
  readonly attributes: Attributes;
  limit: number | undefined;
  remaining: number;
  resetAtMs: number | undefined;
}

const MAX_PROVIDERS = 50;
const MAX_LENGTH = 128;
const DEFAULT_MAX_MODELS = 50;
/** Provider x model x kind series kept at most: later new ones are dropped with one warning. */
export const MAX_RATE_LIMIT_SERIES = 500;

/**
 * Provider rate-limit headroom as gauges, from the rate-limit headers of provider responses:
 * `ml.provider.rate_limit.remaining`, `.limit` and `.reset_time` (Unix seconds), by
 * `gen_ai.provider.name`, `gen_ai.request.model` and `ml.rate_limit.kind`. Each series shows the
 * last response's values. The LLM auto-instrumentations feed it; call {@link recordHeaders} for
 * your own clients. Never throws.
 */
export class RateLimitMeter {
  private readonly warnings = new WarnOnce();
  private readonly limits = new Map<string, Limit>();
  private readonly providers: BoundedValues;
  private readonly models: BoundedValues;
  private readonly binding: ProviderBinding<void>;

  constructor(options: RateLimitMeterOptions = {}) {
    const maxModels = field(options, 'maxModels');
    const models = field(options, 'models');
    this.providers = new BoundedValues(ATTR_GEN_AI_PROVIDER_NAME, MAX_PROVIDERS, MAX_LENGTH, this.warnings);
    this.models = new BoundedValues(
      ATTR_GEN_AI_REQUEST_MODEL,
      typeof maxModels === 'number' && Number.isInteger(maxModels) && maxModels >= 0 ? maxModels : DEFAULT_MAX_MODELS,
      MAX_LENGTH,
      this.warnings,
      Array.isArray(models) ? models.filter((m): m is string => typeof m === 'string') : undefined,
    );
    const provider = field(options, 'meterProvider');
    this.binding = new ProviderBinding(
      SCOPE_NAME,
      (meter, callbacks) => {
        const remaining = meter.createObservableGauge(
          ML_PROVIDER_RATE_LIMIT_REMAINING.name,
          instrumentOptions(ML_PROVIDER_RATE_LIMIT_REMAINING),
        );
        const limit = meter.createObservableGauge(
          ML_PROVIDER_RATE_LIMIT_LIMIT.name,
          instrumentOptions(ML_PROVIDER_RATE_LIMIT_LIMIT),
        );
        const reset = meter.createObservableGauge(
          ML_PROVIDER_RATE_LIMIT_RESET_TIME.name,
          instrumentOptions(ML_PROVIDER_RATE_LIMIT_RESET_TIME),
        );
        callbacks.observe(remaining, (result) => this.observe(result, (l) => l.remaining));
        callbacks.observe(limit, (result) => this.observe(result, (l) => l.limit));
        callbacks.observe(reset, (result) =>
          this.observe(result, (l) => (l.resetAtMs === undefined ? undefined : l.resetAtMs / 1000)),
        );
      },
      { meterProvider: typeof provider === 'object' && provider !== null ? (provider as MeterProvider) : undefined },
    );
  }

  /**
   * Reads the rate-limit headers of one response (`response.headers`: a fetch `Headers` or
   * anything with `get(name)`) for a call to `provider` with `model`; `family` limits the
   * look-up to one header family, `nowMs` is the response time (default now). Returns how many
   * limits it read.
   */
  recordHeaders(
    provider: string,
    model: string | undefined,
    headers: unknown,
    options: { family?: RateLimitHeaderFamily; nowMs?: number } = {},
  ): number {
    const readings = rateLimitReadings(headers, options.nowMs ?? Date.now(), options.family);
    if (readings.length > 0) this.record(provider, model, readings);
    return readings.length;
  }

  /** Records readings taken elsewhere (see {@link rateLimitReadings}). */
  record(provider: string, model: string | undefined, readings: readonly RateLimitReading[]): void {
    try {
      const name = this.providers.admit(provider);
      if (name === undefined) return;
      const bounded = model === undefined ? undefined : this.models.admit(model);
      for (const reading of readings) {
        const key = `${name}\u0000${bounded ?? ''}\u0000${reading.kind}`;
        let limit = this.limits.get(key);
        if (limit === undefined) {
          if (this.limits.size >= MAX_RATE_LIMIT_SERIES) {
            this.warnings.warn(
              'rate-limit:series',
              `more than ${MAX_RATE_LIMIT_SERIES} rate-limit series; new ones are dropped`,
            );
            continue;
          }
          const attributes: Attributes = { [ATTR_GEN_AI_PROVIDER_NAME]: name, [ATTR_ML_RATE_LIMIT_KIND]: reading.kind };
          if (bounded !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = bounded;
          limit = { attributes, limit: undefined, remaining: 0, resetAtMs: undefined };
          this.limits.set(key, limit);
        }
        limit.remaining = reading.remaining ?? limit.remaining;
        limit.limit = reading.limit ?? limit.limit;
        limit.resetAtMs = reading.resetAtMs;
      }
      // The gauges are read at collection: create them now, and keep them on the global provider.
      this.binding.follow();
    } catch {
      this.warnings.warn('rate-limit:record', 'a rate-limit reading could not be recorded; it is dropped');
    }
  }

  private observe(result: ObservableResult, value: (limit: Limit) => number | undefined): void {
    for (const limit of this.limits.values()) {
      const v = value(limit);
      if (v !== undefined) result.observe(v, limit.attributes);
    }
  }
}

// One default per process (shared through globalThis, like the default provider meter).
const DEFAULT = Symbol.for('@mltel/genai/default-rate-limit-meter');
type Holder = { [DEFAULT]?: RateLimitMeter };

/** The shared rate-limit meter on the global MeterProvider, fed by the LLM auto-instrumentations. */
export function defaultRateLimitMeter(): RateLimitMeter {
  const holder = globalThis as Holder;
  holder[DEFAULT] ??= new RateLimitMeter();
  return holder[DEFAULT];
}

/** Replaces the shared rate-limit meter with one built from `options` (the `register` entry calls it). */
export function configureDefaultRateLimitMeter(options: RateLimitMeterOptions): RateLimitMeter {
  const meter = new RateLimitMeter(options);
  (globalThis as Holder)[DEFAULT] = meter;
  return meter;
}
