// The feature names under which the monitor scores what is not a profiled feature: they appear as
// `ml.feature.name`, as keys of `scores()` and `stats().features`, and in `thresholds.perFeature`.

/** Feature name of the confidence's drift scores. */
export const CONFIDENCE_FEATURE = '_confidence';
/** Feature name of the predicted class's drift scores. */
export const PREDICTION_FEATURE = '_prediction';
