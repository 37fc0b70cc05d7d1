import { diag } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTaskMeter } from './default-meter.js';
import { metrics } from '@opentelemetry/api';
import {
  TestReader,
  collect,
  setup,
  captureDiag,
  BUCKETS,
  NAME,
  STATUS,
  WORKER,
  ERROR_TYPE,
  QUEUE,
  forgetQueueDepths,
} from '../test/harness.js';
import { announceProviderChange, PROVIDER_RECHECK_MS } from '@mltel/kit';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  metrics.disable();
  diag.disable();
  forgetQueueDepths();
});

function globalProvider() {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  return { reader, provider, collect: () => collect(reader) };
}

describe('the global meter provider', () => {
  it('a meter created before the global provider is set records after it is set', async () => {
    const meter = createTaskMeter({ workerType: 'cpu' });
    // Before: the API's no-op provider; nothing to collect anywhere, nothing thrown.
    expect(meter.wrap('early', () => 'a')()).toBe('a');
    meter.record({ name: 'early', durationSeconds: 1 });

    const { provider, collect: collectGlobal } = globalProvider();
    expect(metrics.setGlobalMeterProvider(provider)).toBe(true);

    expect(meter.wrap('late', () => 'b')()).toBe('b');
    meter.record({ name: 'late', durationSeconds: 0.5, status: 'error', errorType: 'Oom' });
    meter.recordQueueWait('late', 'q', 2);
    meter.setQueueSize('q', 4);

    const c = await collectGlobal();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'late', [STATUS]: 'error', [WORKER]: 'cpu' }, value: 1 },
      { attributes: { [NAME]: 'late', [STATUS]: 'success', [WORKER]: 'cpu' }, value: 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'late', [ERROR_TYPE]: 'Oom', [WORKER]: 'cpu' }, value: 1 },
    ]);
    expect(c.histograms('ml.task.duration').map((h) => [h.attributes, h.count, h.boundaries])).toEqual([
      [{ [NAME]: 'late', [STATUS]: 'error', [WORKER]: 'cpu' }, 1, BUCKETS],
      [{ [NAME]: 'late', [STATUS]: 'success', [WORKER]: 'cpu' }, 1, BUCKETS],
    ]);
    expect(c.histograms('ml.task.queue.duration').map((h) => [h.attributes, h.count, h.sum])).toEqual([
      [{ [NAME]: 'late', [QUEUE]: 'q' }, 1, 2],
    ]);
    expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'q' }, value: 4 }]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'late', [WORKER]: 'cpu' }, value: 0 }]);
    expect(log.warnings).toEqual([]);
  });

  it('follows a change of global provider, and a task ends on the provider it started on', async () => {
    const meter = createTaskMeter();
    const first = globalProvider();
    metrics.setGlobalMeterProvider(first.provider);
    const handle = meter.start('long');
    meter.record({ name: 'before-switch' });

    metrics.disable();
    const second = globalProvider();
    metrics.setGlobalMeterProvider(second.provider);
    meter.record({ name: 'after-switch' });
    handle.success();

    const c1 = await first.collect();
    expect(c1.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'before-switch', [STATUS]: 'success' }, value: 1 },
      { attributes: { [NAME]: 'long', [STATUS]: 'success' }, value: 1 },
    ]);
    // In flight is observed at collection on the current provider only (the old one no longer
    // calls the meter back): the task is counted in flight there while it runs, not after.
    expect(c1.points('ml.tasks.active')).toEqual([]);

    const c2 = await second.collect();
    expect(c2.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'after-switch', [STATUS]: 'success' }, value: 1 }]);
    expect(c2.points('ml.tasks.active')).toEqual([]);
  });

  it('an explicit meterProvider ignores the global provider', async () => {
    const own = setup();
    const global = globalProvider();
    metrics.setGlobalMeterProvider(global.provider);
    own.meter.record({ name: 'mine' });
    expect((await own.collect()).points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'mine', [STATUS]: 'success' }, value: 1 },
    ]);
    expect((await global.collect()).points('ml.tasks')).toEqual([]);
  });

  it('a queue observed before the global provider is set is reported once the change is announced', async () => {
    const meter = createTaskMeter();
    meter.observeQueueSize('inference', () => 3);
    meter.setQueueSize('upload', 1);
    const { provider, collect: collectGlobal } = globalProvider();
    metrics.setGlobalMeterProvider(provider);
    // What @mltel/node's start() does after setting the global provider.
    announceProviderChange();
    const c = await collectGlobal();
    // Meters of earlier tests that observe queues follow the provider too; look at this one's.
    expect(c.points('ml.queue.size').filter((p) => p.attributes[QUEUE] !== 'q')).toEqual([
      { attributes: { [QUEUE]: 'inference' }, value: 3 },
      { attributes: { [QUEUE]: 'upload' }, value: 1 },
    ]);
  });

  it('a queue observed before the global provider is set is reported at the next re-check when nobody announces it', async () => {
    // ml.queue.size belongs to kit's queue registry, which follows an unannounced provider within
    // PROVIDER_RECHECK_MS; recording a task on the meter no longer moves it.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const meter = createTaskMeter();
      meter.observeQueueSize('inference', () => 3);
      const { provider, collect: collectGlobal } = globalProvider();
      metrics.setGlobalMeterProvider(provider);
      meter.recordQueueWait('t', 'inference', 0.1);
      vi.advanceTimersByTime(PROVIDER_RECHECK_MS);
      expect((await collectGlobal()).points('ml.queue.size')).toEqual([
        { attributes: { [QUEUE]: 'inference' }, value: 3 },
      ]);
    } finally {
      vi.useRealTimers();
    }
  });
});
