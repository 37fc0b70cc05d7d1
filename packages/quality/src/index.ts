export { CONFIDENCE_FEATURE, PREDICTION_FEATURE } from './monitor/feature-names.js';
export { createModelMonitor, ModelMonitor } from './monitor/model-monitor.js';
export { crossingsOf, DEFAULT_THRESHOLDS, severityOf, worstSeverity } from './monitor/thresholds.js';
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
export { compareProfile, ProfileComparer } from './profile/compare.js';
export type { FeatureComparison } from './profile/compare.js';
