import { diag } from '@opentelemetry/api';
import type { Attributes, MeterProvider as MeterProviderApi } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { captureDiag, collect, NAME, setup, STATUS, TestReader, WORKER } from '../test/harness.js';
import { createTaskMeter } from './default-meter.js';
import { MAX_PREPARED } from './task-series.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

describe('prepared task series', () => {
  it('counts kept between collections reach ml.tasks at the next one, exactly once', async () => {
    const { meter, collect } = setup({ workerType: 'gpu' });
    const work = meter.wrap('embed', () => 1);
    for (let i = 0; i < 5; i++) work();
    meter.record({ name: 'embed', status: 'error' });
    let c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'embed', [STATUS]: 'error', [WORKER]: 'gpu' }, value: 1 },
      { attributes: { [NAME]: 'embed', [STATUS]: 'success', [WORKER]: 'gpu' }, value: 5 },
    ]);
    // Every status born at 0 in the same collection.
    expect(c.allPoints('ml.tasks')).toHaveLength(5);
    c = await collect();
    expect(c.points('ml.tasks').map((p) => p.value)).toEqual([1, 5]);
    work();
    c = await collect();
    expect(c.points('ml.tasks').map((p) => p.value)).toEqual([1, 6]);
    expect(c.histograms('ml.task.duration').map((h) => h.count)).toEqual([6]);
  });

  it('in flight is observed at collection: started and not ended, by name and worker', async () => {
    const { meter, collect } = setup();
    const a = meter.start('long', { workerType: 'gpu' });
    meter.start('long', { workerType: 'gpu' });
    const b = meter.start('short');
    meter.record({ name: 'recorded-only' });
    let c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([
      { attributes: { [NAME]: 'long', [WORKER]: 'gpu' }, value: 2 },
      { attributes: { [NAME]: 'short' }, value: 1 },
    ]);
    a.success();
    b.fail(new Error('x'));
    c = await collect();
    expect(c.points('ml.tasks.active').map((p) => p.value)).toEqual([1, 0]);
    expect(c.points('ml.tasks').map((p) => [p.attributes[NAME], p.attributes[STATUS], p.value])).toEqual([
      ['long', 'success', 1],
      ['recorded-only', 'success', 1],
      ['short', 'error', 1],
    ]);
  });

  it('every reader of the provider sees the same counts, whichever collects first', async () => {
    const readers = [new TestReader(), new TestReader()];
    const meter = createTaskMeter({ meterProvider: new MeterProvider({ readers }) });
    meter.record({ name: 'x' });
    meter.record({ name: 'x' });
    const first = await collect(readers[0]!);
    meter.record({ name: 'x' });
    const second = await collect(readers[1]!);
    const third = await collect(readers[0]!);
    expect(first.points('ml.tasks').map((p) => p.value)).toEqual([2]);
    expect(second.points('ml.tasks').map((p) => p.value)).toEqual([3]);
    expect(third.points('ml.tasks').map((p) => p.value)).toEqual([3]);
  });

  it('past the prepared series, tasks are still counted (not tracked in flight)', async () => {
    const { meter, collect } = setup({ maxTaskNames: MAX_PREPARED + 10, workerType: 'w' });
    for (let i = 0; i < MAX_PREPARED + 5; i++) meter.record({ name: `t${i}` });
    const late = meter.start(`t${MAX_PREPARED + 1}`);
    late.success();
    const c = await collect();
    // The SDK folds series past its cardinality limit into one overflow series: the sum stays.
    const total = c.points('ml.tasks').reduce((sum, p) => sum + p.value, 0);
    expect(total).toBe(MAX_PREPARED + 6);
  });
});

describe('prepared task series: names and workers', () => {
  it('a name or worker holding NUL never shares a series with another pair', async () => {
    const { meter, collect } = setup();
    meter.record({ name: 'a\u0000b', workerType: 'c' });
    meter.record({ name: 'a', workerType: 'b\u0000c' });
    const c = await collect();
    expect(c.points('ml.tasks').map((p) => [p.attributes[NAME], p.attributes[WORKER], p.value])).toEqual([
      ['a\u0000b', 'c', 1],
      ['a', 'b\u0000c', 1],
    ]);
  });
});

describe('prepared task series: SDK calls', () => {
  /** A MeterProvider that counts the calls its instruments get, and runs callbacks on demand. */
  function countingProvider() {
    const calls = { add: 0, record: 0, observe: 0 };
    const callbacks: ((result: { observe(value: number, attributes?: Attributes): void }) => void)[] = [];
    const instrument = {
      add: () => void calls.add++,
      record: () => void calls.record++,
      addCallback: (callback: (typeof callbacks)[number]) => void callbacks.push(callback),
      removeCallback: () => {},
    };
    const meter = {
      createCounter: () => instrument,
      createUpDownCounter: () => instrument,
      createHistogram: () => instrument,
      createGauge: () => instrument,
      createObservableCounter: () => instrument,
      createObservableUpDownCounter: () => instrument,
      createObservableGauge: () => instrument,
      addBatchObservableCallback: () => {},
      removeBatchObservableCallback: () => {},
    };
    const provider = { getMeter: () => meter } as unknown as MeterProviderApi;
    const collectNow = () => {
      for (const callback of callbacks) callback({ observe: () => void calls.observe++ });
    };
    return { provider, calls, collectNow };
  }

  it('a wrapped task makes one SDK call (its duration); counts reach the counter at collection', () => {
    const { provider, calls, collectNow } = countingProvider();
    const meter = createTaskMeter({ meterProvider: provider, workerType: 'gpu' });
    const work = meter.wrap('embed', () => 1);
    for (let i = 0; i < 100; i++) work();
    expect(calls).toEqual({ add: 0, record: 100, observe: 0 });
    collectNow();
    // Five statuses born at 0 (success with its 100), and in flight observed once.
    expect(calls).toEqual({ add: 5, record: 100, observe: 1 });
    for (let i = 0; i < 100; i++) work();
    collectNow();
    expect(calls).toEqual({ add: 6, record: 200, observe: 2 });
  });
});

describe('prepared task series: several task meters', () => {
  it('in flight of the same task in two meters on one provider is their sum', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader] });
    const a = createTaskMeter({ meterProvider: provider });
    const b = createTaskMeter({ meterProvider: provider });
    a.start('embed');
    const ending = a.start('embed');
    b.start('embed');
    b.start('other');
    let c = await collect(reader);
    expect(c.points('ml.tasks.active')).toEqual([
      { attributes: { [NAME]: 'embed' }, value: 3 },
      { attributes: { [NAME]: 'other' }, value: 1 },
    ]);
    ending.success();
    b.start('embed');
    c = await collect(reader);
    expect(c.points('ml.tasks.active').map((p) => p.value)).toEqual([3, 1]);
    expect(c.points('ml.tasks').map((p) => p.value)).toEqual([1]);
  });
});
