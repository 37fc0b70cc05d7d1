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
import { instrumentOptions, MeterCells, ProviderBinding } from '@mltel/kit';
import type { CallbackRegistry } from '@mltel/kit';

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

/**
 * Creates the pipeline instruments on `meter`. The histograms buffer the values of cached
 * attribute sets in kit's cells, handed to the SDK at each collection from a callback on a
 * carrier gauge that observes nothing (the family has no observable instrument of its own).
 */
export function buildPipelineInstruments(meter: Meter, callbacks: CallbackRegistry): PipelineInstruments {
  const cells = MeterCells.withCarrier(meter, callbacks);
  return {
    duration: cells.histogram(
      meter.createHistogram(ML_PIPELINE_DURATION.name, instrumentOptions(ML_PIPELINE_DURATION)),
    ),
    stageDuration: cells.histogram(
      meter.createHistogram(ML_PIPELINE_STAGE_DURATION.name, instrumentOptions(ML_PIPELINE_STAGE_DURATION)),
    ),
    inference: cells.histogram(
      meter.createHistogram(ML_INFERENCE_DURATION.name, instrumentOptions(ML_INFERENCE_DURATION)),
    ),
    batchSize: cells.histogram(meter.createHistogram(ML_BATCH_SIZE.name, instrumentOptions(ML_BATCH_SIZE))),
    sequenceLength: cells.histogram(
      meter.createHistogram(ML_SEQUENCE_LENGTH.name, instrumentOptions(ML_SEQUENCE_LENGTH)),
    ),
    batchTokens: meter.createCounter(ML_BATCH_TOKENS.name, instrumentOptions(ML_BATCH_TOKENS)),
  };
}

/** The pipeline instruments on `meterProvider`, or on the global provider as it changes. */
export function pipelineInstruments(meterProvider?: MeterProvider): ProviderBinding<PipelineInstruments> {
  return new ProviderBinding(SCOPE_NAME, buildPipelineInstruments, { meterProvider });
}
