import { metrics } from '@opentelemetry/api';
import type { Attributes, MeterProvider, ObservableResult } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PIPELINE_STAGE,
  ATTR_ML_QUEUE_NAME,
  ATTR_ML_TOKEN_KIND,
  ATTR_ML_WORKER_ID,
  ATTR_ML_WORKER_TYPE,
  ML_PIPELINE_STAGE_VALUES,
  OTHER_VALUE,
} from '@mltel/semconv';
import {
  BoundedValues,
  describeValue,
  errorTypeOf,
  isNonNegativeFinite,
  followGlobalProvider,
  WarnOnce,
} from '@mltel/kit';
import { createPipelineInstruments } from './instruments.js';
import type { PipelineInstruments } from './instruments.js';
import { bindTimeline, now, Timeline } from './timeline.js';
import type { TimelineJSON } from './timeline.js';
import type { BatchRecord, EndOptions, InferenceRecord, PipelineMeterOptions } from './types.js';

const STANDARD_STAGES: ReadonlySet<string> = new Set(ML_PIPELINE_STAGE_VALUES);
const MAX_CUSTOM_STAGES = 20;
const MAX_MODELS = 20;
const MAX_QUEUES = 50;
const MAX_ERROR_TYPES = 50;
const MAX_ATTRIBUTE_LENGTH = 128;
const MAX_POOL_SIZE = 1024;
const MAX_STAGE_KEYS = 200;

/**
 * Records the inference-pipeline family: `ml.pipeline.duration` and `ml.pipeline.stage.duration`
 * from request {@link Timeline}s, `ml.inference.duration`, `ml.batch.size`, `ml.sequence.length`,
 * `ml.batch.tokens` and `ml.queue.size`. Throughput and stage shares are left to PromQL.
 * Every method is safe on the hot path: it never throws, bad input is dropped with one warning.
 */
export class PipelineMeter {
  private instruments: PipelineInstruments | undefined;
  private readonly provider: MeterProvider | undefined;
  private readonly warnings = new WarnOnce();
  private readonly pipelineName: string;
  private readonly customStages: BoundedValues;
  private readonly models: BoundedValues;
  private readonly errorTypes: BoundedValues;
  private readonly queueNames: BoundedValues;
  private readonly workerType: string | undefined;
  private readonly poolSize: number;
  private readonly defaultWorkerId: number | undefined;
  private readonly queues = new Map<string, () => number>();
  // Attribute objects built once per distinct combination; bounded by the bounded values above.
  private readonly attributeCache = new Map<string, Attributes>();
  // The hot path of record(): per worker key, stage name as given -> attributes.
  private readonly stageAttributeCache = new Map<string, Map<string, Attributes>>();
  private unfollow: (() => void) | undefined;
  private readonly onProviderChanged = (): void => {
    this.current();
  };

  constructor(options: PipelineMeterOptions) {
    const opts: Partial<PipelineMeterOptions> = typeof options === 'object' && options !== null ? options : {};
    this.provider = opts.meterProvider;
    const names = new BoundedValues(ATTR_ML_PIPELINE_NAME, 1, MAX_ATTRIBUTE_LENGTH, this.warnings);
    this.pipelineName = names.admit(opts.pipelineName) ?? OTHER_VALUE;
    this.customStages = new BoundedValues(
      ATTR_ML_PIPELINE_STAGE,
      MAX_CUSTOM_STAGES,
      MAX_ATTRIBUTE_LENGTH,
      this.warnings,
      opts.stages,
    );
    this.models = new BoundedValues(ATTR_ML_MODEL_NAME, MAX_MODELS, MAX_ATTRIBUTE_LENGTH, this.warnings, opts.models);
    this.errorTypes = new BoundedValues(ATTR_ERROR_TYPE, MAX_ERROR_TYPES, 64, this.warnings);
    this.queueNames = new BoundedValues(ATTR_ML_QUEUE_NAME, MAX_QUEUES, MAX_ATTRIBUTE_LENGTH, this.warnings);
    const pool = opts.workerPool;
    if (pool !== undefined) {
      const types = new BoundedValues(ATTR_ML_WORKER_TYPE, 1, MAX_ATTRIBUTE_LENGTH, this.warnings);
      this.workerType = types.admit(pool?.type);
      const size = pool?.size;
      if (typeof size === 'number' && Number.isInteger(size) && size > 0 && size <= MAX_POOL_SIZE) {
        this.poolSize = size;
      } else {
        this.poolSize = 0;
        this.warnings.warn(
          'pool-size',
          `workerPool.size must be an integer from 1 to ${MAX_POOL_SIZE}, got ${describeValue(size)}; ml.worker.id is left out`,
        );
      }
    } else {
      this.workerType = undefined;
      this.poolSize = 0;
    }
    this.defaultWorkerId = opts.workerId === undefined ? undefined : this.workerId(opts.workerId);
  }

