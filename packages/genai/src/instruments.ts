import type { Counter, Histogram, Meter, ObservableGauge } from '@opentelemetry/api';
import {
  GEN_AI_CLIENT_OPERATION_DURATION,
  GEN_AI_CLIENT_TIME_PER_OUTPUT_CHUNK,
  GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK,
  GEN_AI_CLIENT_TOKEN_USAGE,
  ML_AUDIO_DURATION,
  ML_GEN_AI_CHARACTERS,
  ML_GEN_AI_IMAGES,
  ML_GEN_AI_TOKEN_DETAIL,
  ML_PROVIDER_CIRCUIT_BREAKER_STATE,
  ML_PROVIDER_STATUS,
  ML_VIDEO_DURATION,
} from '@mltel/semconv';
import { instrumentOptions, MeterCells, MLTEL_VERSION } from '@mltel/kit';
import type { CallbackRegistry } from '@mltel/kit';
import type { ProviderHealthState } from './health.js';

/** Instrumentation scope of the provider-call meter. */
export const SCOPE_NAME = '@mltel/genai';
/** Version of the instrumentation scope: the mltel version. */
export const SCOPE_VERSION = MLTEL_VERSION;

/** The provider-call family's instruments, created once per meter provider. */
export interface GenAiInstruments {
  readonly duration: Histogram;
  readonly tokens: Histogram;
  readonly tokenDetail: Counter;
  readonly firstChunk: Histogram;
  readonly perChunk: Histogram;
  readonly images: Counter;
  readonly audio: Counter;
  readonly video: Counter;
  readonly characters: Counter;
  readonly status: ObservableGauge;
  readonly circuit: ObservableGauge;
}

/**
 * Creates the instruments on `meter` (a `ProviderBinding` builder); the health gauges read
 * `health` at collection, through callbacks registered with `callbacks`. The counters sum the
 * adds and the histograms the records of prepared attribute sets in kit's cells, handed to the
 * SDK at each collection from a callback on `ml.provider.status` (a recorded call makes no SDK
 * call on the SDK's path that hashes attributes).
 */
export function createGenAiInstruments(
  meter: Meter,
  callbacks: CallbackRegistry,
  health: ProviderHealthState,
): GenAiInstruments {
  const status = meter.createObservableGauge(ML_PROVIDER_STATUS.name, instrumentOptions(ML_PROVIDER_STATUS));
  callbacks.observe(status, (result) => health.observeStatus(result));
  const circuit = meter.createObservableGauge(
    ML_PROVIDER_CIRCUIT_BREAKER_STATE.name,
    instrumentOptions(ML_PROVIDER_CIRCUIT_BREAKER_STATE),
  );
  callbacks.observe(circuit, (result) => health.observeCircuits(result));
  const cells = new MeterCells(callbacks, status);
  return {
    duration: cells.histogram(
      meter.createHistogram(GEN_AI_CLIENT_OPERATION_DURATION.name, instrumentOptions(GEN_AI_CLIENT_OPERATION_DURATION)),
    ),
    tokens: cells.histogram(
      meter.createHistogram(GEN_AI_CLIENT_TOKEN_USAGE.name, instrumentOptions(GEN_AI_CLIENT_TOKEN_USAGE)),
    ),
    tokenDetail: cells.counter(
      meter.createCounter(ML_GEN_AI_TOKEN_DETAIL.name, instrumentOptions(ML_GEN_AI_TOKEN_DETAIL)),
    ),
    firstChunk: cells.histogram(
      meter.createHistogram(
        GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK.name,
        instrumentOptions(GEN_AI_CLIENT_TIME_TO_FIRST_CHUNK),
      ),
    ),
    perChunk: cells.histogram(
      meter.createHistogram(
        GEN_AI_CLIENT_TIME_PER_OUTPUT_CHUNK.name,
        instrumentOptions(GEN_AI_CLIENT_TIME_PER_OUTPUT_CHUNK),
      ),
    ),
    images: cells.counter(meter.createCounter(ML_GEN_AI_IMAGES.name, instrumentOptions(ML_GEN_AI_IMAGES))),
    audio: cells.counter(meter.createCounter(ML_AUDIO_DURATION.name, instrumentOptions(ML_AUDIO_DURATION))),
    video: cells.counter(meter.createCounter(ML_VIDEO_DURATION.name, instrumentOptions(ML_VIDEO_DURATION))),
    characters: cells.counter(meter.createCounter(ML_GEN_AI_CHARACTERS.name, instrumentOptions(ML_GEN_AI_CHARACTERS))),
    status,
    circuit,
  };
}
