import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WarnOnce } from '@mltel/kit';
import { label, TaskAttributes } from './attributes.js';
import { setup, captureDiag, NAME, STATUS, WORKER, ERROR_TYPE, QUEUE } from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  diag.disable();
});

class ModelLoadError extends Error {}

describe('worker type', () => {
  it('applies the meter default and lets each task override it', async () => {
    const { meter, collect } = setup({ workerType: 'gpu' });
    expect(meter.wrap('embed', () => 1)()).toBe(1);
    expect(meter.wrap('embed', () => 2, { workerType: 'cpu' })()).toBe(2);
    expect(() =>
      meter.run(
        'embed',
        () => {
          throw new ModelLoadError('x');
        },
        { workerType: 'cpu' },
      ),
    ).toThrow(ModelLoadError);
    meter.record({ name: 'embed', workerType: 'tpu', status: 'retry', errorType: 'Busy' });
    meter.record({ name: 'embed', status: 'error', errorType: 'Oom' });
    const manual = meter.start('embed', { workerType: 'npu' });

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'embed', [STATUS]: 'error', [WORKER]: 'cpu' }, value: 1 },
      { attributes: { [NAME]: 'embed', [STATUS]: 'error', [WORKER]: 'gpu' }, value: 1 },
      { attributes: { [NAME]: 'embed', [STATUS]: 'retry', [WORKER]: 'tpu' }, value: 1 },
      { attributes: { [NAME]: 'embed', [STATUS]: 'success', [WORKER]: 'cpu' }, value: 1 },
      { attributes: { [NAME]: 'embed', [STATUS]: 'success', [WORKER]: 'gpu' }, value: 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'embed', [ERROR_TYPE]: 'Busy', [WORKER]: 'tpu' }, value: 1 },
      { attributes: { [NAME]: 'embed', [ERROR_TYPE]: 'ModelLoadError', [WORKER]: 'cpu' }, value: 1 },
      { attributes: { [NAME]: 'embed', [ERROR_TYPE]: 'Oom', [WORKER]: 'gpu' }, value: 1 },
    ]);
    expect(c.points('ml.tasks.active')).toEqual([
      { attributes: { [NAME]: 'embed', [WORKER]: 'cpu' }, value: 0 },
      { attributes: { [NAME]: 'embed', [WORKER]: 'gpu' }, value: 0 },
      { attributes: { [NAME]: 'embed', [WORKER]: 'npu' }, value: 1 },
    ]);
    manual.success();
    expect(log.warnings).toEqual([]);
  });

  it('omits ml.worker.type when neither the meter nor the task sets one', async () => {
    const { meter, collect } = setup();
    meter.wrap('plain', () => 0)();
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'plain', [STATUS]: 'success' }, value: 1 }]);
    expect(Object.keys(c.points('ml.tasks')[0]!.attributes)).not.toContain(WORKER);
  });
});

