// PSI, Jensen-Shannon and Hellinger against numpy/scipy on the datasets of
// test/expected/generate.py (to 1e-9), and by hand on small cases.
import { describe, expect, it } from 'vitest';
import { CATEGORICAL, EXPECTED, NUMERIC } from '../../test/datasets.js';
import { hellinger, jensenShannon, PSI_EPSILON, psi } from './binned.js';

const TOLERANCE = 1e-9;

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
  it('PSI, Jensen-Shannon and Hellinger agree with numpy/scipy to 1e-9', () => {
    expect(Math.abs(psi(d.referenceCounts, d.currentCounts) - d.expected.psi)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(jensenShannon(d.referenceCounts, d.currentCounts) - d.expected.js)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(hellinger(d.referenceCounts, d.currentCounts) - d.expected.hellinger)).toBeLessThanOrEqual(
      TOLERANCE,
    );
  });
});

describe.each(CATEGORICAL)('categorical dataset $name', (d) => {
  it('with a new category in the "other" bin, agrees with numpy/scipy to 1e-9', () => {
    expect(d.currentCounts.at(-1)).toBeGreaterThan(0);
    expect(Math.abs(psi(d.referenceCounts, d.currentCounts) - d.expected.psi)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(jensenShannon(d.referenceCounts, d.currentCounts) - d.expected.js)).toBeLessThanOrEqual(TOLERANCE);
    expect(Math.abs(hellinger(d.referenceCounts, d.currentCounts) - d.expected.hellinger)).toBeLessThanOrEqual(
      TOLERANCE,
    );
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

describe('by hand', () => {
  it('PSI of 40/60 against 50/50 is 0.1 ln 1.5 (natural log, symmetric terms)', () => {
    expect(psi([50, 50], [40, 60])).toBeCloseTo(0.1 * Math.log(1.5), 15);
    expect(psi([40, 60], [50, 50])).toBeCloseTo(psi([50, 50], [40, 60]), 15);
  });

  it('PSI floors an empty bin at 1e-4, so it is large but finite', () => {
    const expected = (1 - PSI_EPSILON) * Math.log(1 / PSI_EPSILON) + (PSI_EPSILON - 1) * Math.log(PSI_EPSILON / 1);
    expect(psi([1, 0], [0, 1])).toBeCloseTo(expected, 12);
    expect(Number.isFinite(psi([1, 0], [0, 1]))).toBe(true);
  });

  it('Hellinger of 1/0 against 1/2 / 1/2 is sqrt(1 - 1/sqrt(2))', () => {
    expect(hellinger([1, 0], [1, 1])).toBeCloseTo(Math.sqrt(1 - Math.SQRT1_2), 15);
  });

  it('Jensen-Shannon of 1/0 against 1/2 / 1/2 matches its base-2 definition', () => {
    // m = (3/4, 1/4): KL(p||m) = log2(4/3), KL(q||m) = 1/2 log2(2/3) + 1/2 log2(2).
    const divergence = (Math.log2(4 / 3) + 0.5 * Math.log2(2 / 3) + 0.5) / 2;
    expect(jensenShannon([1, 0], [1, 1])).toBeCloseTo(Math.sqrt(divergence), 15);
  });
});
