import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCOPE_NAME, TaskMeter, TaskTimeoutError } from './index.js';
import {
  setup,
  deferred,
  flush,
  captureDiag,
  BUCKETS,
  NAME,
  STATUS,
  WORKER,
  ERROR_TYPE,
  QUEUE,
} from '../test/harness.js';
import type { HistogramPoint } from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  diag.disable();
});

const total = (counts: number[]): number => counts.reduce((a, b) => a + b, 0);

/** Bucket counts with `n` at each given index of the 17 TASK_DURATION_BUCKETS buckets. */
function bucketCounts(entries: Record<number, number>): number[] {
  const counts = new Array<number>(BUCKETS.length + 1).fill(0);
  for (const [index, n] of Object.entries(entries)) counts[Number(index)] = n;
  return counts;
}

/** Asserts one measured-duration histogram point: exact count, buckets consistent, sum >= 0. */
function expectMeasured(point: HistogramPoint | undefined, attributes: Attributes, count: number): void {
  expect(point).toBeDefined();
  expect(point!.attributes).toEqual(attributes);
  expect(point!.count).toBe(count);
  expect(point!.boundaries).toEqual(BUCKETS);
  expect(point!.counts).toHaveLength(BUCKETS.length + 1);
  expect(total(point!.counts)).toBe(count);
  expect(point!.sum).toBeGreaterThanOrEqual(0);
}

class ModelLoadError extends Error {}
class RetryableError extends Error {}

