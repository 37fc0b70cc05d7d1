import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskMeter, TaskTimeoutError } from './index.js';
import {
  setup,
  captureDiag,
  bucketCounts,
  expectMeasured,
  BUCKETS,
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
  diag.disable();
});

class ModelLoadError extends Error {}
class RetryableError extends Error {}

describe('wrap', () => {
  it('passes `this` and all arguments through', async () => {
    const { meter, collect } = setup();
    const model = {
      factor: 3,
      scale(this: { factor: number }, x: number, y: number): number {
        return this.factor * (x + y);
      },
    };
    model.scale = meter.wrap('scale', model.scale);
    expect(model.scale(1, 2)).toBe(9);
    expect(model.scale.call({ factor: 10 }, 1, 1)).toBe(20);

    const echo = meter.wrap('echo', function (this: unknown, ...args: unknown[]) {
      return { self: this, args };
    });
    const self = { id: 1 };
    const marker = Symbol('m');
    expect(echo.apply(self, [1, 'two', marker, undefined])).toEqual({ self, args: [1, 'two', marker, undefined] });
    expect(echo.apply(self, [1]).self).toBe(self);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'echo', [STATUS]: 'success' }, value: 2 },
      { attributes: { [NAME]: 'scale', [STATUS]: 'success' }, value: 2 },
    ]);
  });

  it('keeps the name and length of the wrapped function', () => {
    const { meter } = setup();
    function embedBatch(_texts: string[], _model: string, _batch: number): number {
      return 0;
    }
    const wrapped = meter.wrap('embed', embedBatch);
    expect(wrapped.name).toBe('embedBatch');
    expect(wrapped.length).toBe(3);
    expect(wrapped).not.toBe(embedBatch);
    const arrow = (a: number): number => a;
    expect(meter.wrap('arrow', arrow).name).toBe('arrow');
    expect(
      meter.wrap(
        'anon',
        (
          () => () =>
            1
        )(),
      ).name,
    ).toBe('');
  });

  it('does not start any task when wrapping, only when calling', async () => {
    const { meter, collect } = setup();
    let calls = 0;
    const fn = meter.wrap('lazy', () => ++calls);
    let c = await collect();
    expect(c.points('ml.tasks')).toEqual([]);
    expect(calls).toBe(0);
    expect(fn()).toBe(1);
    c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'lazy', [STATUS]: 'success' }, value: 1 }]);
  });
});

describe('run', () => {
  it('runs a sync function now and returns its value', async () => {
    const { meter, collect } = setup();
    expect(meter.run('now', () => 42)).toBe(42);
    expect(() =>
      meter.run('now', () => {
        throw new TypeError('x');
      }),
    ).toThrow(TypeError);
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'now', [STATUS]: 'error' }, value: 1 },
      { attributes: { [NAME]: 'now', [STATUS]: 'success' }, value: 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'now', [ERROR_TYPE]: 'TypeError' }, value: 1 },
    ]);
  });

  it('runs an async function with options (worker type, timeout)', async () => {
    const { meter, collect } = setup();
    await expect(meter.run('later', async () => 'v', { workerType: 'gpu' })).resolves.toBe('v');
    await expect(meter.run('later', () => new Promise(() => {}), { timeoutMs: 5 })).rejects.toBeInstanceOf(
      TaskTimeoutError,
    );
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'later', [STATUS]: 'success', [WORKER]: 'gpu' }, value: 1 },
      { attributes: { [NAME]: 'later', [STATUS]: 'timeout' }, value: 1 },
    ]);
  });
});

