import type { MeterProvider } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ML_CIRCUIT_BREAKER_STATE_VALUES } from '@mltel/semconv';
import { describeValue, ProviderBinding, WarnOnce } from '@mltel/kit';
import { CallAdmission } from './call-attributes.js';
import type { CallAttributes } from './call-attributes.js';
import { CallHooks } from './call-hooks.js';
import { CallTimer, NOOP_TIMER } from './call-timer.js';
import type { CallTimerSink } from './call-timer.js';
import { isProviderFailure } from './error-type.js';
import { ProviderHealthState } from './health.js';
import type { CircuitBreakerState } from './health.js';
import { MAX_SECONDS } from './input.js';
import { field, inRange } from '@mltel/kit';
import { createGenAiInstruments, SCOPE_NAME } from './instruments.js';
import type { GenAiInstruments } from './instruments.js';
import { ChunkReader, isAsyncIterable, observeIterable } from './stream.js';
import type { StreamSink } from './stream.js';
import type {
  ProviderCall,
  ProviderCallHooks,
  ProviderCallRecord,
  ProviderCallTimer,
  ProviderMeterOptions,
  ProviderUsage,
  StreamOptions,
  TrackOptions,
} from './types.js';
import { recordUsage } from './usage-recorder.js';

const CIRCUIT_STATES: ReadonlySet<string> = new Set(ML_CIRCUIT_BREAKER_STATE_VALUES);

/**
 * Records calls to model providers with the OTel GenAI metrics: `gen_ai.client.operation.duration`
 * (with `error.type` on failure), `gen_ai.client.token.usage` (input/output), the streaming
 * `time_to_first_chunk` and `time_per_output_chunk`, `ml.gen_ai.token.detail` (cache reads and
 * writes, reasoning), units of non-text operations (`ml.gen_ai.images`, `ml.audio.duration`,
 * `ml.video.duration`), and provider health (`ml.provider.status`,
 * `ml.provider.circuit_breaker.state`). No method throws; bad input is dropped with one `diag`
 * warning. Nothing from prompts or responses is recorded, only counts the provider reports.
 */
export class ProviderMeter {
  private readonly binding: ProviderBinding<GenAiInstruments>;
  private readonly warnings = new WarnOnce();
  private readonly admission: CallAdmission;
  private readonly health: ProviderHealthState;
  private readonly hooks: CallHooks;
  // What the timers of this meter's calls report to (not a public method of the meter).
  private readonly sink: CallTimerSink = {
    chunk: (call, seconds, first) => {
      const instruments = this.binding.get();
      (first ? instruments.firstChunk : instruments.perChunk).record(seconds, call.base);
    },
    finish: (call, durationSeconds, usage, error) => this.finish(call, durationSeconds, usage, error),
  };

  constructor(options: ProviderMeterOptions = {}) {
    // Options are read field by field behind guards: a throwing getter leaves its default.
    this.admission = new CallAdmission(this.warnings, {
      models: field(options, 'models') as ProviderMeterOptions['models'],
      maxModels: field(options, 'maxModels') as ProviderMeterOptions['maxModels'],
    });
    this.hooks = new CallHooks(this.warnings);
    const derive = field(options, 'deriveHealth');
    this.health = new ProviderHealthState(
      derive === true || (typeof derive === 'object' && derive !== null),
      typeof derive === 'object' && derive !== null ? derive : {},
    );
    const provider = field(options, 'meterProvider');
    this.binding = new ProviderBinding(
      SCOPE_NAME,
      (meter, callbacks) => createGenAiInstruments(meter, callbacks, this.health),
      { meterProvider: typeof provider === 'object' && provider !== null ? (provider as MeterProvider) : undefined },
    );
  }

