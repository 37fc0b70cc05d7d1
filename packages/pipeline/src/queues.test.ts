import { describe, expect, it } from 'vitest';
import { WarnOnce } from '@mltel/kit';
import { captureDiag, setup } from '../test/harness.js';
import { createPipelineMeter } from './pipeline-meter.js';
import { observeQueue, readerOf } from './queues.js';

const QUEUE = 'ml.queue.size';

describe('observeQueue', () => {
  it('observes queue depth from a function, an array or a Map, and stops', async () => {
    const { meter, collect } = setup();
    const list = [1, 2, 3];
    let depth = 5;
    meter.observeQueue('tokenizer', () => depth);
    const stop = meter.observeQueue('model', list);
    meter.observeQueue('broken', () => {
      throw new Error('boom');
    });
    let points = (await collect()).points(QUEUE).map((p) => [p.attributes['ml.queue.name'], p.value]);
    expect(points).toEqual([
      ['model', 3],
      ['tokenizer', 5],
    ]);
    depth = 1;
    stop();
    list.push(4);
    points = (await collect()).points(QUEUE).map((p) => [p.attributes['ml.queue.name'], p.value]);
    // The stopped queue is no longer read (the SDK may repeat its last value; it does not move).
    expect(points).toContainEqual(['tokenizer', 1]);
    expect(points).not.toContainEqual(['model', 4]);
  });

  it('reads a Map and a Set by their size at each collection', async () => {
    const { meter, collect } = setup();
    const pending = new Map([['a', 1]]);
    const seen = new Set([1, 2]);
    meter.observeQueue('pending', pending);
    meter.observeQueue('seen', seen);
    pending.set('b', 2).set('c', 3);
    seen.delete(1);
    const points = (await collect()).points(QUEUE).map((p) => [p.attributes['ml.queue.name'], p.value]);
    expect(points).toEqual([
      ['pending', 3],
      ['seen', 1],
    ]);
  });

  it('reports through the one queue-depth registry of the provider: one gauge for every meter', async () => {
    const sdk = setup();
    const other = createPipelineMeter({ pipelineName: 'embed', meterProvider: sdk.provider });
    sdk.meter.observeQueue('model', () => 4);
    other.observeQueue('tokenizer', () => 2);
    // A later reader of the same queue replaces the earlier one, whichever meter registered it.
    other.observeQueue('model', () => 9);
    const { resourceMetrics } = await sdk.reader.collect();
    const scopes = resourceMetrics.scopeMetrics.filter((s) => s.metrics.some((m) => m.descriptor.name === QUEUE));
    expect(scopes.map((s) => s.scope.name)).toEqual(['@mltel/kit/queues']);
    const points = (await sdk.collect()).points(QUEUE).map((p) => [p.attributes['ml.queue.name'], p.value]);
    expect(points).toEqual([
      ['model', 9],
      ['tokenizer', 2],
    ]);
  });

  it('a reader that is neither a function nor sized returns a no-op stop, with one warning', async () => {
    const diag = captureDiag();
    const { provider, collect } = setup();
    const warnings = new WarnOnce();
    for (const bad of [12, null, { depth: 3 }]) {
      const stop = observeQueue('q', bad as never, provider, warnings);
      expect(stop()).toBeUndefined();
    }
    expect((await collect()).points(QUEUE)).toEqual([]);
    expect(diag.warnings.filter((w) => w.startsWith('mltel:'))).toEqual([
      'mltel: observeQueue() needs a function, an array or a Map/Set, got number 12',
    ]);
  });
});

describe('readerOf', () => {
  it('maps a function to itself and a collection to its length or size', () => {
    const read = () => 7;
    expect(readerOf(read)).toBe(read);
    expect(readerOf([1, 2])?.()).toBe(2);
    expect(readerOf(new Map([[1, 1]]))?.()).toBe(1);
    expect(readerOf(new Set())?.()).toBe(0);
    expect(readerOf({ length: 4 })?.()).toBe(4);
    expect(readerOf({ size: 6 })?.()).toBe(6);
    expect(readerOf('abc')).toBeUndefined();
    expect(readerOf({ length: '4' })).toBeUndefined();
    expect(readerOf(undefined)).toBeUndefined();
  });

  it('reads the length live, not once', () => {
    const items = [1];
    const read = readerOf(items)!;
    items.push(2, 3);
    expect(read()).toBe(3);
  });
});
