export {
  createModelMonitor,
  ModelMonitor,
  CONFIDENCE_FEATURE,
  DEFAULT_THRESHOLDS,
  PREDICTION_FEATURE,
} from './monitor/model-monitor.js';
export type {
  DriftAlert,
  DriftKind,
  DriftMethod,
  DriftSeverity,
  DriftThresholds,
  MethodThresholds,
  ModelMonitorOptions,
  MonitorStats,
  PredictionRecord,
  ThresholdCrossing,
  ThresholdLevels,
  WindowOptions,
} from './types.js';
export {
  buildProfile,
  DEFAULT_BINS,
  DEFAULT_MAX_CATEGORIES,
  ProfileBuilder,
  toCategory,
  toNumber,
} from './profile/builder.js';
export type { ProfileOptions } from './profile/builder.js';
export { parseProfile, readProfileFile } from './profile/parse.js';
export type { ParsedProfile } from './profile/parse.js';
export { PROFILE_FORMAT, PROFILE_VERSION } from './profile/types.js';
export type {
  CategoricalFeatureProfile,
  FeatureProfile,
  NumericFeatureProfile,
  ReferenceProfile,
} from './profile/types.js';
export { DEFAULT_SKETCH_K, QuantileSketch } from './stats/quantile-sketch.js';
export type { QuantileSketchJson, SortedView } from './stats/quantile-sketch.js';
export { hellinger, jensenShannon, psi, PSI_EPSILON } from './stats/binned.js';
export { ksStatistic, sketchErrorBounds, wasserstein } from './stats/sketch-stats.js';
export { binCount, binIndex, edgesFromQuantiles, quantileLinear } from './stats/bins.js';
export { compareProfile, ProfileComparer } from './profile/compare.js';
export type { FeatureComparison } from './profile/compare.js';
