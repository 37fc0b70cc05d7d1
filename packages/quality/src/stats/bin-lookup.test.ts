import { describe, expect, it } from 'vitest';
import { random } from '../../test/random.js';
import { BinLookup } from './bin-lookup.js';
import { binIndex } from './bins.js';

const next = random(5);
const sortedUnique = (values: number[]) => Float64Array.from([...new Set(values)].sort((a, b) => a - b));
/** The doubles next to x on both sides. */
function neighbours(x: number): number[] {
  const buffer = new DataView(new ArrayBuffer(8));
  buffer.setFloat64(0, x);
  const bits = buffer.getBigInt64(0);
  return [-1n, 1n].map((d) => {
    buffer.setBigInt64(0, bits + (x >= 0 ? d : -d));
    return buffer.getFloat64(0);
  });
}

const EDGE_SETS: Record<string, Float64Array> = {
  'one edge': Float64Array.from([5]),
  'two edges': Float64Array.from([0, 1]),
  'eleven quantile-like edges': sortedUnique(Array.from({ length: 11 }, () => next() * 4 - 2)),
  'edges crowded into one cell, then one far away': sortedUnique([
    ...Array.from({ length: 30 }, (_, i) => 1 + i * 1e-9),
    1000,
  ]),
  'a range wider than the doubles': Float64Array.from([-1.7e308, 0, 1.7e308]),
  'a range of a few ulps': Float64Array.from([1, 1 + Number.EPSILON, 1 + 2 * Number.EPSILON]),
  'subnormal steps': Float64Array.from([0, 5e-324, 1e-323]),
  '300 log-spaced edges': sortedUnique(Array.from({ length: 300 }, (_, i) => 10 ** (i / 10 - 15))),
};

describe('BinLookup', () => {
  it.each(Object.keys(EDGE_SETS))('answers exactly as binIndex: %s', (name) => {
    const edges = EDGE_SETS[name]!;
    const lookup = new BinLookup(edges);
    const lo = edges[0]!;
    const hi = edges[edges.length - 1]!;
    const span = Number.isFinite(hi - lo) ? hi - lo : 1;
    const queries = [
      ...Array.from(edges).flatMap((e) => [e, ...neighbours(e)]),
      ...Array.from({ length: 5000 }, () => lo + (next() * 1.2 - 0.1) * span),
      -Number.MAX_VALUE,
      Number.MAX_VALUE,
      0,
      -0,
    ].filter(Number.isFinite);
    const got = queries.map((x) => lookup.index(x));
    const want = queries.map((x) => binIndex(edges, x));
    expect(got).toEqual(want);
  });
});