describe('manual tasks: start()', () => {
  it('counts a started task as active until success()', async () => {
    const { meter, collect } = setup();
    const handle = meter.start('train-step');
    let c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'train-step' }, value: 1 }]);
    expect(c.points('ml.tasks')).toEqual([]);

    handle.success();
    c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'train-step' }, value: 0 }]);
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'train-step', [STATUS]: 'success' }, value: 1 }]);
    expectMeasured(c.histograms('ml.task.duration')[0], { [NAME]: 'train-step', [STATUS]: 'success' }, 1);
    expect(c.points('ml.task.errors')).toEqual([]);
  });

  it('fail(error) records error with error.type from the value', async () => {
    const { meter, collect } = setup();
    meter.start('load').fail(Object.assign(new Error('x'), { code: 'ENOENT' }));
    meter.start('load').fail(new ModelLoadError('x'));
    meter.start('load').fail();
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'load', [STATUS]: 'error' }, value: 3 }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'load', [ERROR_TYPE]: 'ENOENT' }, value: 1 },
      { attributes: { [NAME]: 'load', [ERROR_TYPE]: 'ModelLoadError' }, value: 1 },
      { attributes: { [NAME]: 'load', [ERROR_TYPE]: '_OTHER' }, value: 1 },
    ]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'load' }, value: 0 }]);
  });

  it('fail(error) uses the classify option and the default classification', async () => {
    const { meter, collect } = setup();
    meter.start('call', { classify: () => 'retry' }).fail(new RetryableError('429'));
    meter.start('call').fail(new DOMException('aborted', 'AbortError'));
    meter.start('call').fail(new TaskTimeoutError('call', 100));
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'call', [STATUS]: 'cancelled' }, value: 1 },
      { attributes: { [NAME]: 'call', [STATUS]: 'retry' }, value: 1 },
      { attributes: { [NAME]: 'call', [STATUS]: 'timeout' }, value: 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'call', [ERROR_TYPE]: 'RetryableError' }, value: 1 },
      { attributes: { [NAME]: 'call', [ERROR_TYPE]: 'TimeoutError' }, value: 1 },
    ]);
  });

  it('end(status, errorType) records the given status and error type', async () => {
    const { meter, collect } = setup();
    meter.start('step').end('retry', 'RateLimited');
    meter.start('step').end('timeout');
    meter.start('step').end('error');
    meter.start('step').end('cancelled');
    meter.start('step').end('success');
    meter.start('step').end('error', '');
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'step', [STATUS]: 'cancelled' }, value: 1 },
      { attributes: { [NAME]: 'step', [STATUS]: 'error' }, value: 2 },
      { attributes: { [NAME]: 'step', [STATUS]: 'retry' }, value: 1 },
      { attributes: { [NAME]: 'step', [STATUS]: 'success' }, value: 1 },
      { attributes: { [NAME]: 'step', [STATUS]: 'timeout' }, value: 1 },
    ]);
    // Without an error type: `_OTHER` for error, the status itself for timeout and retry.
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'step', [ERROR_TYPE]: 'RateLimited' }, value: 1 },
      { attributes: { [NAME]: 'step', [ERROR_TYPE]: '_OTHER' }, value: 2 },
      { attributes: { [NAME]: 'step', [ERROR_TYPE]: 'timeout' }, value: 1 },
    ]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'step' }, value: 0 }]);
  });

  it('ignores a second end of the same handle, with one warning', async () => {
    const { meter, collect } = setup();
    const handle = meter.start('once');
    handle.success();
    handle.success();
    handle.fail(new Error('late'));
    handle.end('error', 'X');
    for (let i = 0; i < 100; i++) handle.success();

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'once', [STATUS]: 'success' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([]);
    expect(c.histograms('ml.task.duration').map((h) => h.count)).toEqual([1]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'once' }, value: 0 }]);
    expect(log.warnings).toEqual(['mltel: a task handle of "once" was ended twice; ignored']);
  });

  it('keeps the task active when end() gets an invalid status, so it can still be ended', async () => {
    const { meter, collect } = setup();
    const handle = meter.start('step');
    handle.end('finished' as never);
    let c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'step' }, value: 1 }]);
    expect(c.points('ml.tasks')).toEqual([]);
    handle.end('success');
    c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'step' }, value: 0 }]);
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'step', [STATUS]: 'success' }, value: 1 }]);
    expect(log.warnings).toHaveLength(1);
  });
});

