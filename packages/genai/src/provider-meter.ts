import { metrics } from '@opentelemetry/api';
import type { Attributes, MeterProvider } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ML_CIRCUIT_BREAKER_STATE_VALUES,
} from '@mltel/semconv';
import { BoundedValues, describeValue, isNonNegativeFinite, providerChangeListeners, WarnOnce } from '@mltel/kit';
import { genAiErrorType, isProviderFailure } from './error-type.js';
import { ProviderHealthState } from './health.js';
import type { CircuitBreakerState } from './health.js';
import { createGenAiInstruments } from './instruments.js';
import type { GenAiInstruments } from './instruments.js';
import { ChunkReader, isAsyncIterable, observeIterable } from './stream.js';
import type { StreamSink } from './stream.js';
import type {
  ProviderCall,
  ProviderCallEvent,
  ProviderCallHooks,
  ProviderCallRecord,
  ProviderCallTimer,
  ProviderMeterOptions,
  ProviderUsage,
  StreamOptions,
  TrackOptions,
} from './types.js';

const MAX_PROVIDERS = 50;
const MAX_OPERATIONS = 50;
const MAX_SERVERS = 50;
const MAX_ERROR_TYPES = 50;
const MAX_LENGTH = 128;
const CIRCUIT_STATES: ReadonlySet<string> = new Set(ML_CIRCUIT_BREAKER_STATE_VALUES);
const NOOP_TIMER: ProviderCallTimer = { chunk() {}, end() {}, fail() {} };

// Usage fields recorded as token counts or unit counters; each is checked before recording.
const USAGE_NUMBERS = [
  'inputTokens',
  'outputTokens',
  'cacheReadInputTokens',
  'cacheCreationInputTokens',
  'reasoningTokens',
  'images',
  'audioSeconds',
  'videoSeconds',
] as const satisfies readonly (keyof ProviderUsage)[];

function now(): number {
  return performance.now();
}

/** A call's admitted attributes: what every measurement of it starts from. */
interface CallAttributes {
  readonly provider: string;
  readonly operation: string;
  /** The request model as given (for price lookups), before the allow-list. */
  readonly model: string | undefined;
  readonly base: Attributes;
}

