import type { Counter, Histogram, MeterProvider, ObservableGauge } from '@opentelemetry/api';
import {
  ML_BATCH_SIZE,
  ML_DRIFT_ALERTS,
  ML_DRIFT_SCORE,
  ML_MODEL_ACCURACY,
  ML_PREDICTION_CONFIDENCE,
  ML_PREDICTIONS,
} from '@mltel/semconv';
import { instrumentOptions } from '@mltel/kit';

/** Instrumentation scope of the model monitor. */
export const SCOPE_NAME = '@mltel/quality';
/** Version of the instrumentation scope. */
export const SCOPE_VERSION = '0.1.0';

/** The quality family's instruments on one provider. */
export interface QualityInstruments {
  predictions: Counter;
  confidence: Histogram;
  batchSize: Histogram;
  alerts: Counter;
  accuracy: ObservableGauge;
  driftScore: ObservableGauge;
}

/** Creates the instruments (the gauges' callbacks are added by the monitor). */
export function createQualityInstruments(provider: MeterProvider): QualityInstruments {
  const meter = provider.getMeter(SCOPE_NAME, SCOPE_VERSION);
  return {
    predictions: meter.createCounter(ML_PREDICTIONS.name, instrumentOptions(ML_PREDICTIONS)),
    confidence: meter.createHistogram(ML_PREDICTION_CONFIDENCE.name, instrumentOptions(ML_PREDICTION_CONFIDENCE)),
    batchSize: meter.createHistogram(ML_BATCH_SIZE.name, instrumentOptions(ML_BATCH_SIZE)),
    alerts: meter.createCounter(ML_DRIFT_ALERTS.name, instrumentOptions(ML_DRIFT_ALERTS)),
    accuracy: meter.createObservableGauge(ML_MODEL_ACCURACY.name, instrumentOptions(ML_MODEL_ACCURACY)),
    driftScore: meter.createObservableGauge(ML_DRIFT_SCORE.name, instrumentOptions(ML_DRIFT_SCORE)),
  };
}
