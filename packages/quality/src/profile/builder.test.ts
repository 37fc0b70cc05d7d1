import { describe, expect, it } from 'vitest';
import { CATEGORICAL, EXPECTED, NUMERIC, rows } from '../../test/datasets.js';
import { binIndex } from '../stats/bins.js';
import { QuantileSketch } from '../stats/quantile-sketch.js';
import { buildProfile, ProfileBuilder } from './builder.js';
import { parseProfile } from './parse.js';

describe('ProfileBuilder (streaming, sketch edges)', () => {
  it.each(NUMERIC.map((d) => [d.name, d] as const))(
    '%s: every edge sits at its quantile within the sketch error, counts are exact',
    (_name, d) => {
      const builder = new ProfileBuilder({ numeric: ['x'], bins: 10, sketchK: 64 });
      const data = rows(d.reference);
      for (const row of data) builder.add(row);
      builder.endPass1();
      for (const row of data) builder.count(row);
      const profile = builder.finish(new Date(0));
      expect(parseProfile(JSON.parse(JSON.stringify(profile)))).toEqual({
        ok: true,
        profile: JSON.parse(JSON.stringify(profile)),
      });
      const f = profile.features[0]!;
      if (f.type !== 'numeric') throw new Error('numeric expected');
      const eps = QuantileSketch.fromJSON(f.sketch)!.epsilon();
      expect(eps).toBeGreaterThan(0);
      const sorted = [...d.reference].sort((a, b) => a - b);
      const n = sorted.length;
      const rank = (x: number) => sorted.filter((v) => v <= x).length / n;
      const below = (x: number) => sorted.filter((v) => v < x).length / n;
      for (const e of f.edges) {
        // Some k/10 has this edge as its sketch quantile: the true CDF brackets it within eps.
        const hit = Array.from({ length: 11 }, (_, k) => k / 10).some(
          (q) => below(e) <= q + eps + 1 / n && rank(e) >= q - eps - 1 / n,
        );
        expect(hit).toBe(true);
      }
      expect(f.counts.reduce((a, b) => a + b, 0)).toBe(n);
      expect(f.edges[0]).toBe(sorted[0]);
      expect(f.edges.at(-1)).toBe(sorted[n - 1]);
    },
  );

  it('counts invalid values and bounds the categories it keeps', () => {
    const builder = new ProfileBuilder({ numeric: ['x'], categorical: ['c'], maxCategories: 2 });
    const data = [
      { x: 1, c: 'a' },
      { x: 'nope', c: 'a' },
      { x: Number.NaN, c: 'b' },
      { x: '2.5', c: 'c' },
      { c: 'a' },
      { x: 3, c: null },
    ];
    for (const r of data) builder.add(r);
    builder.endPass1();
    for (const r of data) builder.count(r);
    const [x, c] = builder.finish().features;
    expect(x).toMatchObject({ count: 3, invalid: 3, edges: [1, 2.5, 3] });
    expect(c).toMatchObject({ count: 5, invalid: 1, categories: ['a', 'b'], counts: [3, 1, 1] });
  });
});

describe.each(NUMERIC)('buildProfile on numeric dataset $name', (d) => {
  const profile = buildProfile(rows(d.reference), { numeric: ['x'], bins: EXPECTED.bins });
  const feature = profile.features[0]!;

  it('has numpy.quantile bin edges and numpy.histogram counts', () => {
    expect(feature.type).toBe('numeric');
    if (feature.type !== 'numeric') return;
    expect(feature.edges).toHaveLength(d.edges.length);
    for (const [i, e] of feature.edges.entries()) expect(Math.abs(e - d.edges[i]!)).toBeLessThanOrEqual(1e-9);
    expect(feature.counts).toEqual(d.referenceCounts);
    const edges = Float64Array.from(feature.edges);
    const current = new Array<number>(feature.counts.length).fill(0);
    for (const x of d.current) current[binIndex(edges, x)]!++;
    expect(current).toEqual(d.currentCounts);
  });
});

describe.each(CATEGORICAL)('buildProfile on categorical dataset $name', (d) => {
  it('keeps the categories by frequency and counts the new one as "other", as numpy/scipy', () => {
    const profile = buildProfile(rows(d.reference, 'c'), { categorical: ['c'] });
    const feature = profile.features[0]!;
    expect(feature.type).toBe('categorical');
    if (feature.type !== 'categorical') return;
    expect(feature.categories).toEqual(d.categories);
    expect(feature.counts).toEqual(d.referenceCounts);
    expect(d.currentCounts.at(-1)).toBeGreaterThan(0);
  });
});