  /**
   * Runs one provider call and records it: `fn` is called now; its result (or rejection) is
   * returned unchanged. Usage comes from `options.usage(result)`. A result that is an async
   * iterable is not treated as a stream here: use {@link ProviderMeter.trackStream}.
   */
  async track<T>(
    call: ProviderCall,
    fn: () => T | PromiseLike<T>,
    options?: TrackOptions<Awaited<T>>,
  ): Promise<Awaited<T>> {
    const preparing = this.hooks.prepare(call);
    if (preparing !== undefined) await preparing;
    this.beforeCall(call);
    const timer = this.start(call);
    let result: Awaited<T>;
    try {
      result = await fn();
    } catch (error) {
      timer.fail(error);
      throw error;
    }
    // Read after the call succeeded: a throwing `usage` getter must not turn it into a rejection.
    timer.end(this.extract(field(options, 'usage'), result));
    return result;
  }

  /**
   * Opens a streaming provider call and records it: `open` is called now and returns (a promise
   * of) an async iterable of chunks. The call ends when the iteration ends, fails mid-way (its
   * error reaches the consumer unchanged) or is stopped early by `break` (a success with what was
   * reported so far). The returned iterable is the one `open` gave, observed.
   */
  async trackStream<C>(
    call: ProviderCall,
    open: () => AsyncIterable<C> | PromiseLike<AsyncIterable<C>>,
    options?: StreamOptions<C>,
  ): Promise<AsyncIterable<C>> {
    const preparing = this.hooks.prepare(call);
    if (preparing !== undefined) await preparing;
    this.beforeCall(call);
    const timer = this.start(call);
    let source: AsyncIterable<C>;
    try {
      source = await open();
    } catch (error) {
      timer.fail(error);
      throw error;
    }
    return this.observeStream(timer, source, options);
  }

  /**
   * Feeds a stream's chunks to a timer from {@link ProviderMeter.start}: the first iteration of
   * `source` times the first chunk and the gaps, merges usage, and ends the timer. Returns
   * `source` itself (observed in place) so its own methods keep working.
   */
  observeStream<C>(timer: ProviderCallTimer, source: AsyncIterable<C>, options?: StreamOptions<C>): AsyncIterable<C> {
    if (!isAsyncIterable(source)) {
      this.warnings.warn(
        'stream:not-iterable',
        `a tracked stream must be an async iterable, got ${describeValue(source)}`,
      );
      timer.end();
      return source;
    }
    const reader = new ChunkReader<C>(
      asFunction<(chunk: C) => ProviderUsage | undefined>(field(options, 'usage')),
      asFunction<(chunk: C) => boolean>(field(options, 'isOutputChunk')),
    );
    const sink: StreamSink<C> = {
      chunk: (_chunk, output) => {
        if (output) timer.chunk();
      },
      end: () => timer.end(reader.usage),
      fail: (error) => timer.fail(error, reader.usage),
    };
    try {
      return observeIterable(source, sink, (chunk) => reader.read(chunk));
    } catch {
      // A stream object whose traps throw (a hostile Proxy): handed back as it is, unobserved.
      this.warnings.warn(
        'stream:unobservable',
        'a tracked stream could not be observed; the call is recorded without it',
      );
      timer.end();
      return source;
    }
  }

  /** Starts timing a call by hand; end it with `end(usage)` or `fail(error)`. */
  start(call: ProviderCall): ProviderCallTimer {
    const attributes = this.admission.admit(call);
    if (attributes === undefined) return NOOP_TIMER;
    return new CallTimer(this.sink, attributes);
  }

  /** Records a finished call whose timing you measured yourself. */
  record(call: ProviderCallRecord): void {
    if (typeof call !== 'object' || call === null) {
      this.warnings.warn('record:not-object', `record() needs a call object, got ${describeValue(call)}`);
      return;
    }
    try {
      const duration = field(call, 'durationSeconds');
      if (!inRange(duration, MAX_SECONDS)) {
        this.warnings.warn(
          'record:duration',
          `durationSeconds must be a number from 0 to ${MAX_SECONDS}, got ${describeValue(duration)}; the call is dropped`,
        );
        return;
      }
      const attributes = this.admission.admit(call);
      if (attributes === undefined) return;
      const ttfc = field(call, 'timeToFirstChunkSeconds');
      if (ttfc !== undefined) {
        // The call attributes, like the chunk timings of tracked streams (no response model).
        if (inRange(ttfc, MAX_SECONDS)) this.binding.get().firstChunk.record(ttfc, attributes.base);
        else
          this.warnings.warn(
            'record:ttfc',
            `timeToFirstChunkSeconds must be a number from 0 to ${MAX_SECONDS}, got ${describeValue(ttfc)}; it is dropped`,
          );
      }
      // `error: null` reads as "no error", like undefined.
      this.finish(
        attributes,
        duration,
        field(call, 'usage') as ProviderUsage | undefined,
        field(call, 'error') ?? undefined,
      );
    } catch {
      // A hostile getter on the record or its usage: never thrown into the caller.
      this.warnings.warn(
        'record:getter',
        'a provider call record threw while read; it is recorded in part or not at all',
      );
    }
  }