/** provider, request model, operation: the unit counters' attributes (built only when used). */
function unitAttributes(base: Attributes): Attributes {
  const units: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: base[ATTR_GEN_AI_OPERATION_NAME],
    [ATTR_GEN_AI_PROVIDER_NAME]: base[ATTR_GEN_AI_PROVIDER_NAME],
  };
  const model = base[ATTR_GEN_AI_REQUEST_MODEL];
  if (model !== undefined) units[ATTR_GEN_AI_REQUEST_MODEL] = model;
  return units;
}

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
  private instruments: GenAiInstruments | undefined;
  private readonly meterProvider: MeterProvider | undefined;
  private readonly warnings = new WarnOnce();
  private readonly providers: BoundedValues;
  private readonly operations: BoundedValues;
  private readonly models: BoundedValues;
  private readonly servers: BoundedValues;
  private readonly errorTypes: BoundedValues;
  private readonly health: ProviderHealthState;
  private following = false;
  private hooks: readonly ProviderCallHooks[] = [];
  private readonly onProviderChanged = (): void => {
    this.current();
  };

  constructor(options: ProviderMeterOptions = {}) {
    this.meterProvider = options.meterProvider;
    this.providers = new BoundedValues(ATTR_GEN_AI_PROVIDER_NAME, MAX_PROVIDERS, MAX_LENGTH, this.warnings);
    this.operations = new BoundedValues(ATTR_GEN_AI_OPERATION_NAME, MAX_OPERATIONS, MAX_LENGTH, this.warnings);
    this.models = new BoundedValues(
      ATTR_GEN_AI_REQUEST_MODEL,
      options.maxModels ?? 200,
      MAX_LENGTH,
      this.warnings,
      options.models,
    );
    this.servers = new BoundedValues(ATTR_SERVER_ADDRESS, MAX_SERVERS, MAX_LENGTH, this.warnings);
    this.errorTypes = new BoundedValues(ATTR_ERROR_TYPE, MAX_ERROR_TYPES, 64, this.warnings);
    const derive = options.deriveHealth;
    this.health = new ProviderHealthState(
      derive === true || (typeof derive === 'object' && derive !== null),
      typeof derive === 'object' && derive !== null ? derive : {},
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
    await this.prepare(call);
    this.beforeCall(call);
    const timer = this.start(call);
    let result: Awaited<T>;
    try {
      result = await fn();
    } catch (error) {
      timer.fail(error);
      throw error;
    }
    timer.end(this.extract(options?.usage, result));
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
    await this.prepare(call);
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
    const reader = new ChunkReader<C>(options?.usage, options?.isOutputChunk);
    const sink: StreamSink<C> = {
      chunk: (_chunk, output) => {
        if (output) timer.chunk();
      },
      end: () => timer.end(reader.usage),
      fail: (error) => timer.fail(error, reader.usage),
    };
    return observeIterable(source, sink, (chunk) => reader.read(chunk));
  }

  /** Starts timing a call by hand; end it with `end(usage)` or `fail(error)`. */
  start(call: ProviderCall): ProviderCallTimer {
    const attributes = this.callAttributes(call);
    if (attributes === undefined) return NOOP_TIMER;
    return new CallTimer(this, attributes, now());
  }

  /** Records a finished call whose timing you measured yourself. */
  record(call: ProviderCallRecord): void {
    if (typeof call !== 'object' || call === null) {
      this.warnings.warn('record:not-object', `record() needs a call object, got ${describeValue(call)}`);
      return;
    }
    try {
      if (!isNonNegativeFinite(call.durationSeconds)) {
        this.warnings.warn(
          'record:duration',
          `durationSeconds must be a finite number >= 0, got ${describeValue(call.durationSeconds)}; the call is dropped`,
        );
        return;
      }
      const attributes = this.callAttributes(call);
      if (attributes === undefined) return;
      const ttfc = call.timeToFirstChunkSeconds;
      if (ttfc !== undefined) {
        // The call attributes, like the chunk timings of tracked streams (no response model).
        if (isNonNegativeFinite(ttfc)) this.current().firstChunk.record(ttfc, attributes.base);
        else
          this.warnings.warn(
            'record:ttfc',
            `timeToFirstChunkSeconds must be a finite number >= 0, got ${describeValue(ttfc)}; it is dropped`,
          );
      }
      // `error: null` reads as "no error", like undefined.
      this.finish(attributes, call.durationSeconds, call.usage, call.error ?? undefined);
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
    this.hooks = [...this.hooks, hooks];
    return () => {
      this.hooks = this.hooks.filter((h) => h !== hooks);
    };
  }

  /**
   * Runs the `beforeCall` hooks for a call about to be sent: one may refuse it by throwing (a
   * hard-stop budget's `BudgetExceededError`), and that error is thrown here, to the caller. Any
   * other failure of a hook is swallowed. `track()` and the auto-instrumentation call it.
   */
  beforeCall(call: ProviderCall): void {
    if (this.hooks.length === 0) return;
    const request = hookCall(call);
    if (request === undefined) return;
    for (const hook of this.hooks) {
      if (hook.beforeCall === undefined) continue;
      try {
        hook.beforeCall(request);
      } catch (error) {
        if ((error as { refusesCall?: unknown } | null)?.refusesCall === true) throw error;
        this.warnings.warn('hook:before', 'a beforeCall hook threw; the call goes ahead');
      }
    }
  }

  private async prepare(call: ProviderCall): Promise<void> {
    if (!this.hooks.some((hook) => hook.prepare !== undefined)) return;
    const request = hookCall(call);
    if (request === undefined) return;
    for (const hook of this.hooks) {
      try {
        await hook.prepare?.(request);
      } catch {
        this.warnings.warn('hook:prepare', 'a prepare hook failed; the call goes ahead');
      }
    }
  }

  private afterCall(
    call: CallAttributes,
    durationSeconds: number,
    usage: ProviderUsage | undefined,
    error: unknown,
  ): void {
    const event: ProviderCallEvent = {
      provider: call.provider,
      operation: call.operation,
      model: call.model,
      attributes: call.base,
      usage: usage ?? undefined,
      error,
      durationSeconds,
    };
    for (const hook of this.hooks) {
      try {
        hook.afterCall?.(event);
      } catch {
        this.warnings.warn('hook:after', 'an afterCall hook threw; it is skipped for this call');
      }
    }
  }

  /** Sets `ml.provider.status` of a provider by hand (your own health check): wins over derived. */
  setStatus(provider: string, healthy: boolean): void {
    const name = this.providers.admit(provider);
    if (name === undefined) return;
    this.health.setStatus(name, healthy === true);
    // The gauges live on the instruments: create them now, not at the first recorded call.
    this.current();
    this.follow();
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
    const name = this.providers.admit(provider);
    if (name === undefined) return;
    this.health.setCircuitState(name, state);
    this.current();
    this.follow();
  }

  /** @internal Records one output chunk of a timed call. */
  chunkOf(timer: CallTimer, at: number): void {
    const instruments = this.current();
    const attributes = timer.attributes.base;
    if (timer.lastChunkAt === undefined) instruments.firstChunk.record((at - timer.startedAt) / 1000, attributes);
    else instruments.perChunk.record((at - timer.lastChunkAt) / 1000, attributes);
    timer.lastChunkAt = at;
  }

  /** @internal Records the end of a call. */
  finish(call: CallAttributes, durationSeconds: number, usage: ProviderUsage | undefined, error: unknown): void {
    const instruments = this.current();
    const attributes = this.withResponseModel(call.base, usage);
    let failed = false;
    if (error !== undefined) {
      const errorType = this.errorTypes.admit(genAiErrorType(error)) ?? '_OTHER';
      instruments.duration.record(durationSeconds, { ...attributes, [ATTR_ERROR_TYPE]: errorType });
      failed = isProviderFailure(errorType);
    } else {
      instruments.duration.record(durationSeconds, attributes);
    }
    if (this.health.derive) {
      this.health.outcome(call.provider, failed);
      this.follow();
    }
    if (usage !== undefined && usage !== null) this.recordUsage(instruments, call, attributes, usage);
    if (this.hooks.length > 0) this.afterCall(call, durationSeconds, usage, error);
  }

  private recordUsage(
    instruments: GenAiInstruments,
    call: CallAttributes,
    attributes: Attributes,
    usage: ProviderUsage,
  ): void {
    if (typeof usage !== 'object') {
      this.warnings.warn('usage:not-object', `usage must be an object, got ${describeValue(usage)}; it is dropped`);
      return;
    }
    for (const field of USAGE_NUMBERS) {
      const value = usage[field];
      if (value === undefined) continue;
      if (!isNonNegativeFinite(value)) {
        this.warnings.warn(
          `usage:${field}`,
          `usage.${field} must be a finite number >= 0, got ${describeValue(value)}; it is dropped`,
        );
        continue;
      }
      switch (field) {
        case 'inputTokens':
          instruments.tokens.record(value, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' });
          break;
        case 'outputTokens':
          instruments.tokens.record(value, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' });
          break;
        case 'cacheReadInputTokens':
          if (value > 0) instruments.tokenDetail.add(value, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'cache_read' });
          break;
        case 'cacheCreationInputTokens':
          if (value > 0)
            instruments.tokenDetail.add(value, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'cache_creation' });
          break;
        case 'reasoningTokens':
          if (value > 0) instruments.tokenDetail.add(value, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: 'reasoning' });
          break;
        case 'images':
          instruments.images.add(value, unitAttributes(call.base));
          break;
        case 'audioSeconds':
          instruments.audio.add(value, unitAttributes(call.base));
          break;
        case 'videoSeconds':
          instruments.video.add(value, unitAttributes(call.base));
          break;
      }
    }
  }

  private withResponseModel(base: Attributes, usage: ProviderUsage | undefined): Attributes {
    const responseModel = usage?.responseModel;
    if (responseModel === undefined) return base;
    const model = this.models.admit(responseModel);
    return model === undefined ? base : { ...base, [ATTR_GEN_AI_RESPONSE_MODEL]: model };
  }

  private extract<T>(
    extractor: ((result: T) => ProviderUsage | undefined) | undefined,
    result: T,
  ): ProviderUsage | undefined {
    if (extractor === undefined) return undefined;
    try {
      return extractor(result) ?? undefined;
    } catch {
      this.warnings.warn('usage:extractor', 'the usage extractor threw; the call is recorded without usage');
      return undefined;
    }
  }

  private callAttributes(call: ProviderCall): CallAttributes | undefined {
    if (typeof call !== 'object' || call === null) {
      this.warnings.warn(
        'call:not-object',
        `a provider call needs { provider, operation }, got ${describeValue(call)}`,
      );
      return undefined;
    }
    try {
      const provider = this.providers.admit(call.provider);
      const operation = this.operations.admit(call.operation);
      if (provider === undefined || operation === undefined) return undefined;
      const base: Attributes = { [ATTR_GEN_AI_OPERATION_NAME]: operation, [ATTR_GEN_AI_PROVIDER_NAME]: provider };
      if (call.model !== undefined) {
        const model = this.models.admit(call.model);
        if (model !== undefined) {
          base[ATTR_GEN_AI_REQUEST_MODEL] = model;
        }
      }
      if (call.serverAddress !== undefined) {
        const server = this.servers.admit(call.serverAddress);
        if (server !== undefined) {
          base[ATTR_SERVER_ADDRESS] = server;
          const port = call.serverPort;
          if (typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536) {
            base[ATTR_SERVER_PORT] = port;
          }
        }
      }
      return {
        provider,
        operation,
        model: typeof call.model === 'string' ? call.model.slice(0, 256) : undefined,
        base,
      };
    } catch {
      // A hostile getter on the call object.
      this.warnings.warn('call:getter', 'a provider call object threw while read; the call is not recorded');
      return undefined;
    }
  }

  private follow(): void {
    if (this.meterProvider !== undefined || this.following) return;
    this.following = true;
    providerChangeListeners().add(this.onProviderChanged);
  }

  private current(): GenAiInstruments {
    const provider = this.meterProvider ?? metrics.getMeterProvider();
    if (this.instruments?.provider !== provider) {
      this.instruments = createGenAiInstruments(provider, this.health);
    }
    return this.instruments;
  }
}

