// Bin edges and bin indices: by hand at every boundary, and against numpy.quantile and
// numpy.histogram on the datasets of test/expected/generate.py.
import { describe, expect, it } from 'vitest';
import { EXPECTED, NUMERIC } from '../../test/datasets.js';
import { binCount, binIndex, edgesFromQuantiles, quantileLinear } from './bins.js';

describe('binCount', () => {
  it('is the inner bins (at least one) plus underflow and overflow', () => {
    expect([1, 2, 3, 11].map(binCount)).toEqual([3, 3, 4, 12]);
  });
});

describe('binIndex', () => {
  const edges = Float64Array.from([0, 1, 2]);
  it('puts x < e0 in underflow, [e_i, e_i+1) in bin i+1, the last edge in the last inner bin, x > e_m in overflow', () => {
    expect([-1, 0, 0.5, 1, 1.999, 2, 2.001].map((x) => binIndex(edges, x))).toEqual([0, 1, 1, 2, 2, 2, 3]);
  });

  it('with a single edge, has one inner bin holding exactly that value', () => {
    const one = Float64Array.from([5]);
    expect([4.9, 5, 5.1].map((x) => binIndex(one, x))).toEqual([0, 1, 2]);
  });
});

describe('quantileLinear', () => {
  it('interpolates linearly between order statistics (numpy "linear")', () => {
    const sorted = [1, 2, 4, 8];
    expect([0, 1 / 3, 0.5, 0.75, 1].map((q) => quantileLinear(sorted, q))).toEqual([1, 2, 3, 5, 8]);
    expect(quantileLinear([7], 0.3)).toBe(7);
  });
});

describe('edgesFromQuantiles', () => {
  it('takes quantiles k/bins and drops repeated edges', () => {
    const sorted = [0, 0, 0, 0, 1, 2, 3, 4, 5];
    expect(edgesFromQuantiles(4, (q) => quantileLinear(sorted, q))).toEqual([0, 1, 3, 5]);
    expect(edgesFromQuantiles(10, () => 3)).toEqual([3]);
  });
});

describe.each(NUMERIC)('numeric dataset $name', (d) => {
  it('edges equal numpy.quantile to 1e-9 and binIndex counts equal numpy.histogram', () => {
    const sorted = Float64Array.from(d.reference).sort();
    const edges = edgesFromQuantiles(EXPECTED.bins, (q) => quantileLinear(sorted, q));
    expect(edges).toHaveLength(d.edges.length);
    for (const [i, e] of edges.entries()) expect(Math.abs(e - d.edges[i]!)).toBeLessThanOrEqual(1e-9);
    const typed = Float64Array.from(edges);
    const count = (values: readonly number[]) => {
      const counts = new Array<number>(binCount(edges.length)).fill(0);
      for (const x of values) counts[binIndex(typed, x)]!++;
      return counts;
    };
    expect(count(d.reference)).toEqual(d.referenceCounts);
    expect(count(d.current)).toEqual(d.currentCounts);
  });
});