describe('cardinality limits', () => {
  it('records names outside the taskNames allow-list as _OTHER, with one warning', async () => {
    const { meter, collect } = setup({ taskNames: ['embed', 'classify'] });
    meter.wrap('embed', () => 0)();
    meter.wrap('classify', () => 0)();
    for (let i = 0; i < 100; i++) meter.wrap(`user-${i}`, () => 0)();
    meter.record({ name: 'transcribe', status: 'error', errorType: 'X' });
    meter.recordQueueWait('summarize', 'q', 1);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: '_OTHER', [STATUS]: 'error' }, value: 1 },
      { attributes: { [NAME]: '_OTHER', [STATUS]: 'success' }, value: 100 },
      { attributes: { [NAME]: 'classify', [STATUS]: 'success' }, value: 1 },
      { attributes: { [NAME]: 'embed', [STATUS]: 'success' }, value: 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([{ attributes: { [NAME]: '_OTHER', [ERROR_TYPE]: 'X' }, value: 1 }]);
    expect(c.histograms('ml.task.queue.duration').map((h) => [h.attributes, h.count])).toEqual([
      [{ [NAME]: '_OTHER', [QUEUE]: 'q' }, 1],
    ]);
    expect(log.warnings).toEqual(['mltel: ml.task.name value outside the allow-list is recorded as _OTHER']);
  });

  it('keeps the first maxTaskNames names and records later ones as _OTHER, with one warning', async () => {
    const { meter, collect } = setup({ maxTaskNames: 2 });
    for (const name of ['a', 'b', 'c', 'd', 'a', 'b', 'e']) meter.record({ name });
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: '_OTHER', [STATUS]: 'success' }, value: 3 },
      { attributes: { [NAME]: 'a', [STATUS]: 'success' }, value: 2 },
      { attributes: { [NAME]: 'b', [STATUS]: 'success' }, value: 2 },
    ]);
    expect(log.warnings).toEqual([
      'mltel: more than 2 distinct ml.task.name values; further values are recorded as _OTHER',
    ]);
  });

  it('keeps 100 task names by default', async () => {
    const { meter, collect } = setup();
    for (let i = 0; i < 105; i++) meter.record({ name: `t${i}` });
    const c = await collect();
    const points = c.points('ml.tasks');
    expect(points).toHaveLength(101);
    expect(points.find((p) => p.attributes[NAME] === '_OTHER')?.value).toBe(5);
    expect(points.find((p) => p.attributes[NAME] === 't99')?.value).toBe(1);
    expect(points.find((p) => p.attributes[NAME] === 't100')).toBeUndefined();
  });

  it('caps distinct error types at maxErrorTypes (later ones _OTHER) and truncates them to 64 chars', async () => {
    const { meter, collect } = setup({ maxErrorTypes: 2 });
    meter.record({ name: 't', status: 'error', errorType: 'A' });
    meter.record({ name: 't', status: 'error', errorType: 'B' });
    meter.record({ name: 't', status: 'error', errorType: 'C' });
    meter.record({ name: 't', status: 'error', errorType: 'A' });
    const c = await collect();
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 't', [ERROR_TYPE]: 'A' }, value: 2 },
      { attributes: { [NAME]: 't', [ERROR_TYPE]: 'B' }, value: 1 },
      { attributes: { [NAME]: 't', [ERROR_TYPE]: '_OTHER' }, value: 1 },
    ]);
    expect(log.warnings).toEqual([
      'mltel: more than 2 distinct error.type values; further values are recorded as _OTHER',
    ]);

    const long = setup();
    const errorName = `${'E'.repeat(100)}Error`;
    long.meter.record({ name: 't', status: 'error', errorType: errorName });
    const c2 = await long.collect();
    expect(c2.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 't', [ERROR_TYPE]: 'E'.repeat(64) }, value: 1 },
    ]);
  });

  it('truncates values to maxAttributeLength', async () => {
    const { meter, collect } = setup({ maxAttributeLength: 8, workerType: 'gpu-a100-80gb' });
    meter.record({ name: 'embedding-model' });
    meter.recordQueueWait('embedding-model', 'inference-queue', 1);
    meter.setQueueSize('inference-queue', 2);
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'embeddin', [STATUS]: 'success', [WORKER]: 'gpu-a100' }, value: 1 },
    ]);
    expect(c.histograms('ml.task.queue.duration').map((h) => h.attributes)).toEqual([
      { [NAME]: 'embeddin', [QUEUE]: 'inferenc' },
    ]);
    expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'inferenc' }, value: 2 }]);
    expect(log.warnings).toEqual([
      'mltel: ml.worker.type longer than 8 characters is truncated to 8',
      'mltel: ml.task.name longer than 8 characters is truncated to 8',
      'mltel: ml.queue.name longer than 8 characters is truncated to 8',
    ]);
  });
});