  /** Starts a request's timeline now (or at `origin`, ms from `now()`). */
  timeline(options: { workerId?: number; origin?: number } = {}): Timeline {
    const origin = typeof options?.origin === 'number' && Number.isFinite(options.origin) ? options.origin : now();
    return bindTimeline(new Timeline(origin, [], options?.workerId), this);
  }

  /** A timeline received from another thread or process ({@link Timeline.toJSON}), bound to this meter. */
  resume(json: TimelineJSON | string | Timeline): Timeline {
    return bindTimeline(Timeline.from(json), this);
  }

  /**
   * Records a finished request: `ml.pipeline.duration` from its start to now (or `options.at`)
   * and one `ml.pipeline.stage.duration` per closed stage. Stages still open are left out.
   */
  record(timeline: Timeline, options: EndOptions = {}): void {
    if (!(timeline instanceof Timeline)) {
      this.warnings.warn('record:not-timeline', `record() needs a Timeline, got ${describeValue(timeline)}`);
      return;
    }
    const opts = typeof options === 'object' && options !== null ? options : {};
    const end = typeof opts.at === 'number' && Number.isFinite(opts.at) ? opts.at : now();
    const worker = this.workerKey(opts.workerId ?? timeline.workerId);
    const errorType = opts.error === undefined ? undefined : this.errorTypes.admit(errorTypeOf(opts.error));
    const inst = this.current();
    const total = (end - timeline.origin) / 1000;
    if (isNonNegativeFinite(total)) {
      inst.duration.record(total, this.pipelineAttributes(worker, errorType));
    } else {
      this.warnings.warn(
        'duration:negative',
        'a timeline ended before it started (clock or origin mix-up); ml.pipeline.duration is dropped',
      );
    }
    const s = timeline.stages;
    const byStage = this.stageAttributesOf(worker);
    for (let i = 0; i + 2 < s.length; i += 3) {
      const start = s[i + 1] as number;
      const stop = s[i + 2] as number;
      if (stop === -1) continue;
      const seconds = (stop - start) / 1000;
      if (!isNonNegativeFinite(seconds)) {
        this.warnings.warn('stage:invalid', `a stage with a bad duration (${describeValue(seconds)}) is dropped`);
        continue;
      }
      let attributes = byStage.get(s[i] as string);
      if (attributes === undefined) {
        const stage = this.stage(s[i]);
        if (stage === undefined) continue;
        attributes = this.stageAttributes(stage, worker);
        // Keyed by the name as given, so an _OTHER stage is checked once, not per request.
        if (byStage.size < MAX_STAGE_KEYS) byStage.set(s[i] as string, attributes);
      }
      inst.stageDuration.record(seconds, attributes);
    }
  }

  /** Records one stage outside a timeline, in seconds. */
  recordStage(stage: string, seconds: number, options: { workerId?: number } = {}): void {
    if (!isNonNegativeFinite(seconds)) {
      this.warnings.warn(
        'stage:invalid',
        `ml.pipeline.stage.duration needs finite, non-negative seconds, got ${describeValue(seconds)}; dropped`,
      );
      return;
    }
    const name = this.stage(stage);
    if (name === undefined) return;
    this.current().stageDuration.record(seconds, this.stageAttributes(name, this.workerKey(options?.workerId)));
  }

  /** Records one model call on `ml.inference.duration`. */
  recordInference(record: InferenceRecord): void {
    if (typeof record !== 'object' || record === null) {
      this.warnings.warn('inference:not-object', `recordInference() needs an object, got ${describeValue(record)}`);
      return;
    }
    if (!isNonNegativeFinite(record.seconds)) {
      this.warnings.warn(
        'inference:invalid',
        `ml.inference.duration needs finite, non-negative seconds, got ${describeValue(record.seconds)}; dropped`,
      );
      return;
    }
    const model = this.models.admit(record.model);
    if (model === undefined) return;
    const version = record.modelVersion === undefined ? '' : (this.versionOf(record.modelVersion) ?? '');
    const errorType = record.error === undefined ? '' : (this.errorTypes.admit(errorTypeOf(record.error)) ?? '');
    const worker = this.workerKey(record.workerId);
    const attributes = this.cached(`i\0${model}\0${version}\0${errorType}\0${worker}`, () => {
      const a: Attributes = { [ATTR_ML_MODEL_NAME]: model };
      if (version !== '') a[ATTR_ML_MODEL_VERSION] = version;
      if (errorType !== '') a[ATTR_ERROR_TYPE] = errorType;
      return this.withWorker(a, worker);
    });
    this.current().inference.record(record.seconds, attributes);
  }

