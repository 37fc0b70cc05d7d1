// KS and Wasserstein from quantile sketches: equal to scipy (1e-9) with uncompacted sketches,
// within the stated bound with compacted ones, and by hand on small samples.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NUMERIC } from '../../test/datasets.js';
import { random } from '../../test/random.js';
import { QuantileSketch } from './quantile-sketch.js';
import { ksStatistic, sketchDistances, sketchErrorBounds, wasserstein } from './sketch-stats.js';

const TOLERANCE = 1e-9;

function sketchOf(values: readonly number[], k: number): QuantileSketch {
  const s = new QuantileSketch(k);
  for (const v of values) s.add(v);
  return s;
}

describe.each(NUMERIC)('numeric dataset $name', (d) => {
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

describe('sketchDistances', () => {
  it.each([64, 1024])(
    'equals KS and Wasserstein by definition, from each sketch cdf() at every stored value (k = %i)',
    (k) => {
      for (const d of NUMERIC) {
        const a = sketchOf(d.reference, k);
        const b = sketchOf(d.current, k);
        const xs = [...new Set([...a.sorted().values, ...b.sorted().values])].sort((x, y) => x - y);
        let ks = 0;
        let w = 0;
        for (let i = 0; i < xs.length; i++) {
          const diff = Math.abs(a.cdf(xs[i]!) - b.cdf(xs[i]!));
          ks = Math.max(ks, diff);
          if (i + 1 < xs.length) w += diff * (xs[i + 1]! - xs[i]!);
        }
        const got = sketchDistances(a, b);
        expect(got.ks).toBeCloseTo(ks, 12);
        expect(Math.abs(got.wasserstein - w)).toBeLessThanOrEqual(1e-12 * Math.max(1, w));
        expect([ksStatistic(a, b), wasserstein(a, b)]).toEqual([got.ks, got.wasserstein]);
      }
    },
  );

  it('is NaN for an empty sketch', () => {
    expect(sketchDistances(new QuantileSketch(16), sketchOf([1], 16))).toEqual({
      ks: Number.NaN,
      wasserstein: Number.NaN,
    });
  });
});

describe('by hand', () => {
  it('{1, 2, 3} against {2, 3, 4}: KS 1/3, Wasserstein 1 (a shift by 1)', () => {
    const a = sketchOf([3, 1, 2], 16);
    const b = sketchOf([2, 4, 3], 16);
    expect(ksStatistic(a, b)).toBeCloseTo(1 / 3, 15);
    expect(wasserstein(a, b)).toBeCloseTo(1, 15);
    expect(ksStatistic(b, a)).toBe(ksStatistic(a, b));
  });

  it('identical samples score 0, disjoint ones KS 1 and Wasserstein the distance between them', () => {
    expect(ksStatistic(sketchOf([1, 2], 16), sketchOf([2, 1], 16))).toBe(0);
    expect(wasserstein(sketchOf([1, 2], 16), sketchOf([2, 1], 16))).toBe(0);
    expect(ksStatistic(sketchOf([0, 0], 16), sketchOf([10], 16))).toBe(1);
    expect(wasserstein(sketchOf([0, 0], 16), sketchOf([10], 16))).toBe(10);
  });

  it('returns NaN when either sketch is empty', () => {
    expect(ksStatistic(new QuantileSketch(16), sketchOf([1], 16))).toBeNaN();
    expect(wasserstein(sketchOf([1], 16), new QuantileSketch(16))).toBeNaN();
  });

  it('sketchErrorBounds: 0 for exact sketches, (eps_a + eps_b) x range for compacted ones', () => {
    expect(sketchErrorBounds(sketchOf([1, 5], 16), sketchOf([3], 16))).toEqual({ ks: 0, wasserstein: 0 });
    const a = sketchOf(
      Array.from({ length: 100 }, (_, i) => i),
      8,
    );
    const b = sketchOf([-50, 200], 8);
    const eps = a.epsilon() + b.epsilon();
    expect(eps).toBeGreaterThan(0);
    expect(sketchErrorBounds(a, b)).toEqual({ ks: eps, wasserstein: eps * 250 });
    // Two empty sketches have no range: the Wasserstein bound is 0, not NaN.
    expect(sketchErrorBounds(new QuantileSketch(8), new QuantileSketch(8))).toEqual({ ks: 0, wasserstein: 0 });
  });
});

describe('results pinned across speed-ups', () => {
  it('compacted sketches and their KS and Wasserstein are bit for bit those of the quicksort version (2026-11-29)', () => {
    const next = random(2026);
    const x = new QuantileSketch(64);
    const y = new QuantileSketch(64);
    for (let i = 0; i < 20_000; i++) x.add(Math.exp(2 * next()) - 3);
    for (let i = 0; i < 7000; i++) y.add(next() * 5 - 2);
    const digest = (s: QuantileSketch) => createHash('sha256').update(JSON.stringify(s.toJSON())).digest('hex');
    expect([digest(x), digest(y)]).toEqual([
      'e9431f4c32c73fac6e8b0d537604ece3f23b0d28598e7fb757d53ca9dd12e261',
      'a5ae6287e87b68311a641d55fbb18393baa78c6e42fa843dcf60d2ce0dcc2301',
    ]);
    expect(sketchDistances(x, y)).toEqual({ ks: 0.1850571428571428, wasserstein: 0.5408242512212308 });
  });
});