describe('instruments', () => {
  it('creates the six instruments with their names, units, kinds and the @mltel/tasks scope', async () => {
    const { meter, reader } = setup();
    meter.record({ name: 'embed', status: 'error', durationSeconds: 0.2, errorType: 'CudaError' });
    meter.start('embed');
    meter.recordQueueWait('embed', 'gpu', 0.1);
    meter.setQueueSize('gpu', 3);

    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    expect(resourceMetrics.scopeMetrics.map((s) => [s.scope.name, s.scope.version])).toEqual([[SCOPE_NAME, '0.1.0']]);
    expect(SCOPE_NAME).toBe('@mltel/tasks');
    const described = resourceMetrics.scopeMetrics[0]!.metrics.map((m) => ({
      name: m.descriptor.name,
      unit: m.descriptor.unit,
      type: m.dataPointType,
      monotonic: m.dataPointType === DataPointType.SUM ? m.isMonotonic : undefined,
    })).sort((a, b) => a.name.localeCompare(b.name));
    expect(described).toEqual([
      { name: 'ml.queue.size', unit: '{item}', type: DataPointType.GAUGE, monotonic: undefined },
      { name: 'ml.task.duration', unit: 's', type: DataPointType.HISTOGRAM, monotonic: undefined },
      { name: 'ml.task.errors', unit: '{error}', type: DataPointType.SUM, monotonic: true },
      { name: 'ml.task.queue.duration', unit: 's', type: DataPointType.HISTOGRAM, monotonic: undefined },
      { name: 'ml.tasks', unit: '{task}', type: DataPointType.SUM, monotonic: true },
      { name: 'ml.tasks.active', unit: '{task}', type: DataPointType.SUM, monotonic: false },
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('uses the seconds-scale TASK_DURATION_BUCKETS for both histograms', async () => {
    const { meter, collect } = setup();
    meter.record({ name: 'embed', durationSeconds: 1 });
    meter.recordQueueWait('embed', 'gpu', 1);
    const c = await collect();
    expect(BUCKETS).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]);
    expect(c.histograms('ml.task.duration').map((h) => h.boundaries)).toEqual([BUCKETS]);
    expect(c.histograms('ml.task.queue.duration').map((h) => h.boundaries)).toEqual([BUCKETS]);
  });
});

describe('wrap: sync functions', () => {
  it('records each successful call as one success task and returns the value', async () => {
    const { meter, collect } = setup();
    const add = meter.wrap('add', (a: number, b: number) => a + b);
    expect(add(2, 3)).toBe(5);
    expect(add(4, 5)).toBe(9);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'add', [STATUS]: 'success' }, value: 2 }]);
    const durations = c.histograms('ml.task.duration');
    expect(durations).toHaveLength(1);
    expectMeasured(durations[0], { [NAME]: 'add', [STATUS]: 'success' }, 2);
    expect(c.points('ml.task.errors')).toEqual([]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'add' }, value: 0 }]);
    expect(log.warnings).toEqual([]);
  });

  it('rethrows the same error and records status error with error.type = class name', async () => {
    const { meter, collect } = setup();
    const thrown = new TypeError('bad tensor shape');
    const fn = meter.wrap('reshape', () => {
      throw thrown;
    });
    let caught: unknown;
    try {
      fn();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'reshape', [STATUS]: 'error' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'reshape', [ERROR_TYPE]: 'TypeError' }, value: 1 },
    ]);
    expectMeasured(c.histograms('ml.task.duration')[0], { [NAME]: 'reshape', [STATUS]: 'error' }, 1);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'reshape' }, value: 0 }]);
  });

  it.each([
    ['a code like ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'ECONNRESET'],
    [
      'a code like ERR_STREAM_PREMATURE_CLOSE',
      Object.assign(new Error('x'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }),
      'ERR_STREAM_PREMATURE_CLOSE',
    ],
    ['a subclass without its own name', new ModelLoadError('weights missing'), 'ModelLoadError'],
    [
      'an error with a custom name',
      Object.assign(new Error('oom'), { name: 'CudaOutOfMemoryError' }),
      'CudaOutOfMemoryError',
    ],
    ['a plain Error', new Error('plain'), 'Error'],
    ['a lower-case code (not a code)', Object.assign(new RangeError('x'), { code: 'econnreset' }), 'RangeError'],
    ['a numeric code', Object.assign(new SyntaxError('x'), { code: 500 }), 'SyntaxError'],
    ['a thrown string', 'just a string', '_OTHER'],
    ['a thrown number', 42, '_OTHER'],
    ['a thrown plain object', { reason: 'x' }, 'Error'],
  ])('maps %s to error.type %j', async (_label, thrown, expected) => {
    const { meter, collect } = setup();
    const fn = meter.wrap('infer', () => {
      throw thrown;
    });
    expect(() => fn()).toThrow();
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'infer', [STATUS]: 'error' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([{ attributes: { [NAME]: 'infer', [ERROR_TYPE]: expected }, value: 1 }]);
  });

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

  it('ignores timeoutMs for sync functions', async () => {
    const { meter, collect } = setup();
    const fn = meter.wrap('sync', () => 'v', { timeoutMs: 1 });
    expect(fn()).toBe('v');
    await new Promise((resolve) => setTimeout(resolve, 10));
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'sync', [STATUS]: 'success' }, value: 1 }]);
    expect(log.warnings).toEqual([]);
  });
});

