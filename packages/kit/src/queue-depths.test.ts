import { metrics } from '@opentelemetry/api';
import { sdkHarness } from '@mltel/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { announceProviderChange } from './provider-change.js';
import { MAX_QUEUES, QueueDepths, queueDepths } from './queue-depths.js';

const { sdkProvider, captureDiag } = sdkHarness(['ml.queue.name']);

afterEach(() => {
  metrics.disable();
});

describe('QueueDepths', () => {
  it('reports every observed queue once as ml.queue.size', async () => {
    const sdk = sdkProvider();
    const depths = new QueueDepths(sdk.provider);
    let jobs = 3;
    depths.observe('jobs', () => jobs);
    depths.observe('gpu', () => 7);
    jobs = 4;
    const c = await sdk.collect();
    expect(c.points('ml.queue.size').map((p) => [p.attributes['ml.queue.name'], p.value])).toEqual([
      ['gpu', 7],
      ['jobs', 4],
    ]);
  });

  it('a second reader of the same queue replaces the first; stopping a replaced reader does nothing', async () => {
    const sdk = sdkProvider();
    const depths = new QueueDepths(sdk.provider);
    const stopFirst = depths.observe('jobs', () => 1);
    depths.observe('jobs', () => 2);
    stopFirst();
    const c = await sdk.collect();
    expect(c.points('ml.queue.size').map((p) => p.value)).toEqual([2]);
  });

  it('skips a reader that throws or returns a bad number, with one warning each', async () => {
    const diag = captureDiag();
    const sdk = sdkProvider();
    const depths = new QueueDepths(sdk.provider);
    depths.observe('throws', () => {
      throw new Error('no');
    });
    depths.observe('nan', () => Number.NaN);
    depths.observe('ok', () => 1);
    await sdk.collect();
    const c = await sdk.collect();
    expect(c.points('ml.queue.size').map((p) => p.attributes['ml.queue.name'])).toEqual(['ok']);
    expect(diag.warnings).toHaveLength(2);
  });

  it(`caps queue names at ${MAX_QUEUES}, the rest as _OTHER`, async () => {
    const sdk = sdkProvider();
    const depths = new QueueDepths(sdk.provider);
    for (let i = 0; i < MAX_QUEUES + 10; i++) depths.observe(`q${i}`, () => i);
    const names = (await sdk.collect()).points('ml.queue.size').map((p) => p.attributes['ml.queue.name']);
    expect(names).toHaveLength(MAX_QUEUES + 1);
    expect(names).toContain('_OTHER');
  });

  it('queueDepths(): one registry per provider and one for the global provider, which it follows', async () => {
    const sdk = sdkProvider();
    expect(queueDepths(sdk.provider)).toBe(queueDepths(sdk.provider));
    expect(queueDepths()).toBe(queueDepths());
    expect(queueDepths()).not.toBe(queueDepths(sdk.provider));
    const stop = queueDepths().observe('global-queue', () => 9);
    const later = sdkProvider();
    metrics.setGlobalMeterProvider(later.provider);
    announceProviderChange();
    const c = await later.collect();
    expect(c.points('ml.queue.size').map((p) => [p.attributes['ml.queue.name'], p.value])).toEqual([
      ['global-queue', 9],
    ]);
    stop();
    expect(queueDepths().queues()).toEqual([]);
  });
});