/** A call in flight, from {@link ProviderMeter.start}. */
class CallTimer implements ProviderCallTimer {
  lastChunkAt: number | undefined;
  private done = false;

  constructor(
    private readonly meter: ProviderMeter,
    readonly attributes: CallAttributes,
    readonly startedAt: number,
  ) {}

  chunk(): void {
    if (this.done) return;
    try {
      this.meter.chunkOf(this, now());
    } catch {
      // Recording never throws into a stream.
    }
  }

  end(usage?: ProviderUsage): void {
    this.close(usage, undefined);
  }

  fail(error: unknown, usage?: ProviderUsage): void {
    this.close(usage, error ?? 'Error');
  }

  private close(usage: ProviderUsage | undefined, error: unknown): void {
    if (this.done) return;
    this.done = true;
    try {
      this.meter.finish(this.attributes, (now() - this.startedAt) / 1000, usage, error);
    } catch {
      // Recording never throws into the caller.
    }
  }
}

/** The call as hooks see it; undefined when it has no provider or operation (not tracked). */
function hookCall(call: ProviderCall): { provider: string; operation: string; model: string | undefined } | undefined {
  try {
    const { provider, operation, model } = call;
    if (typeof provider !== 'string' || typeof operation !== 'string') return undefined;
    return { provider, operation, model: typeof model === 'string' ? model : undefined };
  } catch {
    return undefined;
  }
}
