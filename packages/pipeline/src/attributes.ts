// Attribute admission of the pipeline meter: every attribute value is bounded (the pipeline name,
// stages, models, error types, worker ids inside the pool) and each distinct attribute set is
// built once, so the hot path records with cached objects.
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_MODEL_VERSION,
  ATTR_ML_PIPELINE_NAME,
  ATTR_ML_PIPELINE_STAGE,
  ATTR_ML_TOKEN_KIND,
  ATTR_ML_WORKER_ID,
  ATTR_ML_WORKER_TYPE,
  ML_PIPELINE_STAGE_VALUES,
  OTHER_VALUE,
} from '@mltel/semconv';
import { BoundedValues, describeValue, errorTypeOf } from '@mltel/kit';
import type { WarnOnce } from '@mltel/kit';
import { arrayCopy, field } from '@mltel/kit';
import type { PipelineMeterOptions } from './types.js';

const STANDARD_STAGES: ReadonlySet<string> = new Set(ML_PIPELINE_STAGE_VALUES);
const MAX_CUSTOM_STAGES = 20;
const MAX_MODELS = 20;
const MAX_ERROR_TYPES = 50;
const MAX_ATTRIBUTE_LENGTH = 128;
const MAX_VERSION_LENGTH = 64;
const MAX_ERROR_TYPE_LENGTH = 64;
const MAX_POOL_SIZE = 1024;
const MAX_STAGE_KEYS = 200;
// `ml.model.version` is caller input like any name: the first 50 distinct versions per meter are
// kept, later ones become `_OTHER` (before: uncapped, 2,000 versions gave 2,000 series).
const MAX_VERSIONS = 50;
// The attribute sets built once and reused. The values in the keys are each bounded, but their
// product is not small (models x versions x error types x workers): past this many sets, a set is
// built per call instead of cached, so the cache stays bounded whatever the traffic.
const MAX_CACHED = 10_000;
// An allow-list option (stages, models) longer than this is cut: it is configuration, not data.
const MAX_LIST = 10_000;

/** An allow-list option: its strings, or undefined when it is not an array or cannot be read. */
function stringList(value: unknown): string[] | undefined {
  return arrayCopy(value, MAX_LIST)?.filter((entry): entry is string => typeof entry === 'string');
}

/**
 * The bounded attribute values and cached attribute sets of one pipeline meter. A worker is
 * carried as its key: `''` for none, else the admitted id as a string.
 */
export class PipelineAttributes {
  private readonly pipelineName: string;
  private readonly customStages: BoundedValues;
  private readonly models: BoundedValues;
  private readonly errorTypes: BoundedValues;
  private readonly versions: BoundedValues;
  private readonly workerType: string | undefined;
  private readonly poolSize: number;
  private readonly defaultWorkerId: number | undefined;
  // Attribute objects built once per distinct combination; bounded by the bounded values above.
  private readonly cache = new Map<string, Attributes>();
  // The hot path of a timeline: per worker key, stage name as given -> attributes.
  private readonly stageCache = new Map<string, Map<string, Attributes>>();

  constructor(
    options: Partial<PipelineMeterOptions>,
    private readonly warnings: WarnOnce,
  ) {
    // Options read field by field behind guards: a throwing getter leaves that option unset.
    const names = new BoundedValues(ATTR_ML_PIPELINE_NAME, 1, MAX_ATTRIBUTE_LENGTH, warnings);
    this.pipelineName = names.admit(field(options, 'pipelineName')) ?? OTHER_VALUE;
    this.customStages = new BoundedValues(
      ATTR_ML_PIPELINE_STAGE,
      MAX_CUSTOM_STAGES,
      MAX_ATTRIBUTE_LENGTH,
      warnings,
      stringList(field(options, 'stages')),
    );
    this.models = new BoundedValues(
      ATTR_ML_MODEL_NAME,
      MAX_MODELS,
      MAX_ATTRIBUTE_LENGTH,
      warnings,
      stringList(field(options, 'models')),
    );
    this.errorTypes = new BoundedValues(ATTR_ERROR_TYPE, MAX_ERROR_TYPES, MAX_ERROR_TYPE_LENGTH, warnings);
    this.versions = new BoundedValues(ATTR_ML_MODEL_VERSION, MAX_VERSIONS, MAX_VERSION_LENGTH, warnings);
    const pool = field(options, 'workerPool');
    if (pool !== undefined) {
      const types = new BoundedValues(ATTR_ML_WORKER_TYPE, 1, MAX_ATTRIBUTE_LENGTH, warnings);
      this.workerType = types.admit(field(pool, 'type'));
      const size = field(pool, 'size');
      if (typeof size === 'number' && Number.isInteger(size) && size > 0 && size <= MAX_POOL_SIZE) {
        this.poolSize = size;
      } else {
        this.poolSize = 0;
        warnings.warn(
          'pool-size',
          `workerPool.size must be an integer from 1 to ${MAX_POOL_SIZE}, got ${describeValue(size)}; ml.worker.id is left out`,
        );
      }
    } else {
      this.workerType = undefined;
      this.poolSize = 0;
    }
    const workerId = field(options, 'workerId');
    this.defaultWorkerId = workerId === undefined ? undefined : this.workerId(workerId);
  }

