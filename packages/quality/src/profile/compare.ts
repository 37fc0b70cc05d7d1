// Scores a batch of rows against a reference profile (what `mltel drift compare` prints): the
// same trackers and statistics as the online monitor, over all rows as one window.
import { WarnOnce } from '@mltel/kit';
import { CONFIDENCE_FEATURE, PREDICTION_FEATURE } from '../monitor/feature-names.js';
import { CategoricalTracker, NumericTracker } from '../monitor/trackers.js';
import type { Scores, Tracker, TrackerStats } from '../monitor/trackers.js';
import { DEFAULT_SKETCH_K, QuantileSketch } from '../stats/quantile-sketch.js';
import { sketchErrorBounds } from '../stats/sketch-stats.js';
import type { DriftKind } from '../types.js';
import { toNumber } from './builder.js';
import type { ReferenceProfile } from './types.js';

/** One feature's scores against the profile. */
export interface FeatureComparison extends TrackerStats {
  feature: string;
  kind: DriftKind;
  type: 'numeric' | 'categorical';
  /** Valid values scored. */
  samples: number;
  scores: Scores;
  /** Error bounds of the sketch-based KS and Wasserstein (numeric features). */
  bounds?: { ks: number; wasserstein: number };
}

interface Column {
  column: string;
  feature: string;
  kind: DriftKind;
  type: 'numeric' | 'categorical';
  tracker: Tracker;
  reference?: QuantileSketch;
}

/** Accumulates rows and scores them against a profile. */
export class ProfileComparer {
  private readonly columns: Column[] = [];

  constructor(profile: ReferenceProfile, sketchK: number = DEFAULT_SKETCH_K) {
    const warnings = new WarnOnce();
    const numeric = (
      p: ReferenceProfile['features'][number] & { type: 'numeric' },
      feature: string,
      kind: DriftKind,
    ) => {
      const reference = QuantileSketch.fromJSON(p.sketch, true) ?? new QuantileSketch();
      this.columns.push({
        column: p.name,
        feature,
        kind,
        type: 'numeric',
        reference,
        tracker: new NumericTracker(p, reference, sketchK, warnings, feature),
      });
    };
    for (const f of profile.features) {
      if (f.type === 'numeric') numeric(f, f.name, 'distribution');
      else
        this.columns.push({
          column: f.name,
          feature: f.name,
          kind: 'distribution',
          type: 'categorical',
          tracker: new CategoricalTracker(f, warnings),
        });
    }
    if (profile.confidence) numeric(profile.confidence, CONFIDENCE_FEATURE, 'confidence');
    if (profile.prediction) {
      const p = profile.prediction;
      this.columns.push({
        column: p.name,
        feature: PREDICTION_FEATURE,
        kind: 'distribution',
        type: 'categorical',
        tracker: new CategoricalTracker(p, warnings, PREDICTION_FEATURE),
      });
    }
  }

  /** Adds one row; strings are parsed as numbers for numeric features, '' is missing. */
  add(row: Record<string, unknown>): void {
    for (const c of this.columns) {
      const raw = row[c.column];
      const value =
        raw === '' || raw === null ? undefined : c.type === 'numeric' && typeof raw === 'string' ? toNumber(raw) : raw;
      c.tracker.observe(value);
    }
  }

  /** Scores of every feature (NaN scores where a side has no values). */
  results(): FeatureComparison[] {
    return this.columns.map((c) => {
      const result: FeatureComparison = {
        feature: c.feature,
        kind: c.kind,
        type: c.type,
        samples: c.tracker.size,
        ...c.tracker.stats,
        scores: c.tracker.size > 0 ? c.tracker.score() : {},
      };
      const window = c.tracker instanceof NumericTracker ? c.tracker.windowSketch() : undefined;
      if (window && c.reference && c.tracker.size > 0) result.bounds = sketchErrorBounds(c.reference, window);
      return result;
    });
  }
}

/** Scores in-memory rows against a profile. */
export function compareProfile(
  profile: ReferenceProfile,
  rows: Iterable<Record<string, unknown>>,
  sketchK?: number,
): FeatureComparison[] {
  const comparer = new ProfileComparer(profile, sketchK);
  for (const row of rows) comparer.add(row);
  return comparer.results();
}
