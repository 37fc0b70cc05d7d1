// Shared harness of the @mltel/quality unit tests: a real MeterProvider with a manual reader,
// collection helpers, and a diag logger that captures warnings.
import {
  ATTR_ML_ALERT_SEVERITY,
  ATTR_ML_DRIFT_KIND,
  ATTR_ML_DRIFT_METHOD,
  ATTR_ML_FEATURE_NAME,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PREDICTION_CLASS,
} from '@mltel/semconv';
import { sdkHarness } from '@mltel/test-kit';
import { createModelMonitor } from '../src/monitor/model-monitor.js';
import type { ModelMonitorOptions } from '../src/types.js';

const ORDER = [
  ATTR_ML_MODEL_NAME,
  ATTR_ML_FEATURE_NAME,
  ATTR_ML_DRIFT_KIND,
  ATTR_ML_DRIFT_METHOD,
  ATTR_ML_PREDICTION_CLASS,
  ATTR_ML_ALERT_SEVERITY,
];

export type { HistogramPoint, SumPoint } from '@mltel/test-kit';
export const { collect, captureDiag, sdkProvider } = sdkHarness(ORDER);

/** A real SDK provider with a manual reader, and a monitor bound to it. */
export function setup(options: Omit<ModelMonitorOptions, 'meterProvider'>) {
  const sdk = sdkProvider();
  const monitor = createModelMonitor({ ...options, meterProvider: sdk.provider });
  return { ...sdk, monitor };
}

export const MODEL = ATTR_ML_MODEL_NAME;
export const FEATURE = ATTR_ML_FEATURE_NAME;
export const METHOD = ATTR_ML_DRIFT_METHOD;
export const KIND = ATTR_ML_DRIFT_KIND;
export const CLASS = ATTR_ML_PREDICTION_CLASS;
export const SEVERITY = ATTR_ML_ALERT_SEVERITY;
