import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WarnOnce } from '@mltel/kit';
import { TaskTimeoutError } from './index.js';
import { runCall } from './run-call.js';
import type { TaskHandle } from './types.js';
import { setup, deferred, flush, captureDiag, expectMeasured, NAME, STATUS, ERROR_TYPE } from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  diag.disable();
});

class ModelLoadError extends Error {}
class RetryableError extends Error {}

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

describe('runCall()', () => {
  /** A task handle that writes every end into `ends`. */
  function recordingHandle() {
    const ends: unknown[] = [];
    const handle: TaskHandle = {
      success: () => ends.push('success'),
      fail: (error) => ends.push(['fail', error]),
      end: (status, errorType) => ends.push(['end', status, errorType]),
    };
    return { ends, handle };
  }
  const NO_LIMIT = { name: 't', timeoutMs: undefined };

  it('a return ends the task as success; a throw as a failure, rethrown', () => {
    const ok = recordingHandle();
    expect(runCall(() => 'v', ok.handle, NO_LIMIT, new WarnOnce())).toBe('v');
    expect(ok.ends).toEqual(['success']);

    const failed = recordingHandle();
    const thrown = new TypeError('x');
    expect(() =>
      runCall(
        () => {
          throw thrown;
        },
        failed.handle,
        NO_LIMIT,
        new WarnOnce(),
      ),
    ).toThrow(thrown);
    expect(failed.ends).toEqual([['fail', thrown]]);
  });

  it('a thenable ends the task when it settles, not before', async () => {
    const work = deferred<number>();
    const { ends, handle } = recordingHandle();
    const result = runCall(() => work.promise, handle, NO_LIMIT, new WarnOnce()) as Promise<number>;
    await flush();
    expect(ends).toEqual([]);
    work.resolve(3);
    await expect(result).resolves.toBe(3);
    expect(ends).toEqual(['success']);

    const failing = recordingHandle();
    const thrown = new RangeError('late');
    const rejected = runCall(() => Promise.reject(thrown), failing.handle, NO_LIMIT, new WarnOnce());
    await expect(rejected).rejects.toBe(thrown);
    expect(failing.ends).toEqual([['fail', thrown]]);
  });

  it('past timeoutMs: ends the task as timeout and rejects with TaskTimeoutError; a late result still reaches the handle (which keeps its first end)', async () => {
    const work = deferred<number>();
    const { ends, handle } = recordingHandle();
    const result = runCall(() => work.promise, handle, { name: 'slow', timeoutMs: 5 }, new WarnOnce());
    const error = await (result as Promise<unknown>).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect((error as Error).message).toBe('task "slow" did not finish within 5 ms');
    work.resolve(1);
    await flush();
    expect(ends).toEqual([['end', 'timeout', 'TimeoutError'], 'success']);
  });

  it('an invalid timeoutMs is ignored with one warning, only for async work', async () => {
    const warnings = new WarnOnce();
    const sync = recordingHandle();
    expect(runCall(() => 1, sync.handle, { name: 't', timeoutMs: -1 }, warnings)).toBe(1);
    expect(log.warnings).toEqual([]);
    const handle = recordingHandle();
    await expect(runCall(async () => 2, handle.handle, { name: 't', timeoutMs: -1 }, warnings)).resolves.toBe(2);
    await expect(runCall(async () => 3, handle.handle, { name: 't', timeoutMs: 'x' }, warnings)).resolves.toBe(3);
    expect(handle.ends).toEqual(['success', 'success']);
    expect(log.warnings).toEqual([
      'mltel: timeoutMs must be a number of milliseconds from 1 to 2147483647, got number -1; ignored',
    ]);
  });
});
