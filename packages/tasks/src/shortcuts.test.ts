import { diag, metrics } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  observeQueueSize,
  recordQueueWait,
  recordTask,
  runTask,
  setQueueSize,
  startTask,
  wrapTask,
} from './shortcuts.js';
import {
  captureDiag,
  forgetQueueDepths,
  sdkProvider,
  NAME,
  STATUS,
  WORKER,
  ERROR_TYPE,
  QUEUE,
} from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  metrics.disable();
  diag.disable();
  forgetQueueDepths();
});

const globalProvider = sdkProvider;

describe('top-level shortcuts (shared default meter on the global provider)', () => {
  it('wrapTask, runTask, startTask, recordTask, recordQueueWait, setQueueSize, observeQueueSize', async () => {
    const { provider, collect: collectGlobal } = globalProvider();
    metrics.setGlobalMeterProvider(provider);

    const double = wrapTask('double', (n: number) => n * 2);
    expect(double(21)).toBe(42);
    expect(double.name).toBe('');
    expect(runTask('run', () => 'ran')).toBe('ran');
    await expect(runTask('run-async', async () => 'async')).resolves.toBe('async');
    await expect(
      runTask('run-async', async () => Promise.reject(Object.assign(new Error('x'), { code: 'EPIPE' }))),
    ).rejects.toThrow('x');
    const handle = startTask('manual', { workerType: 'gpu' });
    recordTask({ name: 'recorded', durationSeconds: 0.25, status: 'retry' });
    recordQueueWait('recorded', 'q', 0.01);
    setQueueSize('q', 8);
    let depth = 2;
    const stop = observeQueueSize('other', () => depth);

    let c = await collectGlobal();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'double', [STATUS]: 'success' }, value: 1 },
      { attributes: { [NAME]: 'recorded', [STATUS]: 'retry' }, value: 1 },
      { attributes: { [NAME]: 'run', [STATUS]: 'success' }, value: 1 },
      { attributes: { [NAME]: 'run-async', [STATUS]: 'error' }, value: 1 },
      { attributes: { [NAME]: 'run-async', [STATUS]: 'success' }, value: 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'recorded', [ERROR_TYPE]: 'retry' }, value: 1 },
      { attributes: { [NAME]: 'run-async', [ERROR_TYPE]: 'EPIPE' }, value: 1 },
    ]);
    expect(c.points('ml.tasks.active')).toEqual([
      { attributes: { [NAME]: 'double' }, value: 0 },
      { attributes: { [NAME]: 'manual', [WORKER]: 'gpu' }, value: 1 },
      { attributes: { [NAME]: 'run' }, value: 0 },
      { attributes: { [NAME]: 'run-async' }, value: 0 },
    ]);
    expect(c.histograms('ml.task.queue.duration').map((h) => [h.attributes, h.count, h.sum, h.counts[1]])).toEqual([
      [{ [NAME]: 'recorded', [QUEUE]: 'q' }, 1, 0.01, 1],
    ]);
    expect(c.points('ml.queue.size')).toEqual([
      { attributes: { [QUEUE]: 'other' }, value: 2 },
      { attributes: { [QUEUE]: 'q' }, value: 8 },
    ]);

    handle.success();
    stop();
    depth = 99;
    c = await collectGlobal();
    expect(c.points('ml.tasks.active').find((p) => p.attributes[NAME] === 'manual')).toEqual({
      attributes: { [NAME]: 'manual', [WORKER]: 'gpu' },
      value: 0,
    });
    expect(c.points('ml.tasks')).toContainEqual({
      attributes: { [NAME]: 'manual', [STATUS]: 'success', [WORKER]: 'gpu' },
      value: 1,
    });
    expect(c.points('ml.queue.size').map((p) => p.value)).not.toContain(99);
    expect(log.warnings).toEqual([]);
  });
});
