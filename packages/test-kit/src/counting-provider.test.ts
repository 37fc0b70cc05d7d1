import { describe, expect, it } from 'vitest';
import { countingProvider } from './counting-provider.js';

describe('countingProvider()', () => {
  it('counts adds, records and observations; callbacks run at collectNow only, until removed', () => {
    const { provider, calls, added, collectNow } = countingProvider();
    const meter = provider.getMeter('test');
    meter.createCounter('c').add(2, { k: 'v' });
    meter.createHistogram('h').record(1);
    const gauge = meter.createObservableGauge('g');
    const callback = (result: { observe(value: number): void }) => result.observe(1);
    gauge.addCallback(callback);
    meter.addBatchObservableCallback((result) => result.observe(gauge, 1), [gauge]);
    expect(calls).toEqual({ add: 1, record: 1, observe: 0 });
    collectNow();
    expect(calls).toEqual({ add: 1, record: 1, observe: 2 });
    gauge.removeCallback(callback);
    collectNow();
    expect(calls.observe).toBe(3);
    expect(added).toEqual([[2, { k: 'v' }]]);
  });
});