describe('wrap: async functions', () => {
  it('records a resolved promise as success and resolves with its value', async () => {
    const { meter, collect } = setup();
    const fn = meter.wrap('fetch', async (id: number) => ({ id }));
    const result = fn(7);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toEqual({ id: 7 });

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'fetch', [STATUS]: 'success' }, value: 1 }]);
    expectMeasured(c.histograms('ml.task.duration')[0], { [NAME]: 'fetch', [STATUS]: 'success' }, 1);
    expect(c.points('ml.task.errors')).toEqual([]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'fetch' }, value: 0 }]);
  });

  it('records a rejected promise as error with error.type and rejects with the same error', async () => {
    const { meter, collect } = setup();
    const thrown = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    const fn = meter.wrap('download', async () => {
      await Promise.resolve();
      throw thrown;
    });
    await expect(fn()).rejects.toBe(thrown);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'download', [STATUS]: 'error' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'download', [ERROR_TYPE]: 'ECONNRESET' }, value: 1 },
    ]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'download' }, value: 0 }]);
  });

  it('treats any thenable as async', async () => {
    const { meter, collect } = setup();
    const thenable = {
      then(onFulfilled: (value: string) => void) {
        setTimeout(() => onFulfilled('from thenable'), 1);
      },
    };
    const fn = meter.wrap('thenable', () => thenable);
    await expect(fn()).resolves.toBe('from thenable');
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'thenable', [STATUS]: 'success' }, value: 1 }]);
  });

  it('holds ml.tasks.active at 1 while a task runs and returns it to 0', async () => {
    const { meter, collect } = setup();
    const work = deferred<string>();
    const fn = meter.wrap('generate', () => work.promise);
    const pending = fn();

    let c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'generate' }, value: 1 }]);
    expect(c.points('ml.tasks')).toEqual([]);

    const second = fn();
    c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'generate' }, value: 2 }]);

    work.resolve('text');
    await expect(pending).resolves.toBe('text');
    await expect(second).resolves.toBe('text');
    c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'generate' }, value: 0 }]);
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'generate', [STATUS]: 'success' }, value: 2 }]);
  });

  it('measures at least the time the task waited (generous lower bound)', async () => {
    const { meter, collect } = setup();
    const fn = meter.wrap('sleep', () => new Promise((resolve) => setTimeout(resolve, 60)));
    await fn();
    const c = await collect();
    const [point] = c.histograms('ml.task.duration');
    expectMeasured(point, { [NAME]: 'sleep', [STATUS]: 'success' }, 1);
    expect(point!.sum).toBeGreaterThanOrEqual(0.03);
    expect(point!.min).toBe(point!.sum);
  });

  it('records an AbortError as cancelled and not in ml.task.errors', async () => {
    const { meter, collect } = setup();
    const controller = new AbortController();
    controller.abort();
    const reason: unknown = controller.signal.reason;
    expect((reason as Error).name).toBe('AbortError');
    const fn = meter.wrap('fetch', async () => {
      throw reason;
    });
    await expect(fn()).rejects.toBe(reason);
    const syncFn = meter.wrap('fetch', () => {
      throw new DOMException('stopped', 'AbortError');
    });
    expect(() => syncFn()).toThrow('stopped');

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'fetch', [STATUS]: 'cancelled' }, value: 2 }]);
    expectMeasured(c.histograms('ml.task.duration')[0], { [NAME]: 'fetch', [STATUS]: 'cancelled' }, 2);
    expect(c.metric('ml.task.errors')).toBeUndefined();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'fetch' }, value: 0 }]);
  });

  it('records a thrown TimeoutError (AbortSignal.timeout) as timeout with error.type TimeoutError', async () => {
    const { meter, collect } = setup();
    const fn = meter.wrap('fetch', async () => {
      throw new DOMException('signal timed out', 'TimeoutError');
    });
    await expect(fn()).rejects.toThrow('signal timed out');
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'fetch', [STATUS]: 'timeout' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'fetch', [ERROR_TYPE]: 'TimeoutError' }, value: 1 },
    ]);
  });

  it('uses a custom classify: retry is counted in ml.task.errors', async () => {
    const { meter, collect } = setup();
    const seen: unknown[] = [];
    const classify = (error: unknown) => {
      seen.push(error);
      return error instanceof RetryableError ? ('retry' as const) : ('error' as const);
    };
    const retryable = new RetryableError('429');
    const fatal = new ModelLoadError('gone');
    const rateLimited = meter.wrap('call-llm', async () => Promise.reject(retryable), { classify });
    const broken = meter.wrap(
      'call-llm',
      () => {
        throw fatal;
      },
      { classify },
    );
    await expect(rateLimited()).rejects.toBe(retryable);
    await expect(rateLimited()).rejects.toBe(retryable);
    expect(() => broken()).toThrow(fatal);
    expect(seen).toEqual([retryable, retryable, fatal]);
    expect(seen[0]).toBe(retryable);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'call-llm', [STATUS]: 'error' }, value: 1 },
      { attributes: { [NAME]: 'call-llm', [STATUS]: 'retry' }, value: 2 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'call-llm', [ERROR_TYPE]: 'ModelLoadError' }, value: 1 },
      { attributes: { [NAME]: 'call-llm', [ERROR_TYPE]: 'RetryableError' }, value: 2 },
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('does not call classify for successful tasks', async () => {
    const { meter, collect } = setup();
    let calls = 0;
    const fn = meter.wrap('ok', async () => 1, {
      classify: () => {
        calls++;
        return 'retry';
      },
    });
    await expect(fn()).resolves.toBe(1);
    expect(calls).toBe(0);
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'ok', [STATUS]: 'success' }, value: 1 }]);
  });
});

