import { diag, metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTaskMeter, defaultTaskMeter } from './default-meter.js';
import { TaskMeter } from './task-meter.js';
import { captureDiag, forgetQueueDepths, sdkProvider, NAME, QUEUE, STATUS, WORKER } from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  metrics.disable();
  diag.disable();
  forgetQueueDepths();
});

describe('createTaskMeter()', () => {
  it('returns a new meter each time, with its own provider and options', async () => {
    const sdk = sdkProvider();
    const meter = createTaskMeter({ meterProvider: sdk.provider, workerType: 'gpu', taskNames: ['embed'] });
    expect(meter).toBeInstanceOf(TaskMeter);
    expect(createTaskMeter({ meterProvider: sdk.provider })).not.toBe(meter);
    meter.record({ name: 'embed' });
    meter.record({ name: 'rerank', status: 'retry' });
    const c = await sdk.collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: '_OTHER', [STATUS]: 'retry', [WORKER]: 'gpu' }, value: 1 },
      { attributes: { [NAME]: 'embed', [STATUS]: 'success', [WORKER]: 'gpu' }, value: 1 },
    ]);
    expect(log.warnings).toEqual(['mltel: ml.task.name value outside the allow-list is recorded as _OTHER']);
  });
});

describe('defaultTaskMeter()', () => {
  it('is one shared meter that records on the global provider, set before or after its creation', async () => {
    const meter = defaultTaskMeter();
    expect(defaultTaskMeter()).toBe(meter);
    const sdk = sdkProvider();
    metrics.setGlobalMeterProvider(sdk.provider);
    defaultTaskMeter().record({ name: 'shared', durationSeconds: 0.25 });
    defaultTaskMeter().setQueueSize('jobs', 2);
    const c = await sdk.collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'shared', [STATUS]: 'success' }, value: 1 }]);
    expect(c.histograms('ml.task.duration').map((h) => [h.attributes, h.count, h.sum])).toEqual([
      [{ [NAME]: 'shared', [STATUS]: 'success' }, 1, 0.25],
    ]);
    expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'jobs' }, value: 2 }]);
    expect(log.warnings).toEqual([]);
  });
});
