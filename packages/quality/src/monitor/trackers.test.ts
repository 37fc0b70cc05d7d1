import { diag } from '@opentelemetry/api';
import { WarnOnce } from '@mltel/kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureDiag } from '../../test/harness.js';
import type { CategoricalFeatureProfile, NumericFeatureProfile } from '../profile/types.js';
import { hellinger, jensenShannon, psi } from '../stats/binned.js';
import { QuantileSketch } from '../stats/quantile-sketch.js';
import { CategoricalTracker, NumericTracker } from './trackers.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => diag.disable());

function sketchOf(values: number[]): QuantileSketch {
  const s = new QuantileSketch(64);
  for (const v of values) s.add(v);
  return s;
}

/** Edges 0, 1, 2: bins [underflow, [0, 1), [1, 2], overflow]; reference values 1, 2, 3. */
const numeric: NumericFeatureProfile = {
  name: 'x',
  type: 'numeric',
  count: 3,
  invalid: 0,
  edges: [0, 1, 2],
  counts: [0, 0, 2, 1],
  sketch: sketchOf([1, 2, 3]).toJSON(),
};

const categorical: CategoricalFeatureProfile = {
  name: 'c',
  type: 'categorical',
  count: 10,
  invalid: 0,
  categories: ['a', 'b'],
  counts: [5, 5, 0],
};

describe('NumericTracker', () => {
  it('bins finite values, and scores the bins and the sketches', () => {
    const t = new NumericTracker(numeric, sketchOf([1, 2, 3]), 64, new WarnOnce());
    for (const v of [2, 3, 4]) t.observe(v);
    expect(t.size).toBe(3);
    const scores = t.score();
    // Current bins: 2 in [1, 2], 3 and 4 overflow.
    expect(scores.psi).toBe(psi([0, 0, 2, 1], [0, 0, 1, 2]));
    expect(scores.js).toBe(jensenShannon([0, 0, 2, 1], [0, 0, 1, 2]));
    expect(scores.hellinger).toBe(hellinger([0, 0, 2, 1], [0, 0, 1, 2]));
    // {1, 2, 3} against {2, 3, 4}: the CDFs differ by 1/3 on [1, 4), so KS 1/3 and Wasserstein 1.
    expect(scores.ks).toBeCloseTo(1 / 3, 15);
    expect(scores.wasserstein).toBeCloseTo(1, 15);
    expect(t.windowSketch()!.n).toBe(3);
  });

  it('without a window sketch (sketchK 0) scores the bins only', () => {
    const t = new NumericTracker(numeric, new QuantileSketch(2), 0, new WarnOnce());
    t.observe(1.5);
    expect(Object.keys(t.score())).toEqual(['psi', 'js', 'hellinger']);
    expect(t.windowSketch()).toBeUndefined();
  });

  it('counts missing and invalid values, warns once per kind, and scores none of them', () => {
    const t = new NumericTracker(numeric, sketchOf([1, 2, 3]), 64, new WarnOnce(), '_confidence');
    for (const v of [undefined, null, Number.NaN, Number.NEGATIVE_INFINITY, '1', {}, 1]) t.observe(v);
    expect(t.name).toBe('_confidence');
    expect(t.stats).toEqual({ missing: 2, invalid: 4, unknownCategory: 0 });
    expect(t.size).toBe(1);
    expect(log.warnings).toEqual([
      'mltel: feature "_confidence" is missing from a record; missing values are counted, not scored',
      'mltel: feature "_confidence" needs a finite number, got NaN; the value is counted as invalid and not scored',
    ]);
  });

  it('reset empties the window but keeps the counts of bad values', () => {
    const t = new NumericTracker(numeric, sketchOf([1, 2, 3]), 64, new WarnOnce());
    t.observe(1);
    t.observe(null);
    t.reset();
    expect(t.size).toBe(0);
    expect(t.windowSketch()!.n).toBe(0);
    expect(t.score().psi).toBeNaN();
    expect(t.stats.missing).toBe(1);
  });
});

describe('CategoricalTracker', () => {
  it('counts the profile categories, numbers and booleans as strings, unknown ones as "other"', () => {
    const t = new CategoricalTracker(categorical, new WarnOnce());
    for (const v of ['a', 'a', 'b', 'zebra', 7, true]) t.observe(v);
    expect(t.size).toBe(6);
    expect(t.stats).toEqual({ missing: 0, invalid: 0, unknownCategory: 3 });
    const current = [2, 1, 3];
    expect(t.score()).toEqual({
      psi: psi([5, 5, 0], current),
      js: jensenShannon([5, 5, 0], current),
      hellinger: hellinger([5, 5, 0], current),
    });
    expect(log.warnings).toEqual([
      'mltel: feature "c" has a category the profile does not know; such values count as "other"',
    ]);
  });

  it('counts missing and invalid values (empty strings, NaN, objects) without scoring them', () => {
    const t = new CategoricalTracker(categorical, new WarnOnce(), '_prediction');
    for (const v of [undefined, null, '', Number.NaN, {}, 'a']) t.observe(v);
    expect(t.stats).toEqual({ missing: 2, invalid: 3, unknownCategory: 0 });
    expect(t.size).toBe(1);
    expect(log.warnings).toEqual([
      'mltel: feature "_prediction" is missing from a record; missing values are counted, not scored',
      'mltel: feature "_prediction" needs a non-empty string, finite number or boolean, got string; the value is counted as invalid and not scored',
    ]);
    t.reset();
    expect(t.size).toBe(0);
    expect(t.score().psi).toBeNaN();
  });
});
