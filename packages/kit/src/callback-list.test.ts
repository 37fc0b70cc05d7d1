import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { CallbackList } from './callback-list.js';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('CallbackList', () => {
  it('removes every callback it registered, once; a throwing undo does not stop the others', async () => {
    const reader = new Reader();
    const meter = new MeterProvider({ readers: [reader] }).getMeter('m');
    const gauge = meter.createObservableGauge('g');
    const calls: string[] = [];
    const list = new CallbackList(meter);
    list.observe(gauge, (result) => {
      calls.push('observe');
      result.observe(1);
    });
    list.observeBatch(() => void calls.push('batch'), [gauge]);
    list.onRelease(() => {
      throw new Error('undo');
    });
    list.onRelease(() => void calls.push('released'));
    await reader.collect();
    expect(calls).toEqual(['observe', 'batch']);
    list.release();
    list.release();
    expect(calls).toEqual(['observe', 'batch', 'released']);
    await reader.collect();
    expect(calls).toEqual(['observe', 'batch', 'released']);
  });
});
