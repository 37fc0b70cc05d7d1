import type { QuantileSketchJson } from '../stats/quantile-sketch.js';

/** The `format` field of a reference profile. */
export const PROFILE_FORMAT = 'mltel.drift.profile';
/** The profile version this package writes and reads; a newer one is refused. */
export const PROFILE_VERSION = 1;

/** A numeric feature's reference: bins from reference quantiles and the reference sketch. */
export interface NumericFeatureProfile {
  name: string;
  type: 'numeric';
  /** Valid (finite) values seen. */
  count: number;
  /** Values that were missing, non-numeric, NaN or infinite (not in the counts). */
  invalid: number;
  /** Ascending, unique bin edges (reference quantiles k/bins). */
  edges: number[];
  /** [underflow, inner bins..., overflow]: max(1, edges.length - 1) + 2 counts. */
  counts: number[];
  /** Quantile sketch of the reference values, for KS and Wasserstein. */
  sketch: QuantileSketchJson;
}

/** A categorical feature's reference: frequencies of the top categories plus "other". */
export interface CategoricalFeatureProfile {
  name: string;
  type: 'categorical';
  count: number;
  invalid: number;
  /** The categories kept, most frequent first. */
  categories: string[];
  /** One count per category, then the "other" count last. */
  counts: number[];
}

/** One feature's reference. */
export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;

/** A reference profile: everything drift needs, without the reference data. */
export interface ReferenceProfile {
  format: typeof PROFILE_FORMAT;
  version: typeof PROFILE_VERSION;
  createdAt: string;
  /** Rows (records) read. */
  rows: number;
  features: FeatureProfile[];
  /** Reference distribution of the prediction confidence, when the reference had one. */
  confidence?: NumericFeatureProfile;
  /** Reference distribution of the predicted class, when the reference had one. */
  prediction?: CategoricalFeatureProfile;
}