  /**
   * Records one batch: `ml.batch.size`, each `ml.sequence.length`, and real and padding tokens on
   * `ml.batch.tokens` (the padding share is a PromQL ratio).
   */
  recordBatch(batch: BatchRecord): void {
    if (typeof batch !== 'object' || batch === null) {
      this.warnings.warn('batch:not-object', `recordBatch() needs an object, got ${describeValue(batch)}`);
      return;
    }
    const model = this.models.admit(batch.model);
    if (model === undefined) return;
    const lengths = Array.isArray(batch.sequenceLengths) ? batch.sequenceLengths : undefined;
    if (batch.sequenceLengths !== undefined && lengths === undefined) {
      this.warnings.warn(
        'batch:lengths',
        `sequenceLengths must be an array of numbers, got ${describeValue(batch.sequenceLengths)}; ignored`,
      );
    }
    const worker = this.workerKey(batch.workerId);
    const attributes = this.cached(`b\0${model}\0${worker}`, () =>
      this.withWorker({ [ATTR_ML_MODEL_NAME]: model }, worker),
    );
    const inst = this.current();
    const size = batch.size ?? lengths?.length;
    if (size !== undefined) {
      if (isNonNegativeFinite(size)) inst.batchSize.record(size, attributes);
      else
        this.warnings.warn(
          'batch:size',
          `ml.batch.size needs a non-negative number, got ${describeValue(size)}; dropped`,
        );
    }
    let sum = 0;
    let longest = 0;
    let valid = 0;
    if (lengths !== undefined) {
      for (const length of lengths) {
        if (!isNonNegativeFinite(length)) {
          this.warnings.warn(
            'batch:length',
            `a sequence length must be a non-negative number, got ${describeValue(length)}; dropped`,
          );
          continue;
        }
        inst.sequenceLength.record(length, attributes);
        sum += length;
        valid++;
        if (length > longest) longest = length;
      }
    }
    const real = batch.realTokens ?? (lengths !== undefined ? sum : undefined);
    const padTo = isNonNegativeFinite(batch.paddedLength) ? batch.paddedLength : longest;
    const padding = batch.paddingTokens ?? (lengths !== undefined ? Math.max(0, padTo * valid - sum) : undefined);
    this.addTokens(inst, real, 'real', model, worker);
    this.addTokens(inst, padding, 'padding', model, worker);
  }

  /**
   * Reports the depth of `queue` as `ml.queue.size` at every collection by calling `read`.
   * Returns a function that stops it. A `read` that throws or returns a bad number is skipped.
   */
  observeQueue(
    queue: string,
    read: (() => number) | { readonly length: number } | { readonly size: number },
  ): () => void {
    const name = this.queueNames.admit(queue);
    const reader = readerOf(read);
    if (name === undefined || reader === undefined) {
      if (reader === undefined)
        this.warnings.warn(
          'queue:reader',
          `observeQueue() needs a function, an array or a Map/Set, got ${describeValue(read)}`,
        );
      return () => {};
    }
    this.queues.set(name, reader);
    this.current();
    this.followGlobalProvider();
    return () => {
      if (this.queues.get(name) === reader) this.queues.delete(name);
      if (this.queues.size === 0) this.unfollowGlobalProvider();
    };
  }

  private addTokens(
    inst: PipelineInstruments,
    value: number | undefined,
    kind: 'real' | 'padding',
    model: string,
    worker: string,
  ): void {
    if (value === undefined) return;
    if (!isNonNegativeFinite(value)) {
      this.warnings.warn(
        `tokens:${kind}`,
        `${kind} tokens must be a non-negative number, got ${describeValue(value)}; dropped`,
      );
      return;
    }
    inst.batchTokens.add(
      value,
      this.cached(`t\0${kind}\0${model}\0${worker}`, () =>
        this.withWorker({ [ATTR_ML_MODEL_NAME]: model, [ATTR_ML_TOKEN_KIND]: kind }, worker),
      ),
    );
  }

