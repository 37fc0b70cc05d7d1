import type { MeterProvider } from '@opentelemetry/api';

/** The worker pool a pipeline runs in: `ml.worker.id` values are bounded by its size. */
export interface WorkerPool {
  /** `ml.worker.type`, e.g. `tokenizer`, `model`, `cluster`. */
  type: string;
  /** Number of workers: ids 0..size-1 are recorded, others are left out with one warning. */
  size: number;
}

/** Options of {@link createPipelineMeter}. */
export interface PipelineMeterOptions {
  /** `ml.pipeline.name` (bounded: one name per meter). */
  pipelineName: string;
  /** Provider to record with; default the global one, followed when it changes. */
  meterProvider?: MeterProvider;
  /** The pool whose worker ids label the metrics. */
  workerPool?: WorkerPool;
  /** Default `ml.worker.id` of this process or thread (e.g. the cluster worker index). */
  workerId?: number;
  /**
   * Your own stage names, allowed beside the standard ones. When left out, up to 20 names beyond
   * the standard ones are admitted as first seen; any other becomes `_OTHER`.
   */
  stages?: string[];
  /** Model names allowed on `ml.model.name` (exact or `prefix*`); default the first 20 seen. */
  models?: string[];
}

/** How a timeline ended. */
export interface EndOptions {
  /** The error the request failed with: `error.type` is derived from it. */
  error?: unknown;
  /** `ml.worker.id` for this request (overrides the timeline's and the meter's). */
  workerId?: number;
  /** End time, ms (see `now()`); default now. */
  at?: number;
}

/** One model call. */
export interface InferenceRecord {
  /** Latency in seconds. */
  seconds: number;
  /** `ml.model.name`. */
  model: string;
  /** `ml.model.version`. */
  modelVersion?: string;
  /** The error it failed with, if any. */
  error?: unknown;
  /** `ml.worker.id`. */
  workerId?: number;
}

/** One inference batch. */
export interface BatchRecord {
  /** Items in the batch; default the number of sequence lengths. */
  size?: number;
  /** Tokens of each sequence, before padding: each is recorded on `ml.sequence.length`. */
  sequenceLengths?: readonly number[];
  /** Real tokens; default the sum of the sequence lengths. */
  realTokens?: number;
  /**
   * Padding tokens; default from the sequence lengths, padded to `paddedLength` or else to the
   * longest one (dynamic padding).
   */
  paddingTokens?: number;
  /** The length every sequence was padded to (fixed padding). */
  paddedLength?: number;
  /** `ml.model.name`. */
  model: string;
  /** `ml.worker.id`. */
  workerId?: number;
}
