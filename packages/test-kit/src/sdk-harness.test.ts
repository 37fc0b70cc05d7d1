import { diag } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { sdkHarness } from './sdk-harness.js';

const { sdkProvider, captureDiag, sortByAttributes } = sdkHarness(['b']);

afterEach(() => {
  diag.disable();
});

describe('sdkHarness', () => {
  it('collects sums and histograms from a real provider, sorted by the given attribute order', async () => {
    const sdk = sdkProvider();
    const meter = sdk.provider.getMeter('test');
    const counter = meter.createCounter('c');
    counter.add(2, { b: 'y', a: '1' });
    counter.add(3, { b: 'x', a: '2' });
    meter.createHistogram('h', { advice: { explicitBucketBoundaries: [1, 10] } }).record(5, { b: 'x' });
    const c = await sdk.collect();
    expect(c.points('c')).toEqual([
      { attributes: { b: 'x', a: '2' }, value: 3 },
      { attributes: { b: 'y', a: '1' }, value: 2 },
    ]);
    expect(c.histograms('h')).toEqual([
      { attributes: { b: 'x' }, count: 1, sum: 5, min: 5, max: 5, boundaries: [1, 10], counts: [0, 1, 0] },
    ]);
    expect(c.points('absent')).toEqual([]);
    expect(() => c.histograms('c')).toThrow('c is not a histogram');
  });

  it('sorts absent attributes first', () => {
    expect(sortByAttributes([{ attributes: { b: 'z' } }, { attributes: {} }])).toEqual([
      { attributes: {} },
      { attributes: { b: 'z' } },
    ]);
  });

  it('captures diag warnings and errors', () => {
    const captured = captureDiag();
    diag.warn('careful');
    diag.error('broken');
    diag.info('ignored');
    expect(captured).toEqual({ warnings: ['careful'], errors: ['broken'] });
  });
});