describe('record()', () => {
  it('records a finished task with its duration in the seconds buckets', async () => {
    const { meter, collect } = setup();
    meter.record({ name: 'transcribe', durationSeconds: 0.003 });
    meter.record({ name: 'transcribe', durationSeconds: 0.07 });
    meter.record({ name: 'transcribe', durationSeconds: 1 });
    meter.record({ name: 'transcribe', durationSeconds: 700 });
    meter.record({ name: 'transcribe', durationSeconds: 0 });

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'transcribe', [STATUS]: 'success' }, value: 5 }]);
    const [point] = c.histograms('ml.task.duration');
    expect(point).toEqual({
      attributes: { [NAME]: 'transcribe', [STATUS]: 'success' },
      count: 5,
      sum: expect.closeTo(701.073, 9),
      min: 0,
      max: 700,
      boundaries: BUCKETS,
      // 0 and 0.003 <= 0.005; 0.07 <= 0.1; 1 <= 1 (upper bound inclusive); 700 > 600.
      counts: bucketCounts({ 0: 2, 4: 1, 7: 1, 16: 1 }),
    });
    expect(c.points('ml.tasks.active')).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  it('counts a task without durationSeconds but records no duration', async () => {
    const { meter, collect } = setup();
    meter.record({ name: 'quick' });
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'quick', [STATUS]: 'success' }, value: 1 }]);
    expect(c.histograms('ml.task.duration')).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  it('records failures with error.type and worker type', async () => {
    const { meter, collect } = setup();
    meter.record({ name: 'ocr', status: 'error', errorType: 'CudaError', durationSeconds: 2, workerType: 'gpu' });
    meter.record({ name: 'ocr', status: 'retry', durationSeconds: 0.5 });
    meter.record({ name: 'ocr', status: 'error' });
    meter.record({ name: 'ocr', status: 'cancelled', errorType: 'Ignored' });
    meter.record({ name: 'ocr', status: 'success', errorType: 'IgnoredToo' });

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'ocr', [STATUS]: 'cancelled' }, value: 1 },
      { attributes: { [NAME]: 'ocr', [STATUS]: 'error' }, value: 1 },
      { attributes: { [NAME]: 'ocr', [STATUS]: 'error', [WORKER]: 'gpu' }, value: 1 },
      { attributes: { [NAME]: 'ocr', [STATUS]: 'retry' }, value: 1 },
      { attributes: { [NAME]: 'ocr', [STATUS]: 'success' }, value: 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'ocr', [ERROR_TYPE]: 'CudaError', [WORKER]: 'gpu' }, value: 1 },
      { attributes: { [NAME]: 'ocr', [ERROR_TYPE]: '_OTHER' }, value: 1 },
      { attributes: { [NAME]: 'ocr', [ERROR_TYPE]: 'retry' }, value: 1 },
    ]);
    expect(c.histograms('ml.task.duration').map((h) => [h.attributes, h.count, h.sum])).toEqual([
      [{ [NAME]: 'ocr', [STATUS]: 'error', [WORKER]: 'gpu' }, 1, 2],
      [{ [NAME]: 'ocr', [STATUS]: 'retry' }, 1, 0.5],
    ]);
  });
});