  /** A standard stage as is, else the admitted custom stage (or `_OTHER`); undefined for a non-string. */
  stage(stage: unknown): string | undefined {
    if (typeof stage === 'string' && STANDARD_STAGES.has(stage)) return stage;
    return this.customStages.admit(stage);
  }

  /** The admitted `ml.model.name`; undefined for a non-string. */
  model(model: unknown): string | undefined {
    return this.models.admit(model);
  }

  /** The admitted `error.type` of a thrown value (`_OTHER` when even reading its class throws). */
  errorType(error: unknown): string | undefined {
    let type: string = OTHER_VALUE;
    try {
      type = errorTypeOf(error);
    } catch {
      // An error whose `code` getter throws.
    }
    return this.errorTypes.admit(type);
  }

  /**
   * `ml.model.version`, cut to 64 characters, the first 50 distinct per meter (later ones
   * `_OTHER`); undefined for anything but a non-empty string.
   */
  version(version: unknown): string | undefined {
    if (typeof version !== 'string' || version === '') return undefined;
    return this.versions.admit(version);
  }

  /** `''` for no worker id, else the id as a string (bounded by the pool size); `id` undefined: the meter's default. */
  workerKey(id: unknown): string {
    if (id === undefined) return this.defaultWorkerId === undefined ? '' : String(this.defaultWorkerId);
    const ok = this.workerId(id);
    return ok === undefined ? '' : String(ok);
  }

  /** `ml.pipeline.duration` attributes. */
  pipeline(worker: string, errorType: string | undefined): Attributes {
    return this.cached(`p\0${worker}\0${errorType ?? ''}`, () => {
      const a: Attributes = { [ATTR_ML_PIPELINE_NAME]: this.pipelineName };
      if (errorType !== undefined) a[ATTR_ERROR_TYPE] = errorType;
      return this.withWorker(a, worker);
    });
  }

  /** `ml.pipeline.stage.duration` attributes of an admitted stage. */
  stageOf(stage: string, worker: string): Attributes {
    return this.cached(`s\0${stage}\0${worker}`, () =>
      this.withWorker({ [ATTR_ML_PIPELINE_NAME]: this.pipelineName, [ATTR_ML_PIPELINE_STAGE]: stage }, worker),
    );
  }

  /**
   * `ml.pipeline.stage.duration` attributes of a stage name as given (admitted here), cached by
   * that name so an `_OTHER` stage is checked once, not per request; undefined for a non-string.
   */
  stageByName(name: unknown, worker: string): Attributes | undefined {
    let byStage = this.stageCache.get(worker);
    if (byStage === undefined) {
      byStage = new Map();
      this.stageCache.set(worker, byStage);
    }
    let attributes = byStage.get(name as string);
    if (attributes === undefined) {
      const stage = this.stage(name);
      if (stage === undefined) return undefined;
      attributes = this.stageOf(stage, worker);
      if (byStage.size < MAX_STAGE_KEYS) byStage.set(name as string, attributes);
    }
    return attributes;
  }

  /** `ml.inference.duration` attributes; `version` and `errorType` are `''` when absent. */
  inference(model: string, version: string, errorType: string, worker: string): Attributes {
    return this.cached(`i\0${model}\0${version}\0${errorType}\0${worker}`, () => {
      const a: Attributes = { [ATTR_ML_MODEL_NAME]: model };
      if (version !== '') a[ATTR_ML_MODEL_VERSION] = version;
      if (errorType !== '') a[ATTR_ERROR_TYPE] = errorType;
      return this.withWorker(a, worker);
    });
  }

  /** `ml.batch.size` and `ml.sequence.length` attributes. */
  batch(model: string, worker: string): Attributes {
    return this.cached(`b\0${model}\0${worker}`, () => this.withWorker({ [ATTR_ML_MODEL_NAME]: model }, worker));
  }

  /** `ml.batch.tokens` attributes. */
  tokens(kind: 'real' | 'padding', model: string, worker: string): Attributes {
    return this.cached(`t\0${kind}\0${model}\0${worker}`, () =>
      this.withWorker({ [ATTR_ML_MODEL_NAME]: model, [ATTR_ML_TOKEN_KIND]: kind }, worker),
    );
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

  private cached(key: string, build: () => Attributes): Attributes {
    let attributes = this.cache.get(key);
    if (attributes === undefined) {
      attributes = build();
      // A cached set is frozen: the histograms' cells (kit) buffer the values of a set they know
      // by identity; a set built per call stays open and goes to the SDK as it is.
      if (this.cache.size < MAX_CACHED) this.cache.set(key, Object.freeze(attributes));
    }
    return attributes;
  }
}
