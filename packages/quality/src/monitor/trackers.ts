// Per-feature state of the current window: counts in the profile's bins (typed arrays) and, for
// numeric features, a quantile sketch. Memory per feature: bins * 16 bytes, the bin lookup
// table (16 bytes per edge) and the sketch,
// whatever the traffic. The hot path (`observe`) is a type check, a bin lookup and a sketch
// append; statistics are computed only at window close.
import { describeValue } from '@mltel/kit';
import type { WarnOnce } from '@mltel/kit';
import type { DriftMethod } from '../types.js';
import type { CategoricalFeatureProfile, NumericFeatureProfile } from '../profile/types.js';
import { hellinger, jensenShannon, psi } from '../stats/binned.js';
import { BinLookup } from '../stats/bin-lookup.js';
import { QuantileSketch } from '../stats/quantile-sketch.js';
import { sketchDistances } from '../stats/sketch-stats.js';

/** Counts of the values a tracker could not use. */
export interface TrackerStats {
  /** Values absent from the record (undefined or null). */
  missing: number;
  /** NaN, infinite, or of the wrong type. */
  invalid: number;
  /** Categories not in the profile, counted as "other". */
  unknownCategory: number;
}

/** One scored window of one tracker. */
export type Scores = Partial<Record<DriftMethod, number>>;

/** What every tracker has. */
export interface Tracker {
  readonly name: string;
  readonly stats: TrackerStats;
  /** Valid values in the current window. */
  readonly size: number;
  observe(value: unknown): void;
  score(): Scores;
  reset(): void;
}

/** A numeric feature (or the confidence): bins from the profile, a sketch for KS/Wasserstein. */
export class NumericTracker implements Tracker {
  readonly stats: TrackerStats = { missing: 0, invalid: 0, unknownCategory: 0 };
  size = 0;
  private readonly edges: Float64Array;
  private readonly bins: BinLookup;
  private readonly reference: Float64Array;
  private readonly current: Float64Array;
  private readonly referenceSketch: QuantileSketch;
  /** Undefined when KS and Wasserstein are off (sketchK 0): bins only. */
  private readonly sketch: QuantileSketch | undefined;

  constructor(
    profile: NumericFeatureProfile,
    referenceSketch: QuantileSketch,
    sketchK: number,
    private readonly warnings: WarnOnce,
    readonly name: string = profile.name,
  ) {
    this.edges = Float64Array.from(profile.edges);
    this.bins = new BinLookup(this.edges);
    this.reference = Float64Array.from(profile.counts);
    this.current = new Float64Array(profile.counts.length);
    this.referenceSketch = referenceSketch;
    this.sketch = sketchK > 0 ? new QuantileSketch(sketchK) : undefined;
  }

  observe(value: unknown): void {
    // `value - value === 0` is true exactly for finite numbers.
    if (typeof value === 'number' && value - value === 0) {
      if (this.edges.length > 0) this.current[this.bins.index(value)]!++;
      this.sketch?.add(value);
      this.size++;
      return;
    }
    this.reject(value);
  }

  private reject(value: unknown): void {
    if (value === undefined || value === null) {
      this.stats.missing++;
      this.warnings.warn(
        'missing',
        `feature "${this.name}" is missing from a record; missing values are counted, not scored`,
      );
    } else {
      this.stats.invalid++;
      this.warnings.warn(
        'invalid-number',
        `feature "${this.name}" needs a finite number, got ${describeValue(value)}; the value is counted as invalid and not scored`,
      );
    }
  }

  score(): Scores {
    const scores: Scores = {};
    if (this.edges.length > 0) {
      scores.psi = psi(this.reference, this.current);
      scores.js = jensenShannon(this.reference, this.current);
      scores.hellinger = hellinger(this.reference, this.current);
    }
    if (this.sketch && this.referenceSketch.n > 0) {
      const { ks, wasserstein } = sketchDistances(this.referenceSketch, this.sketch);
      scores.ks = ks;
      scores.wasserstein = wasserstein;
    }
    return scores;
  }

  /** The current window's sketch (for error bounds), if any. */
  windowSketch(): QuantileSketch | undefined {
    return this.sketch;
  }

  reset(): void {
    this.current.fill(0);
    this.sketch?.reset();
    this.size = 0;
  }
}

/** A categorical feature (or the predicted class): the profile's categories plus "other". */
export class CategoricalTracker implements Tracker {
  readonly stats: TrackerStats = { missing: 0, invalid: 0, unknownCategory: 0 };
  size = 0;
  private readonly index = new Map<string, number>();
  private readonly reference: Float64Array;
  private readonly current: Float64Array;
  private readonly other: number;

  constructor(
    profile: CategoricalFeatureProfile,
    private readonly warnings: WarnOnce,
    readonly name: string = profile.name,
  ) {
    for (const [i, c] of profile.categories.entries()) this.index.set(c, i);
    this.other = profile.categories.length;
    this.reference = Float64Array.from(profile.counts);
    this.current = new Float64Array(profile.counts.length);
  }

  observe(value: unknown): void {
    let key: string;
    if (typeof value === 'string' && value !== '') key = value;
    else if ((typeof value === 'number' && value - value === 0) || typeof value === 'boolean') key = String(value);
    else {
      if (value === undefined || value === null) {
        this.stats.missing++;
        this.warnings.warn(
          'missing',
          `feature "${this.name}" is missing from a record; missing values are counted, not scored`,
        );
      } else {
        this.stats.invalid++;
        this.warnings.warn(
          'invalid-category',
          `feature "${this.name}" needs a non-empty string, finite number or boolean, got ${describeValue(value)}; the value is counted as invalid and not scored`,
        );
      }
      return;
    }
    const i = this.index.get(key);
    if (i === undefined) {
      this.stats.unknownCategory++;
      this.warnings.warn(
        'unknown-category',
        `feature "${this.name}" has a category the profile does not know; such values count as "other"`,
      );
      this.current[this.other]!++;
    } else {
      this.current[i]!++;
    }
    this.size++;
  }

  score(): Scores {
    return {
      psi: psi(this.reference, this.current),
      js: jensenShannon(this.reference, this.current),
      hellinger: hellinger(this.reference, this.current),
    };
  }

  reset(): void {
    this.current.fill(0);
    this.size = 0;
  }
}
