// The pipeline meter: the public face of the package. It owns the meter's options, warnings and
// instruments and hands each call to the file of its role (attributes, stages, inference,
// batches, queues).
import type { MeterProvider } from '@opentelemetry/api';
import { WarnOnce } from '@mltel/kit';
import type { ProviderBinding } from '@mltel/kit';
import { PipelineAttributes } from './attributes.js';
import { BatchRecorder } from './batch-recorder.js';
import { InferenceRecorder } from './inference-recorder.js';
import { field } from '@mltel/kit';
import { pipelineInstruments } from './instruments.js';
import type { PipelineInstruments } from './instruments.js';
import { observeQueue } from './queues.js';
import type { QueueReader } from './queues.js';
import { StageRecorder } from './stage-recorder.js';
import { bindTimeline, now, Timeline } from './timeline.js';
import type { TimelineJSON } from './timeline.js';
import type { BatchRecord, EndOptions, InferenceRecord, PipelineMeterOptions } from './types.js';

/**
 * Records the inference-pipeline family: `ml.pipeline.duration` and `ml.pipeline.stage.duration`
 * from request {@link Timeline}s, `ml.inference.duration`, `ml.batch.size`, `ml.sequence.length`,
 * `ml.batch.tokens` and `ml.queue.size`. Throughput and stage shares are left to PromQL.
 * Every method is safe on the hot path: it never throws, bad input is dropped with one warning.
 */
export class PipelineMeter {
  private readonly provider: MeterProvider | undefined;
  private readonly warnings = new WarnOnce();
  private readonly instruments: ProviderBinding<PipelineInstruments>;
  private readonly stages: StageRecorder;
  private readonly inference: InferenceRecorder;
  private readonly batches: BatchRecorder;

  constructor(options: PipelineMeterOptions) {
    const opts: Partial<PipelineMeterOptions> = typeof options === 'object' && options !== null ? options : {};
    const provider = field(opts, 'meterProvider');
    this.provider = typeof provider === 'object' && provider !== null ? (provider as MeterProvider) : undefined;
    this.instruments = pipelineInstruments(this.provider);
    const attributes = new PipelineAttributes(opts, this.warnings);
    this.stages = new StageRecorder(this.instruments, attributes, this.warnings);
    this.inference = new InferenceRecorder(this.instruments, attributes, this.warnings);
    this.batches = new BatchRecorder(this.instruments, attributes, this.warnings);
  }

  /** Starts a request's timeline now (or at `origin`, ms from `now()`). */
  timeline(options: { workerId?: number; origin?: number } = {}): Timeline {
    const given = field(options, 'origin');
    const origin = typeof given === 'number' && Number.isFinite(given) ? given : now();
    const workerId = field(options, 'workerId');
    return bindTimeline(new Timeline(origin, [], typeof workerId === 'number' ? workerId : undefined), this);
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
    this.stages.record(timeline, options);
  }

  /** Records one stage outside a timeline, in seconds. */
  recordStage(stage: string, seconds: number, options: { workerId?: number } = {}): void {
    this.stages.recordStage(stage, seconds, options);
  }

  /** Records one model call on `ml.inference.duration`. */
  recordInference(record: InferenceRecord): void {
    this.inference.record(record);
  }

  /**
   * Records one batch: `ml.batch.size`, each `ml.sequence.length`, and real and padding tokens on
   * `ml.batch.tokens` (the padding share is a PromQL ratio).
   */
  recordBatch(batch: BatchRecord): void {
    this.batches.record(batch);
  }

  /**
   * Reports the depth of `queue` as `ml.queue.size` at every collection by calling `read`.
   * Returns a function that stops it. A `read` that throws or returns a bad number is skipped.
   */
  observeQueue(queue: string, read: QueueReader): () => void {
    return observeQueue(queue, read, this.provider, this.warnings);
  }
}

/** Creates a pipeline meter. */
export function createPipelineMeter(options: PipelineMeterOptions): PipelineMeter {
  return new PipelineMeter(options);
}