  private readonly observeQueues = (result: ObservableResult): void => {
    for (const [queue, read] of this.queues) {
      let size: unknown;
      try {
        size = read();
      } catch {
        this.warnings.warn(`queue:throw:${queue}`, `the ml.queue.size reader of "${queue}" threw; skipped`);
        continue;
      }
      if (!isNonNegativeFinite(size)) {
        this.warnings.warn(
          `queue:bad:${queue}`,
          `the ml.queue.size reader of "${queue}" returned ${describeValue(size)}; skipped`,
        );
        continue;
      }
      result.observe(
        size,
        this.cached(`q\0${queue}`, () => ({ [ATTR_ML_QUEUE_NAME]: queue })),
      );
    }
  };

  private stage(stage: unknown): string | undefined {
    if (typeof stage === 'string' && STANDARD_STAGES.has(stage)) return stage;
    return this.customStages.admit(stage);
  }

  private versionOf(version: unknown): string | undefined {
    if (typeof version !== 'string' || version === '') return undefined;
    return version.length > 64 ? version.slice(0, 64) : version;
  }

  /** `''` for no worker id, else the id as a string (bounded by the pool size). */
  private workerKey(id: unknown): string {
    if (id === undefined) return this.defaultWorkerId === undefined ? '' : String(this.defaultWorkerId);
    const ok = this.workerId(id);
    return ok === undefined ? '' : String(ok);
  }

  private workerId(id: unknown): number | undefined {
    if (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id < this.poolSize) return id;
    this.warnings.warn(
      'worker-id',
      this.poolSize === 0
        ? 'ml.worker.id needs a workerPool option ({ type, size }); the attribute is left out'
        : `ml.worker.id must be an integer from 0 to ${this.poolSize - 1} (the pool size), got ${describeValue(id)}; the attribute is left out`,
    );
    return undefined;
  }

  private withWorker(attributes: Attributes, worker: string): Attributes {
    if (this.workerType !== undefined) attributes[ATTR_ML_WORKER_TYPE] = this.workerType;
    if (worker !== '') attributes[ATTR_ML_WORKER_ID] = worker;
    return attributes;
  }

  private pipelineAttributes(worker: string, errorType: string | undefined): Attributes {
    return this.cached(`p\0${worker}\0${errorType ?? ''}`, () => {
      const a: Attributes = { [ATTR_ML_PIPELINE_NAME]: this.pipelineName };
      if (errorType !== undefined) a[ATTR_ERROR_TYPE] = errorType;
      return this.withWorker(a, worker);
    });
  }

  private stageAttributesOf(worker: string): Map<string, Attributes> {
    let byStage = this.stageAttributeCache.get(worker);
    if (byStage === undefined) {
      byStage = new Map();
      this.stageAttributeCache.set(worker, byStage);
    }
    return byStage;
  }

  private stageAttributes(stage: string, worker: string): Attributes {
    return this.cached(`s\0${stage}\0${worker}`, () =>
      this.withWorker({ [ATTR_ML_PIPELINE_NAME]: this.pipelineName, [ATTR_ML_PIPELINE_STAGE]: stage }, worker),
    );
  }

  private cached(key: string, build: () => Attributes): Attributes {
    let attributes = this.attributeCache.get(key);
    if (attributes === undefined) {
      attributes = build();
      this.attributeCache.set(key, attributes);
    }
    return attributes;
  }

  private current(): PipelineInstruments {
    const provider = this.provider ?? metrics.getMeterProvider();
    if (this.instruments?.provider !== provider) {
      this.instruments = createPipelineInstruments(provider, this.observeQueues);
    }
    return this.instruments;
  }

  // Observed queues must reach a global provider set later: announced changes are followed at
  // once, others by a cheap unref'd re-check (as in @mltel/tasks).
  private followGlobalProvider(): void {
    if (this.provider !== undefined || this.unfollow !== undefined) return;
    this.unfollow = followGlobalProvider(this.onProviderChanged);
  }

  private unfollowGlobalProvider(): void {
    this.unfollow?.();
    this.unfollow = undefined;
  }
}

function readerOf(read: unknown): (() => number) | undefined {
  if (typeof read === 'function') return read as () => number;
  if (Array.isArray(read)) return () => read.length;
  if (read instanceof Map || read instanceof Set) return () => read.size;
  if (typeof read === 'object' && read !== null) {
    if (typeof (read as { length?: unknown }).length === 'number') return () => (read as { length: number }).length;
    if (typeof (read as { size?: unknown }).size === 'number') return () => (read as { size: number }).size;
  }
  return undefined;
}

/** Creates a pipeline meter. */
export function createPipelineMeter(options: PipelineMeterOptions): PipelineMeter {
  return new PipelineMeter(options);
}