describe('label()', () => {
  it('quotes a string cut to 32 characters and describes anything else without String()', () => {
    expect(label('embed')).toBe('"embed"');
    expect(label('x'.repeat(40))).toBe(`"${'x'.repeat(32)}"`);
    expect(label(42)).toBe('number 42');
    expect(label(null)).toBe('null');
    expect(label(Object.create(null))).toBe('object');
  });
});

describe('TaskAttributes', () => {
  it('admits names, queues and worker types: the default for an unset worker, undefined for a bad value', () => {
    const attributes = new TaskAttributes({ workerType: 'gpu', maxTaskNames: 1 }, new WarnOnce());
    expect(attributes.name('embed')).toBe('embed');
    expect(attributes.name('rerank')).toBe('_OTHER');
    expect(attributes.name(7)).toBeUndefined();
    expect(attributes.queue('jobs')).toBe('jobs');
    expect(attributes.worker(undefined)).toBe('gpu');
    expect(attributes.worker('cpu')).toBe('cpu');
    expect(attributes.worker(3)).toBeUndefined();
    expect(log.warnings).toEqual([
      'mltel: more than 1 distinct ml.task.name values; further values are recorded as _OTHER',
      'mltel: ml.task.name must be a non-empty string, got number 7; the value is dropped',
      'mltel: ml.worker.type must be a non-empty string, got number 3; the value is dropped',
    ]);
  });

  it('status(): a known status, else undefined with one warning per distinct value', () => {
    const attributes = new TaskAttributes({}, new WarnOnce());
    expect(attributes.status('retry')).toBe('retry');
    expect(attributes.status('done')).toBeUndefined();
    expect(attributes.status('done')).toBeUndefined();
    expect(attributes.status(Object.create(null))).toBeUndefined();
    expect(log.warnings).toEqual([
      'mltel: ml.task.status must be one of success, error, retry, timeout, cancelled, got string; the task is dropped',
      'mltel: ml.task.status must be one of success, error, retry, timeout, cancelled, got object; the task is dropped',
    ]);
  });

  it('errorType(): the given type, else _OTHER for error and the status for timeout and retry; capped', () => {
    const attributes = new TaskAttributes({ maxErrorTypes: 2 }, new WarnOnce());
    expect(attributes.errorType('error', undefined)).toBe('_OTHER');
    expect(attributes.errorType('error', '')).toBe('_OTHER');
    expect(attributes.errorType('timeout', undefined)).toBe('timeout');
    expect(attributes.errorType('retry', 'Busy')).toBe('_OTHER');
    expect(attributes.errorType('error', 404)).toBe('_OTHER');
    expect(attributes.errorType('retry', 'timeout')).toBe('timeout');
    expect(log.warnings).toEqual([
      'mltel: more than 2 distinct error.type values; further values are recorded as _OTHER',
      'mltel: error.type must be a non-empty string, got number 404; the value is dropped',
    ]);
  });

  it('builds the task, error and queue-wait attribute sets; a queue-wait set once per pair', () => {
    const attributes = new TaskAttributes({}, new WarnOnce());
    expect(attributes.task('embed', undefined)).toEqual({ [NAME]: 'embed' });
    expect(attributes.task('embed', 'gpu', 'success')).toEqual({
      [NAME]: 'embed',
      [STATUS]: 'success',
      [WORKER]: 'gpu',
    });
    expect(attributes.task('embed', undefined)).not.toBe(attributes.task('embed', undefined));
    expect(attributes.error('embed', undefined, 'Oom')).toEqual({ [NAME]: 'embed', [ERROR_TYPE]: 'Oom' });
    expect(attributes.error('embed', 'cpu', 'Oom')).toEqual({ [NAME]: 'embed', [ERROR_TYPE]: 'Oom', [WORKER]: 'cpu' });
    const wait = attributes.queueWait('embed', 'jobs');
    expect(wait).toEqual({ [NAME]: 'embed', [QUEUE]: 'jobs' });
    expect(attributes.queueWait('embed', 'jobs')).toBe(wait);
    expect(attributes.queueWait('embed', 'other')).not.toBe(wait);
  });
});
