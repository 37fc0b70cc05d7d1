// The pipeline family's instruments, bound to a MeterProvider through the kit's ProviderBinding
// (`ml.queue.size` is not among them: the kit's queue-depth registry owns that gauge).
import type { Counter, Histogram, Meter, MeterProvider } from '@opentelemetry/api';
import {
  ML_BATCH_SIZE,
  ML_BATCH_TOKENS,
  ML_INFERENCE_DURATION,
  ML_PIPELINE_DURATION,
  ML_PIPELINE_STAGE_DURATION,
  ML_SEQUENCE_LENGTH,
} from '@mltel/semconv';
import { instrumentOptions, ProviderBinding } from '@mltel/kit';

/** Instrumentation scope of the pipeline meter. */
export const SCOPE_NAME = '@mltel/pipeline';

/** The pipeline family's instruments on one provider. */
export interface PipelineInstruments {
  readonly duration: Histogram;
  readonly stageDuration: Histogram;
  readonly inference: Histogram;
  readonly batchSize: Histogram;
  readonly sequenceLength: Histogram;
  readonly batchTokens: Counter;
}

/** Creates the pipeline instruments on `meter` (synchronous instruments only: no callbacks). */
export function buildPipelineInstruments(meter: Meter): PipelineInstruments {
  return {
    duration: meter.createHistogram(ML_PIPELINE_DURATION.name, instrumentOptions(ML_PIPELINE_DURATION)),
    stageDuration: meter.createHistogram(
      ML_PIPELINE_STAGE_DURATION.name,
      instrumentOptions(ML_PIPELINE_STAGE_DURATION),
    ),
    inference: meter.createHistogram(ML_INFERENCE_DURATION.name, instrumentOptions(ML_INFERENCE_DURATION)),
    batchSize: meter.createHistogram(ML_BATCH_SIZE.name, instrumentOptions(ML_BATCH_SIZE)),
    sequenceLength: meter.createHistogram(ML_SEQUENCE_LENGTH.name, instrumentOptions(ML_SEQUENCE_LENGTH)),
    batchTokens: meter.createCounter(ML_BATCH_TOKENS.name, instrumentOptions(ML_BATCH_TOKENS)),
  };
}

/** The pipeline instruments on `meterProvider`, or on the global provider as it changes. */
export function pipelineInstruments(meterProvider?: MeterProvider): ProviderBinding<PipelineInstruments> {
  return new ProviderBinding(SCOPE_NAME, buildPipelineInstruments, { meterProvider });
}
