// The model monitor's instruments, bound to a MeterProvider through the kit's ProviderBinding:
// rebuilt when the global provider changes, the two gauges' callbacks moved with them.
import type { Attributes, Counter, Histogram, MeterProvider, ObservableCallback } from '@opentelemetry/api';
import {
  ML_DRIFT_ALERTS,
  ML_DRIFT_SCORE,
  ML_MODEL_ACCURACY,
  ML_PREDICTION_CONFIDENCE,
  ML_PREDICTIONS,
} from '@mltel/semconv';
import { instrumentOptions, ProviderBinding } from '@mltel/kit';

/** Instrumentation scope of the model monitor (its version is MLTEL_VERSION). */
export const SCOPE_NAME = '@mltel/quality';

/** The instruments the monitor records on; the gauges report through their callbacks. */
export interface QualityInstruments {
  predictions: Counter;
  confidence: Histogram;
  alerts: Counter;
}

/** What the observable gauges report at each collection. */
export interface QualityGauges {
  /** `ml.model.accuracy`. */
  accuracy: ObservableCallback;
  /** `ml.drift.score`. */
  driftScore: ObservableCallback;
}

/**
 * Series of closed label sets created at 0 on every provider the instruments are built on, so a
 * first increment is an increase from 0 (a series born at its first increment loses it in
 * increase()/rate()).
 */
export interface ZeroSeries {
  /** `ml.drift.alerts` attribute sets: each monitored drift kind at each severity. */
  alerts: readonly Attributes[];
  /** `ml.predictions` attribute sets: each class of an exact allow-list. */
  predictions: readonly Attributes[];
}

/**
 * The quality instruments on `meterProvider` (undefined: the global provider, followed), the
 * gauges reporting `gauges`, the series of `zeros` created at 0.
 */
export function bindQualityInstruments(
  meterProvider: MeterProvider | undefined,
  gauges: QualityGauges,
  zeros: ZeroSeries = { alerts: [], predictions: [] },
): ProviderBinding<QualityInstruments> {
  return new ProviderBinding<QualityInstruments>(
    SCOPE_NAME,
    (meter, callbacks) => {
      const instruments: QualityInstruments = {
        predictions: meter.createCounter(ML_PREDICTIONS.name, instrumentOptions(ML_PREDICTIONS)),
        confidence: meter.createHistogram(ML_PREDICTION_CONFIDENCE.name, instrumentOptions(ML_PREDICTION_CONFIDENCE)),
        alerts: meter.createCounter(ML_DRIFT_ALERTS.name, instrumentOptions(ML_DRIFT_ALERTS)),
      };
      const accuracy = meter.createObservableGauge(ML_MODEL_ACCURACY.name, instrumentOptions(ML_MODEL_ACCURACY));
      const driftScore = meter.createObservableGauge(ML_DRIFT_SCORE.name, instrumentOptions(ML_DRIFT_SCORE));
      callbacks.observe(driftScore, gauges.driftScore);
      callbacks.observe(accuracy, gauges.accuracy);
      for (const attributes of zeros.alerts) instruments.alerts.add(0, attributes);
      for (const attributes of zeros.predictions) instruments.predictions.add(0, attributes);
      return instruments;
    },
    { meterProvider },
  );
}
