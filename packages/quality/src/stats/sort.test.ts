import { describe, expect, it } from 'vitest';
import { random } from '../../test/random.js';
import { sortFloat64, sortInto, sortValues } from './sort.js';

const next = random(3);
const normal = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
/** Distributions that exercise each path: smooth, heavy tails, few values, one value, extremes. */
const MAKERS: Record<string, () => number> = {
  uniform: () => next(),
  normal,
  'log-normal': () => Math.exp(3 * normal()),
  cauchy: () => Math.tan(Math.PI * (next() - 0.5)),
  'four values': () => Math.floor(next() * 4),
  constant: () => 1,
  'one outlier per 100': () => (next() < 0.01 ? 1e300 : next()),
  'beyond the double range when subtracted': () => (next() < 0.5 ? -1.7e308 : 1.7e308 * next()),
  'log-uniform over 300 decades (three bucket levels, then quicksort)': () => 10 ** (300 * next() - 150),
  'tiny steps': () => 1 + Math.floor(next() * 8) * Number.EPSILON,
};

const numeric = (values: Float64Array) => Array.from(values).sort((x, y) => x - y);

describe.each([
  ['sortValues', sortValues],
  ['sortFloat64', sortFloat64],
] as const)('%s', (_name, sort) => {
  it.each(Object.keys(MAKERS))('sorts like a numeric sort: %s', (kind) => {
    for (const n of [0, 1, 2, 17, 33, 100, 1024, 5000]) {
      const a = Float64Array.from({ length: n }, MAKERS[kind]!);
      const expected = numeric(a);
      sort(a, 0, n - 1);
      expect(Array.from(a)).toEqual(expected);
    }
  });

  it('sorts only the range asked, sorted runs included', () => {
    const runs = Float64Array.from([
      ...Array.from({ length: 600 }, (_, i) => i),
      ...Array.from({ length: 600 }, (_, i) => i + 0.5),
    ]);
    sort(runs, 0, runs.length - 1);
    expect(Array.from(runs)).toEqual(numeric(runs));
    const a = Float64Array.from({ length: 3000 }, normal);
    const before = Array.from(a);
    sort(a, 1000, 2499);
    expect(Array.from(a.subarray(0, 1000))).toEqual(before.slice(0, 1000));
    expect(Array.from(a.subarray(2500))).toEqual(before.slice(2500));
    expect(Array.from(a.subarray(1000, 2500))).toEqual(before.slice(1000, 2500).sort((x, y) => x - y));
  });
});

it('sortValues sorts more values than its pooled scratch holds, and again after', () => {
  for (const n of [70_000, 1024]) {
    const a = Float64Array.from({ length: n }, normal);
    const expected = numeric(a);
    sortValues(a, 0, n - 1);
    expect(Array.from(a)).toEqual(expected);
  }
});

describe('sortInto', () => {
  const range = (a: Float64Array): [number, number] => [Math.min(...a), Math.max(...a)];
  /** Bucket bounds the sketch may pass: exact, none, narrower, wider or off to one side of the values. */
  const BOUNDS: Record<string, (a: Float64Array) => [number, number]> = {
    exact: range,
    none: () => [Number.NaN, Number.NaN],
    'equal (an earlier constant buffer)': () => [1, 1],
    narrower: (a) => {
      const [lo, hi] = range(a);
      return [lo + (hi - lo) / 3, hi - (hi - lo) / 3];
    },
    wider: (a) => {
      const [lo, hi] = range(a);
      return [lo - 10 * (hi - lo + 1), hi + 10 * (hi - lo + 1)];
    },
    'above every value': (a) => {
      const [, hi] = range(a);
      return [hi + 1, hi + 2];
    },
    'beyond the double range': () => [-1.7e308, 1.7e308],
  };

  it.each(Object.keys(MAKERS))('sorts into dst like a numeric sort, any bounds, src unchanged: %s', (kind) => {
    for (const n of [0, 1, 2, 17, 33, 100, 1024, 5000]) {
      const src = Float64Array.from({ length: n }, MAKERS[kind]!);
      const before = Array.from(src);
      const expected = numeric(src);
      for (const [name, bounds] of Object.entries(BOUNDS)) {
        const dst = new Float64Array(n + 1).fill(-7);
        const [low, high] = n === 0 ? [0, 1] : bounds(src);
        sortInto(src, n, dst, low, high);
        expect(Array.from(dst.subarray(0, n)), name).toEqual(expected);
        expect(dst[n], name).toBe(-7);
        expect(Array.from(src), name).toEqual(before);
      }
    }
  });
});
