import type { Counter, Histogram, MeterProvider, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import {
  ML_BATCH_SIZE,
  ML_BATCH_TOKENS,
  ML_INFERENCE_DURATION,
  ML_PIPELINE_DURATION,
  ML_PIPELINE_STAGE_DURATION,
  ML_QUEUE_SIZE,
  ML_SEQUENCE_LENGTH,
} from '@mltel/semconv';
import { instrumentOptions } from '@mltel/kit';

/** Instrumentation scope of the pipeline meter. */
export const SCOPE_NAME = '@mltel/pipeline';
/** Version of the instrumentation scope. */
export const SCOPE_VERSION = '0.1.0';

/** The pipeline family's instruments, created once per meter provider. */
export interface PipelineInstruments {
  readonly provider: MeterProvider;
  readonly duration: Histogram;
  readonly stageDuration: Histogram;
  readonly inference: Histogram;
  readonly batchSize: Histogram;
  readonly sequenceLength: Histogram;
  readonly batchTokens: Counter;
  readonly queueSize: ObservableGauge;
}

/** Creates the pipeline instruments on a provider, the queue gauge observed by `observeQueues`. */
export function createPipelineInstruments(
  provider: MeterProvider,
  observeQueues: (result: ObservableResult) => void,
): PipelineInstruments {
  const meter = provider.getMeter(SCOPE_NAME, SCOPE_VERSION);
  const queueSize = meter.createObservableGauge(ML_QUEUE_SIZE.name, instrumentOptions(ML_QUEUE_SIZE));
  queueSize.addCallback(observeQueues);
  return {
    provider,
    duration: meter.createHistogram(ML_PIPELINE_DURATION.name, instrumentOptions(ML_PIPELINE_DURATION)),
    stageDuration: meter.createHistogram(
      ML_PIPELINE_STAGE_DURATION.name,
      instrumentOptions(ML_PIPELINE_STAGE_DURATION),
    ),
    inference: meter.createHistogram(ML_INFERENCE_DURATION.name, instrumentOptions(ML_INFERENCE_DURATION)),
    batchSize: meter.createHistogram(ML_BATCH_SIZE.name, instrumentOptions(ML_BATCH_SIZE)),
    sequenceLength: meter.createHistogram(ML_SEQUENCE_LENGTH.name, instrumentOptions(ML_SEQUENCE_LENGTH)),
    batchTokens: meter.createCounter(ML_BATCH_TOKENS.name, instrumentOptions(ML_BATCH_TOKENS)),
    queueSize,
  };
}
