export { hellinger, jensenShannon, PSI_EPSILON, psi } from './binned.js';
export { binCount, binIndex, edgesFromQuantiles, quantileLinear } from './bins.js';
export { DEFAULT_SKETCH_K, QuantileSketch } from './quantile-sketch.js';
export type { QuantileSketchJson, SortedView } from './quantile-sketch.js';
export { ksStatistic, sketchDistances, sketchErrorBounds, wasserstein } from './sketch-stats.js';