describe('queues', () => {
  it('recordQueueWait records ml.task.queue.duration with task and queue names', async () => {
    const { meter, collect } = setup();
    meter.recordQueueWait('embed', 'gpu-queue', 0.02);
    meter.recordQueueWait('embed', 'gpu-queue', 3);
    meter.recordQueueWait('rerank', 'cpu-queue', 0.3);

    const c = await collect();
    expect(c.histograms('ml.task.queue.duration')).toEqual([
      {
        attributes: { [NAME]: 'embed', [QUEUE]: 'gpu-queue' },
        count: 2,
        sum: expect.closeTo(3.02, 9),
        min: 0.02,
        max: 3,
        boundaries: BUCKETS,
        counts: bucketCounts({ 2: 1, 9: 1 }),
      },
      {
        attributes: { [NAME]: 'rerank', [QUEUE]: 'cpu-queue' },
        count: 1,
        sum: 0.3,
        min: 0.3,
        max: 0.3,
        boundaries: BUCKETS,
        counts: bucketCounts({ 6: 1 }),
      },
    ]);
    expect(c.points('ml.tasks')).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  it('observeQueueSize reports the reader value at every collection', async () => {
    const { meter, collect } = setup();
    let depth = 4;
    meter.observeQueueSize('inference', () => depth);
    let c = await collect();
    expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'inference' }, value: 4 }]);
    depth = 9;
    c = await collect();
    expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'inference' }, value: 9 }]);
    depth = 0;
    c = await collect();
    expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'inference' }, value: 0 }]);
  });

  it('setQueueSize reports the last value set', async () => {
    const { meter, collect } = setup();
    meter.setQueueSize('upload', 7);
    meter.setQueueSize('download', 1);
    let c = await collect();
    expect(c.points('ml.queue.size')).toEqual([
      { attributes: { [QUEUE]: 'download' }, value: 1 },
      { attributes: { [QUEUE]: 'upload' }, value: 7 },
    ]);
    meter.setQueueSize('upload', 2);
    meter.setQueueSize('upload', 3);
    c = await collect();
    expect(c.points('ml.queue.size')).toEqual([
      { attributes: { [QUEUE]: 'download' }, value: 1 },
      { attributes: { [QUEUE]: 'upload' }, value: 3 },
    ]);
  });

  it('the function returned by observeQueueSize stops the reader', async () => {
    const { meter, collect } = setup();
    let reads = 0;
    let depth = 4;
    const stop = meter.observeQueueSize('inference', () => {
      reads++;
      return depth;
    });
    meter.setQueueSize('other', 1);
    await collect();
    await collect();
    expect(reads).toBe(2);

    stop();
    depth = 100;
    const c = await collect();
    expect(reads).toBe(2);
    // The SDK keeps exporting the last cumulative value of a series it saw; it never sees 100.
    expect(c.points('ml.queue.size')).toEqual([
      { attributes: { [QUEUE]: 'inference' }, value: 4 },
      { attributes: { [QUEUE]: 'other' }, value: 1 },
    ]);
    stop();
    await collect();
    expect(reads).toBe(2);
  });

  it('a later observeQueueSize on the same queue replaces the reader; the old stop function leaves it', async () => {
    const { meter, collect } = setup();
    const stopFirst = meter.observeQueueSize('q', () => 1);
    meter.observeQueueSize('q', () => 2);
    stopFirst();
    const c = await collect();
    expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'q' }, value: 2 }]);
  });

  it('skips a throwing reader (one warning) without breaking the other queues', async () => {
    const { meter, collect } = setup();
    meter.observeQueueSize('first', () => 1);
    meter.observeQueueSize('broken', () => {
      throw new Error('queue closed');
    });
    meter.observeQueueSize('bad-number', () => Number.NaN);
    meter.observeQueueSize('negative', () => -3);
    meter.setQueueSize('last', 5);

    for (let i = 0; i < 3; i++) {
      const c = await collect();
      expect(c.points('ml.queue.size')).toEqual([
        { attributes: { [QUEUE]: 'first' }, value: 1 },
        { attributes: { [QUEUE]: 'last' }, value: 5 },
      ]);
    }
    expect(log.warnings).toEqual([
      'mltel: the ml.queue.size reader of "broken" threw; skipped',
      'mltel: the ml.queue.size reader of "bad-number" returned NaN; skipped',
      'mltel: the ml.queue.size reader of "negative" returned number -3; skipped',
    ]);
    expect(log.errors).toEqual([]);
  });
});

describe('meters are independent', () => {
  it('two meters on two providers do not see each other', async () => {
    const one = setup();
    const two = setup({ workerType: 'cpu' });
    one.meter.record({ name: 'a' });
    two.meter.record({ name: 'b' });
    expect((await one.collect()).points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'a', [STATUS]: 'success' }, value: 1 },
    ]);
    expect((await two.collect()).points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'b', [STATUS]: 'success', [WORKER]: 'cpu' }, value: 1 },
    ]);
  });

  it('is exported as a class and createTaskMeter returns instances of it', () => {
    const { meter } = setup();
    expect(meter).toBeInstanceOf(TaskMeter);
    expect(new TaskMeter()).not.toBe(new TaskMeter());
  });
});
