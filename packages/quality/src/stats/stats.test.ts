// Every statistic against numpy/scipy on the datasets of test/expected/generate.py: binned
// statistics to 1e-9, sketch-based KS and Wasserstein exactly with uncompacted sketches and
// within the stated error bound with compacted ones.
import { describe, expect, it } from 'vitest';
import { CATEGORICAL, EXPECTED, NUMERIC, rows } from '../../test/datasets.js';
import { buildProfile } from '../profile/builder.js';
import { hellinger, jensenShannon, psi, PSI_EPSILON } from './binned.js';
import { binIndex } from './bins.js';
import { QuantileSketch } from './quantile-sketch.js';
import { ksStatistic, sketchErrorBounds, wasserstein } from './sketch-stats.js';

const TOLERANCE = 1e-9;

function sketchOf(values: readonly number[], k: number): QuantileSketch {
  const s = new QuantileSketch(k);
  for (const v of values) s.add(v);
  return s;
}

it('the expected values cover every dataset the issue names', () => {
  expect(EXPECTED.psiEpsilon).toBe(PSI_EPSILON);
  expect(EXPECTED.datasets.map((d) => d.name)).toEqual([
    'normal_mean_shift',
    'normal_variance_shift',
    'normal_no_shift',
    'heavy_tails',
    'empty_bins',
    'single_value',
    'categorical_new_category',
  ]);
});

describe.each(NUMERIC)('numeric dataset $name', (d) => {
  const profile = buildProfile(rows(d.reference), { numeric: ['x'], bins: EXPECTED.bins });
  const feature = profile.features[0]!;

  it('has numpy.quantile bin edges and numpy.histogram counts', () => {
    expect(feature.type).toBe('numeric');
    if (feature.type !== 'numeric') return;
    expect(feature.edges).toHaveLength(d.edges.length);
    for (const [i, e] of feature.edges.entries()) expect(Math.abs(e - d.edges[i]!)).toBeLessThanOrEqual(TOLERANCE);
    expect(feature.counts).toEqual(d.referenceCounts);
    const edges = Float64Array.from(feature.edges);
    const current = new Array<number>(feature.counts.length).fill(0);
    for (const x of d.current) current[binIndex(edges, x)]!++;
    expect(current).toEqual(d.currentCounts);
  });

  it('PSI, Jensen-Shannon and Hellinger agree with numpy/scipy to 1e-9', () => {
    expect(Math.abs(psi(d.referenceCounts, d.currentCounts) - d.expected.psi)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(jensenShannon(d.referenceCounts, d.currentCounts) - d.expected.js)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(hellinger(d.referenceCounts, d.currentCounts) - d.expected.hellinger)).toBeLessThanOrEqual(
      TOLERANCE,
    );
  });

  it('KS and Wasserstein from uncompacted sketches equal scipy to 1e-9', () => {
    const a = sketchOf(d.reference, 8192);
    const b = sketchOf(d.current, 8192);
    expect(a.epsilon()).toBe(0);
    expect(b.epsilon()).toBe(0);
    expect(Math.abs(ksStatistic(a, b) - d.expected.ks)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(wasserstein(a, b) - d.expected.wasserstein)).toBeLessThanOrEqual(
      TOLERANCE * Math.max(1, d.expected.wasserstein),
    );
  });

  it.each([64, 256, 1024])('KS and Wasserstein from compacted sketches (k = %i) are within the stated bound', (k) => {
    const a = sketchOf(d.reference, k);
    const b = sketchOf(d.current, k);
    const bounds = sketchErrorBounds(a, b);
    expect(a.epsilon()).toBeGreaterThan(0);
    // The bound is eps_a + eps_b, each at most log2(n/k)+1 levels over k.
    expect(bounds.ks).toBeLessThanOrEqual((2 * (Math.floor(Math.log2(5000 / k)) + 1)) / k);
    expect(Math.abs(ksStatistic(a, b) - d.expected.ks)).toBeLessThanOrEqual(bounds.ks + 1e-12);
    expect(Math.abs(wasserstein(a, b) - d.expected.wasserstein)).toBeLessThanOrEqual(bounds.wasserstein + 1e-9);
  });
});

describe.each(CATEGORICAL)('categorical dataset $name', (d) => {
  it('keeps the categories by frequency, counts the new one as "other", and agrees to 1e-9', () => {
    const profile = buildProfile(rows(d.reference, 'c'), { categorical: ['c'] });
    const feature = profile.features[0]!;
    expect(feature.type).toBe('categorical');
    if (feature.type !== 'categorical') return;
    expect(feature.categories).toEqual(d.categories);
    expect(feature.counts).toEqual(d.referenceCounts);
    expect(d.currentCounts.at(-1)).toBeGreaterThan(0);
    expect(Math.abs(psi(feature.counts, d.currentCounts) - d.expected.psi)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(jensenShannon(feature.counts, d.currentCounts) - d.expected.js)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(hellinger(feature.counts, d.currentCounts) - d.expected.hellinger)).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('binned statistics edge cases', () => {
  it('identical distributions score 0, disjoint ones 1 for JS and Hellinger', () => {
    expect(psi([1, 2, 3], [2, 4, 6])).toBe(0);
    expect(jensenShannon([1, 2, 3], [2, 4, 6])).toBe(0);
    expect(hellinger([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 15);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(1, 12);
    expect(hellinger([1, 0], [0, 1])).toBeCloseTo(1, 12);
  });

  it('returns NaN when a side is empty or the bins differ', () => {
    expect(psi([0, 0], [1, 1])).toBeNaN();
    expect(jensenShannon([1, 1], [0, 0])).toBeNaN();
    expect(hellinger([1], [1, 1])).toBeNaN();
  });
});
