import { describe, expect, it } from 'vitest';
import { CATEGORICAL, EXPECTED, NUMERIC, rows } from '../../test/datasets.js';
import { binIndex } from '../stats/bins.js';
import { QuantileSketch } from '../stats/quantile-sketch.js';
import { buildProfile, ProfileBuilder, toNumber } from './builder.js';
import { MAX_NAME_LENGTH, MAX_PROFILE_CATEGORIES, parseProfile } from './parse.js';

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

describe('toNumber', () => {
  it('reads decimal and exponent forms only (not hex, binary, octal, Infinity or NaN)', () => {
    for (const [text, value] of [
      ['16', 16],
      [' -2.5 ', -2.5],
      ['+.5', 0.5],
      ['3.', 3],
      ['1e3', 1000],
      ['1.5E-2', 0.015],
      ['007', 7],
    ] as const)
      expect(toNumber(text)).toBe(value);
    for (const text of [
      '0x10',
      '0b1',
      '0o7',
      'Infinity',
      '-Infinity',
      'NaN',
      '1_000',
      '1e',
      '.',
      '',
      ' ',
      '1,5',
      '--1',
      'e3',
    ])
      expect(toNumber(text)).toBeNaN();
    expect(toNumber(12)).toBe(12);
    expect(toNumber(null)).toBeNaN();
    expect(toNumber(true)).toBeNaN();
  });

  it('takes linear time on a long run of digits', () => {
    expect(toNumber(`${'1'.repeat(1_000_000)}x`)).toBeNaN();
  });
});

describe('ProfileBuilder writes only what parseProfile reads back', () => {
  it('counts a category longer than MAX_NAME_LENGTH as "other", as the comparer will', () => {
    const long = (i: number) => `${'c'.repeat(MAX_NAME_LENGTH)}${i}`;
    const data = [{ c: 'a' }, { c: long(1) }, { c: long(2) }, { c: long(1) }, { c: 'c'.repeat(MAX_NAME_LENGTH) }];
    const profile = buildProfile(data, { categorical: ['c'] });
    expect(profile.features[0]).toMatchObject({
      count: 5,
      categories: ['a', 'c'.repeat(MAX_NAME_LENGTH)],
      counts: [1, 1, 3],
    });
    expect(parseProfile(JSON.stringify(profile)).ok).toBe(true);
  });

  it('keeps at most MAX_PROFILE_CATEGORIES categories and 1000 bins, whatever the options say', () => {
    const data = Array.from({ length: 1500 }, (_, i) => ({ c: `v${i}`, x: i }));
    const profile = buildProfile(data, { categorical: ['c'], numeric: ['x'], maxCategories: 5000, bins: 5000 });
    const [x, c] = profile.features;
    expect(c!.type === 'categorical' && c!.categories.length).toBe(MAX_PROFILE_CATEGORIES);
    expect(x!.type === 'numeric' && x!.edges.length).toBe(1001);
    expect(parseProfile(JSON.stringify(profile)).ok).toBe(true);
    const fallback = buildProfile(data.slice(0, 20), { numeric: ['x'], bins: Number.NaN });
    expect(fallback.features[0]!.type === 'numeric' && fallback.features[0]!.edges.length).toBe(11);
  });

  it('refuses, naming the option, a feature name a profile cannot hold', () => {
    expect(() => new ProfileBuilder({ numeric: ['n'.repeat(MAX_NAME_LENGTH + 1)] })).toThrow(
      /numeric: the column name "n{20}… \(129 characters\)" is longer than 128 characters/,
    );
    expect(() => new ProfileBuilder({ categorical: [''] })).toThrow(/categorical: a column name is empty/);
    expect(() => new ProfileBuilder({ numeric: ['a'], categorical: ['a'] })).toThrow(/column "a" is given twice/);
    expect(() => new ProfileBuilder({ prediction: 'p'.repeat(200) })).toThrow(/^ProfileBuilder prediction:/);
    expect(() => new ProfileBuilder({ numeric: ['a'], confidence: 'a', prediction: 'a' })).not.toThrow();
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