describe('wrap: timeoutMs', () => {
  it('rejects with TaskTimeoutError and records status timeout with error.type TimeoutError', async () => {
    const { meter, collect } = setup();
    const work = deferred<string>();
    const slow = meter.wrap('slow', () => work.promise, { timeoutMs: 10 });
    const error: unknown = await slow().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect(error).toBeInstanceOf(Error);
    expect((error as TaskTimeoutError).name).toBe('TimeoutError');
    expect((error as TaskTimeoutError).timeoutMs).toBe(10);
    expect((error as TaskTimeoutError).message).toBe('task "slow" did not finish within 10 ms');

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'slow', [STATUS]: 'timeout' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'slow', [ERROR_TYPE]: 'TimeoutError' }, value: 1 },
    ]);
    const [point] = c.histograms('ml.task.duration');
    expectMeasured(point, { [NAME]: 'slow', [STATUS]: 'timeout' }, 1);
    expect(point!.sum).toBeGreaterThanOrEqual(0.005);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'slow' }, value: 0 }]);
  });

  it('does not double-count a task that resolves after its timeout', async () => {
    const { meter, collect } = setup();
    const work = deferred<string>();
    const slow = meter.wrap('slow', () => work.promise, { timeoutMs: 5 });
    await expect(slow()).rejects.toBeInstanceOf(TaskTimeoutError);
    work.resolve('too late');
    await flush();

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'slow', [STATUS]: 'timeout' }, value: 1 }]);
    expect(c.histograms('ml.task.duration').map((h) => [h.attributes, h.count])).toEqual([
      [{ [NAME]: 'slow', [STATUS]: 'timeout' }, 1],
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'slow', [ERROR_TYPE]: 'TimeoutError' }, value: 1 },
    ]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'slow' }, value: 0 }]);
    expect(log.warnings).toEqual([]);
  });

  it('does not double-count a task that rejects after its timeout (and the late rejection is handled)', async () => {
    const { meter, collect } = setup();
    const work = deferred<string>();
    const slow = meter.wrap('slow', () => work.promise, { timeoutMs: 5 });
    await expect(slow()).rejects.toBeInstanceOf(TaskTimeoutError);
    work.reject(new ModelLoadError('late failure'));
    await flush();

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'slow', [STATUS]: 'timeout' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'slow', [ERROR_TYPE]: 'TimeoutError' }, value: 1 },
    ]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'slow' }, value: 0 }]);
  });

  it('records success, not timeout, when the task finishes in time', async () => {
    const { meter, collect } = setup();
    const fast = meter.wrap('fast', async () => 'done', { timeoutMs: 20 });
    await expect(fast()).resolves.toBe('done');
    // Wait past the limit: the cleared timer must not record a timeout.
    await new Promise((resolve) => setTimeout(resolve, 40));
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'fast', [STATUS]: 'success' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([]);
  });

  it('records the real error, not timeout, when the task rejects in time', async () => {
    const { meter, collect } = setup();
    const thrown = new RangeError('bad index');
    const fn = meter.wrap('index', async () => Promise.reject(thrown), { timeoutMs: 20 });
    await expect(fn()).rejects.toBe(thrown);
    await new Promise((resolve) => setTimeout(resolve, 40));
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'index', [STATUS]: 'error' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'index', [ERROR_TYPE]: 'RangeError' }, value: 1 },
    ]);
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
