import { describe, expect, it } from 'vitest';
import { random } from '../../test/random.js';
import { QuantileSketch } from './quantile-sketch.js';

describe('QuantileSketch', () => {
  it('is exact until it holds k values', () => {
    const s = new QuantileSketch(16);
    for (const v of [5, 1, 3, 3, 9]) s.add(v);
    expect(s.epsilon()).toBe(0);
    expect(s.cdf(3)).toBe(0.6);
    expect(s.cdf(0)).toBe(0);
    expect(s.cdf(9)).toBe(1);
    expect(s.quantile(0.5)).toBe(3);
    expect([s.min, s.max, s.n]).toEqual([1, 9, 5]);
  });

  // CPU-bound, seconds on a loaded machine: a longer bound than the unit default of 5 s.
  it('keeps its stored size under the stated bound over 3 million values, with every rank within the bound', {
    timeout: 30_000,
  }, () => {
    const k = 256;
    const s = new QuantileSketch(k);
    const next = random(7);
    const n = 3_000_000;
    const values = new Float64Array(n);
    let maxStored = 0;
    for (let i = 0; i < n; i++) {
      // A shifting, heavy-tailed stream: not sorted, not stationary.
      const v = (next() - 0.5) / (next() + 1e-3) + i / n;
      values[i] = v;
      s.add(v);
      if ((i & 0xffff) === 0) maxStored = Math.max(maxStored, s.storedValues());
    }
    maxStored = Math.max(maxStored, s.storedValues());
    expect(maxStored).toBeLessThanOrEqual(QuantileSketch.storedBound(k, n));
    expect(QuantileSketch.storedBound(k, n)).toBe(256 * 15);
    // The per-instance bound, and the a-priori one: levels that compacted over k.
    const eps = s.epsilon();
    expect(eps).toBeGreaterThan(0);
    expect(eps).toBeLessThanOrEqual((Math.floor(Math.log2(n / k)) + 1) / k);
    values.sort();
    let worst = 0;
    for (let q = 0.01; q < 1; q += 0.01) {
      const x = values[Math.floor(q * n)]!;
      // True rank of x: values <= x.
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (values[mid]! <= x) lo = mid + 1;
        else hi = mid;
      }
      worst = Math.max(worst, Math.abs(s.cdf(x) - lo / n));
    }
    expect(worst).toBeLessThanOrEqual(eps);
    expect(s.min).toBe(values[0]);
    expect(s.max).toBe(values[n - 1]);
  });

  it('round-trips through JSON and refuses corrupted JSON', () => {
    const s = new QuantileSketch(8);
    for (let i = 0; i < 100; i++) s.add((i * 37) % 101);
    const json = JSON.parse(JSON.stringify(s.toJSON()));
    const back = QuantileSketch.fromJSON(json)!;
    expect(back).toBeDefined();
    expect([back.n, back.min, back.max, back.rankErrorBound()]).toEqual([s.n, s.min, s.max, s.rankErrorBound()]);
    for (const x of [0, 10, 50, 99]) expect(back.cdf(x)).toBe(s.cdf(x));
    const frozen = QuantileSketch.fromJSON(json, true)!;
    frozen.add(1000);
    expect([frozen.n, frozen.max, frozen.storedValues()]).toEqual([s.n, s.max, s.storedValues()]);
    for (const x of [0, 10, 50, 99]) expect(frozen.cdf(x)).toBe(s.cdf(x));
    expect(QuantileSketch.fromJSON({ ...json, n: json.n + 1 })).toBeUndefined();
    expect(QuantileSketch.fromJSON({ ...json, k: 7 })).toBeUndefined();
    expect(QuantileSketch.fromJSON({ ...json, levels: [[Number.NaN]] })).toBeUndefined();
    expect(QuantileSketch.fromJSON({ ...json, levels: 'x' })).toBeUndefined();
    expect(QuantileSketch.fromJSON(null)).toBeUndefined();
  });

  it('reset empties it', () => {
    const s = new QuantileSketch(4);
    for (let i = 0; i < 50; i++) s.add(i);
    s.reset();
    expect([s.n, s.storedValues(), s.epsilon()]).toEqual([0, 0, 0]);
    expect(s.cdf(1)).toBeNaN();
    s.add(2);
    expect(s.quantile(0.5)).toBe(2);
  });
});

it('sorted() of a sketch larger than the kept merge buffers, then of a small one, is exact', () => {
  const next = random(11);
  const big = new QuantileSketch(1 << 18);
  const values = Array.from({ length: 100_000 }, () => next());
  for (const v of values) big.add(v);
  const sorted = [...values].sort((x, y) => x - y);
  expect(Array.from(big.sorted().values)).toEqual(sorted);
  expect(big.cdf(sorted[49_999]!)).toBe(0.5);
  const small = new QuantileSketch(16);
  for (const v of [3, 1, 2]) small.add(v);
  expect(Array.from(small.sorted().values)).toEqual([1, 2, 3]);
  expect(Array.from(small.sorted().cumulative)).toEqual([1, 2, 3]);
});
