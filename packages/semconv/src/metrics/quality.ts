import {
  ATTR_ML_ALERT_SEVERITY,
  ATTR_ML_DRIFT_KIND,
  ATTR_ML_DRIFT_METHOD,
  ATTR_ML_FEATURE_NAME,
  ATTR_ML_MODEL_NAME,
  ATTR_ML_PREDICTION_CLASS,
} from '../attributes.js';
import { CONFIDENCE_BUCKETS } from '../buckets.js';
import type { MetricDefinition } from '../types.js';

/** `ml.predictions`: predictions by class. */
export const ML_PREDICTIONS = {
  name: 'ml.predictions',
  kind: 'Counter',
  unit: '{prediction}',
  description: 'Model predictions, by predicted class.',
  attributes: [ATTR_ML_MODEL_NAME, ATTR_ML_PREDICTION_CLASS],
  family: 'quality',
  owner: '@mltel/quality',
  prometheusName: 'ml_predictions_total',
} as const satisfies MetricDefinition;

/** `ml.prediction.confidence`: confidence of predictions, in 0..1. */
export const ML_PREDICTION_CONFIDENCE = {
  name: 'ml.prediction.confidence',
  kind: 'Histogram',
  unit: '1',
  description: 'Confidence of model predictions, 0 to 1.',
  attributes: [ATTR_ML_MODEL_NAME],
  buckets: CONFIDENCE_BUCKETS,
  family: 'quality',
  owner: '@mltel/quality',
  prometheusName: 'ml_prediction_confidence',
} as const satisfies MetricDefinition;

/** `ml.model.accuracy`: accuracy over a window of labelled feedback, 0..1. */
export const ML_MODEL_ACCURACY = {
  name: 'ml.model.accuracy',
  kind: 'ObservableGauge',
  unit: '1',
  description: 'Model accuracy over the recent window of labelled feedback, 0 to 1.',
  attributes: [ATTR_ML_MODEL_NAME],
  family: 'quality',
  owner: '@mltel/quality',
  prometheusName: 'ml_model_accuracy_ratio',
} as const satisfies MetricDefinition;

/** `ml.drift.score`: a drift score; its scale depends on `ml.drift.method`. */
export const ML_DRIFT_SCORE = {
  name: 'ml.drift.score',
  kind: 'ObservableGauge',
  unit: '{score}',
  description: 'Drift score of a feature, confidence or performance, by method.',
  attributes: [ATTR_ML_MODEL_NAME, ATTR_ML_FEATURE_NAME, ATTR_ML_DRIFT_METHOD, ATTR_ML_DRIFT_KIND],
  family: 'quality',
  owner: '@mltel/quality',
  prometheusName: 'ml_drift_score',
} as const satisfies MetricDefinition;

/** `ml.drift.alerts`: drift alerts raised. */
export const ML_DRIFT_ALERTS = {
  name: 'ml.drift.alerts',
  kind: 'Counter',
  unit: '{alert}',
  description: 'Drift alerts raised.',
  attributes: [ATTR_ML_MODEL_NAME, ATTR_ML_DRIFT_KIND, ATTR_ML_ALERT_SEVERITY],
  family: 'quality',
  owner: '@mltel/quality',
  prometheusName: 'ml_drift_alerts_total',
} as const satisfies MetricDefinition;

/** The model quality and drift family. */
export const QUALITY_METRICS = [
  ML_PREDICTIONS,
  ML_PREDICTION_CONFIDENCE,
  ML_MODEL_ACCURACY,
  ML_DRIFT_SCORE,
  ML_DRIFT_ALERTS,
] as const;