  /**
   * Adds hooks run around every call this meter records (the cost meter's pricing and budgets
   * use them). Returns the function that removes them.
   */
  addHooks(hooks: ProviderCallHooks): () => void {
    return this.hooks.add(hooks);
  }

  /**
   * Runs the `beforeCall` hooks for a call about to be sent: one may refuse it by throwing a
   * refusal (`isCallRefusal`: a hard-stop budget's `BudgetExceededError`), and that error is
   * thrown here, to the caller. Any other failure of a hook is swallowed. `track()` and the
   * auto-instrumentation call it.
   */
  beforeCall(call: ProviderCall): void {
    this.hooks.beforeCall(call);
  }

  /** Sets `ml.provider.status` of a provider by hand (your own health check): wins over derived. */
  setStatus(provider: string, healthy: boolean): void {
    const name = this.admission.providers.admit(provider);
    if (name === undefined) return;
    this.health.setStatus(name, healthy === true);
    // The gauges live on the instruments: create them now, and keep them on the global provider.
    this.binding.follow();
  }

  /** Sets `ml.provider.circuit_breaker.state` of a provider: call it from your breaker's transitions. */
  setCircuitState(provider: string, state: CircuitBreakerState): void {
    if (typeof state !== 'string' || !CIRCUIT_STATES.has(state)) {
      this.warnings.warn(
        `circuit:${typeof state}`,
        `circuit-breaker state must be one of ${ML_CIRCUIT_BREAKER_STATE_VALUES.join(', ')}, got ${describeValue(state)}`,
      );
      return;
    }
    const name = this.admission.providers.admit(provider);
    if (name === undefined) return;
    this.health.setCircuitState(name, state);
    this.binding.follow();
  }

  /** Records the end of a call: its duration, health outcome, usage, then the `afterCall` hooks. */
  private finish(
    call: CallAttributes,
    durationSeconds: number,
    usage: ProviderUsage | undefined,
    error: unknown,
  ): void {
    const instruments = this.binding.get();
    const attributes = this.admission.withResponseModel(call.base, usage);
    let failed = false;
    if (error !== undefined) {
      const errorType = this.admission.errorType(error);
      instruments.duration.record(durationSeconds, { ...attributes, [ATTR_ERROR_TYPE]: errorType });
      failed = isProviderFailure(errorType);
    } else {
      instruments.duration.record(durationSeconds, attributes);
    }
    if (this.health.derive) {
      this.health.outcome(call.provider, failed);
      this.binding.follow();
    }
    if (usage !== undefined && usage !== null) recordUsage(instruments, call.base, attributes, usage, this.warnings);
    if (this.hooks.active) this.hooks.afterCall(call, durationSeconds, usage, error);
  }

  private extract<T>(extractor: unknown, result: T): ProviderUsage | undefined {
    if (typeof extractor !== 'function') return undefined;
    try {
      return (extractor as (result: T) => ProviderUsage | undefined)(result) ?? undefined;
    } catch {
      this.warnings.warn('usage:extractor', 'the usage extractor threw; the call is recorded without usage');
      return undefined;
    }
  }
}

/** `value` when it is a function, else undefined (an option of the wrong type is ignored). */
function asFunction<F>(value: unknown): F | undefined {
  return typeof value === 'function' ? (value as F) : undefined;
}
