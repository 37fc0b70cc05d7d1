import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskTimeoutError } from './errors.js';
import { setup, captureDiag, BUCKETS, NAME, STATUS, WORKER, ERROR_TYPE, QUEUE } from '../test/harness.js';

const REPEAT = 100;
const NAME_WARNING = (described: string) =>
  `mltel: ml.task.name must be a non-empty string, got ${described}; the value is dropped`;

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

/** Calls `fn` REPEAT times, asserting that no call throws. */
function repeat(fn: (i: number) => void): void {
  for (let i = 0; i < REPEAT; i++) expect(() => fn(i)).not.toThrow();
}

describe('record(): invalid durationSeconds', () => {
  it.each([
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'number Infinity'],
    ['-Infinity', Number.NEGATIVE_INFINITY, 'number -Infinity'],
    ['a negative number', -0.5, 'number -0.5'],
    ['a numeric string', '1.5', 'string'],
    ['null', null, 'null'],
  ])('drops %s but still counts the task, with exactly one warning', async (_label, value, described) => {
    const { meter, collect } = setup();
    repeat(() => meter.record({ name: 'transcribe', durationSeconds: value as number }));
    meter.record({ name: 'transcribe', durationSeconds: 2 });

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'transcribe', [STATUS]: 'success' }, value: REPEAT + 1 },
    ]);
    expect(c.histograms('ml.task.duration')).toEqual([
      {
        attributes: { [NAME]: 'transcribe', [STATUS]: 'success' },
        count: 1,
        sum: 2,
        min: 2,
        max: 2,
        boundaries: BUCKETS,
        counts: BUCKETS.map((_, i) => (i === 8 ? 1 : 0)).concat(0),
      },
    ]);
    expect(log.warnings).toEqual([
      `mltel: ml.task.duration needs a number of seconds from 0 to 10000000, got ${described}; the duration is dropped, the task is counted`,
    ]);
  });

  it('counts failed tasks with an invalid duration in ml.task.errors too', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.record({ name: 't', status: 'error', errorType: 'Oom', durationSeconds: -1 }));
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 't', [STATUS]: 'error' }, value: REPEAT }]);
    expect(c.points('ml.task.errors')).toEqual([{ attributes: { [NAME]: 't', [ERROR_TYPE]: 'Oom' }, value: REPEAT }]);
    expect(c.histograms('ml.task.duration')).toEqual([]);
    expect(log.warnings).toHaveLength(1);
  });
});

describe('recordQueueWait(): invalid seconds', () => {
  it.each([
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'number Infinity'],
    ['-Infinity', Number.NEGATIVE_INFINITY, 'number -Infinity'],
    ['a negative number', -3, 'number -3'],
    ['undefined', undefined, 'undefined'],
    ['a string', '0.1', 'string'],
  ])('drops %s with exactly one warning', async (_label, value, described) => {
    const { meter, collect } = setup();
    repeat(() => meter.recordQueueWait('embed', 'gpu', value as number));
    meter.recordQueueWait('embed', 'gpu', 0.05);

    const c = await collect();
    expect(c.histograms('ml.task.queue.duration')).toEqual([
      {
        attributes: { [NAME]: 'embed', [QUEUE]: 'gpu' },
        count: 1,
        sum: 0.05,
        min: 0.05,
        max: 0.05,
        boundaries: BUCKETS,
        counts: BUCKETS.map((_, i) => (i === 3 ? 1 : 0)).concat(0),
      },
    ]);
    expect(c.points('ml.tasks')).toEqual([]);
    expect(log.warnings).toEqual([
      `mltel: ml.task.queue.duration needs a number of seconds from 0 to 10000000, got ${described}; the value is dropped`,
    ]);
  });

  it('drops a wait with a non-string task or queue name, with one warning per attribute', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.recordQueueWait(42 as unknown as string, 'gpu', 1));
    repeat(() => meter.recordQueueWait('embed', {} as unknown as string, 1));
    const c = await collect();
    expect(c.histograms('ml.task.queue.duration')).toEqual([]);
    expect(log.warnings).toEqual([
      NAME_WARNING('number 42'),
      'mltel: ml.queue.name must be a non-empty string, got object; the value is dropped',
    ]);
  });
});

describe('non-string task names', () => {
  it.each([
    ['a number', 123, 'number 123'],
    ['an object', { name: 'embed' }, 'object'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['an empty string', '', 'string'],
    ['a symbol', Symbol('task'), 'symbol'],
  ])(
    '%s: nothing is recorded, the function still runs and returns its value, one warning',
    async (_label, bad, described) => {
      const { meter, collect } = setup();
      const name = bad as unknown as string;
      let calls = 0;
      const double = meter.wrap(name, function (this: unknown, n: number) {
        calls++;
        return n * 2 + ((this as { k?: number } | undefined)?.k ?? 0);
      });
      const results: number[] = [];
      repeat((i) => results.push(double(i)));
      expect(results).toEqual(Array.from({ length: REPEAT }, (_, i) => i * 2));
      expect(calls).toBe(REPEAT);
      expect(double.call({ k: 1 }, 5)).toBe(11);

      const failing = meter.wrap(name, () => {
        throw new TypeError('still thrown');
      });
      expect(() => failing()).toThrow('still thrown');
      await expect(meter.wrap(name, async () => 'async value')()).resolves.toBe('async value');
      await expect(meter.wrap(name, async () => Promise.reject(new RangeError('r')))()).rejects.toThrow(RangeError);
      expect([
        ...meter.wrap(name, function* () {
          yield 1;
          yield 2;
        })(),
      ]).toEqual([1, 2]);
      expect(meter.run(name, () => 'ran')).toBe('ran');
      const handle = meter.start(name);
      handle.success();
      handle.fail(new Error('x'));
      handle.end('error');
      meter.record({ name, durationSeconds: 1 });

      const c = await collect();
      expect(c.points('ml.tasks')).toEqual([]);
      expect(c.points('ml.tasks.active')).toEqual([]);
      expect(c.points('ml.task.errors')).toEqual([]);
      expect(c.histograms('ml.task.duration')).toEqual([]);
      expect(log.warnings).toEqual([NAME_WARNING(described)]);
    },
  );

  it('a timeout still rejects with TaskTimeoutError when the name is not a string', async () => {
    const { meter, collect } = setup();
    const hang = meter.wrap(7 as unknown as string, () => new Promise(() => {}), { timeoutMs: 5 });
    const error = await hang().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskTimeoutError);
    expect((error as Error).message).toBe('task "7" did not finish within 5 ms');
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([]);
    expect(log.warnings).toEqual([NAME_WARNING('number 7')]);
  });
});

describe('a 10 kB task name', () => {
  it('is truncated to 128 characters, with exactly one warning', async () => {
    const { meter, collect } = setup();
    const huge = `${'a'.repeat(10 * 1024 - 4)}tail`;
    expect(huge).toHaveLength(10 * 1024);
    const truncated = 'a'.repeat(128);
    const fn = meter.wrap(huge, (n: number) => n + 1);
    repeat((i) => expect(fn(i)).toBe(i + 1));
    meter.record({ name: huge, durationSeconds: 0.2, status: 'error', errorType: 'Oom' });
    meter.record({ name: `${'a'.repeat(200)}different-suffix` });
    meter.recordQueueWait(huge, 'q', 1);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: truncated, [STATUS]: 'error' }, value: 1 },
      { attributes: { [NAME]: truncated, [STATUS]: 'success' }, value: REPEAT + 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([{ attributes: { [NAME]: truncated, [ERROR_TYPE]: 'Oom' }, value: 1 }]);
    expect(c.histograms('ml.task.queue.duration').map((h) => [h.attributes, h.count])).toEqual([
      [{ [NAME]: truncated, [QUEUE]: 'q' }, 1],
    ]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: truncated }, value: 0 }]);
    expect(log.warnings).toEqual(['mltel: ml.task.name longer than 128 characters is truncated to 128']);
  });

  it('a 10 kB queue name is truncated to 128 characters too', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.setQueueSize('q'.repeat(10 * 1024), 3));
    const c = await collect();
    expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'q'.repeat(128) }, value: 3 }]);
    expect(log.warnings).toEqual(['mltel: ml.queue.name longer than 128 characters is truncated to 128']);
  });
});

describe('invalid status', () => {
  it.each([
    ['an unknown string', 'done', 'string'],
    ['wrong case', 'SUCCESS', 'string'],
    ['a number', 1, 'number 1'],
    ['an empty string', '', 'string'],
  ])('record() with %s drops the task, with exactly one warning', async (_label, status, described) => {
    const { meter, collect } = setup();
    repeat(() => meter.record({ name: 'ocr', status: status as never, durationSeconds: 1 }));
    meter.record({ name: 'ocr', status: 'success' });
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'ocr', [STATUS]: 'success' }, value: 1 }]);
    expect(c.histograms('ml.task.duration')).toEqual([]);
    expect(c.points('ml.task.errors')).toEqual([]);
    expect(log.warnings).toEqual([
      `mltel: ml.task.status must be one of success, error, retry, timeout, cancelled, got ${described}; the task is dropped`,
    ]);
  });

  it('handle.end() with an invalid status leaves the task running, with exactly one warning', async () => {
    const { meter, collect } = setup();
    const handle = meter.start('step');
    repeat(() => handle.end('finished' as never, 'X'));
    let c = await collect();
    expect(c.points('ml.tasks')).toEqual([]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'step' }, value: 1 }]);
    handle.end('retry');
    c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'step', [STATUS]: 'retry' }, value: 1 }]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'step' }, value: 0 }]);
    expect(log.warnings).toEqual([
      'mltel: ml.task.status must be one of success, error, retry, timeout, cancelled, got string; the task is dropped',
    ]);
  });

  it('a classify that returns an invalid status records error, with exactly one warning', async () => {
    const { meter, collect } = setup();
    const fn = meter.wrap(
      't',
      () => {
        throw new RangeError('x');
      },
      { classify: () => 'fatal' as never },
    );
    repeat(() => expect(() => fn()).toThrow(RangeError));
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 't', [STATUS]: 'error' }, value: REPEAT }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 't', [ERROR_TYPE]: 'RangeError' }, value: REPEAT },
    ]);
    expect(log.warnings).toEqual([
      'mltel: ml.task.status must be one of success, error, retry, timeout, cancelled, got string; the task is dropped',
    ]);
  });

  it('a classify that throws records error and rethrows the original error, with exactly one warning', async () => {
    const { meter, collect } = setup();
    const original = new SyntaxError('original');
    const fn = meter.wrap('t', async () => Promise.reject(original), {
      classify: () => {
        throw new Error('classify broke');
      },
    });
    for (let i = 0; i < REPEAT; i++) await expect(fn()).rejects.toBe(original);
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 't', [STATUS]: 'error' }, value: REPEAT }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 't', [ERROR_TYPE]: 'SyntaxError' }, value: REPEAT },
    ]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 't' }, value: 0 }]);
    expect(log.warnings).toEqual(['mltel: the classify option of "t" threw; recorded as error']);
  });
});

describe('other bad input', () => {
  it.each([
    ['a number', 5, 'number 5'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['an object', { call: 1 }, 'object'],
  ])('wrap() of %s returns it unchanged, with one warning', async (_label, notFunction, described) => {
    const { meter, collect } = setup();
    repeat(() => expect(meter.wrap('t', notFunction as never)).toBe(notFunction));
    repeat(() => expect(meter.run('t', notFunction as never)).toBeUndefined());
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([]);
    expect(log.warnings).toEqual([
      `mltel: wrap("t") needs a function, got ${described}`,
      `mltel: run("t") needs a function, got ${described}`,
    ]);
  });

  it('record() of a non-object is dropped, with one warning for all of them', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.record(null as never));
    repeat(() => meter.record('embed' as never));
    repeat(() => meter.record(undefined as never));
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([]);
    expect(log.warnings).toEqual(['mltel: record() needs a task object, got null']);
  });

  it.each([
    ['0', 0, 'number 0'],
    ['a negative number', -10, 'number -10'],
    ['NaN', Number.NaN, 'NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'number Infinity'],
    ['a string', '100', 'string'],
  ])(
    'timeoutMs of %s is ignored (the task runs to its end), with one warning',
    async (_label, timeoutMs, described) => {
      const { meter, collect } = setup();
      const fn = meter.wrap('t', async (n: number) => n, { timeoutMs: timeoutMs as number });
      for (let i = 0; i < REPEAT; i++) await expect(fn(i)).resolves.toBe(i);
      const c = await collect();
      expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 't', [STATUS]: 'success' }, value: REPEAT }]);
      expect(c.points('ml.task.errors')).toEqual([]);
      expect(log.warnings).toEqual([
        `mltel: timeoutMs must be a number of milliseconds from 1 to 2147483647, got ${described}; ignored`,
      ]);
    },
  );

  it.each([
    ['NaN', Number.NaN, 'NaN'],
    ['a negative number', -1, 'number -1'],
    ['Infinity', Number.POSITIVE_INFINITY, 'number Infinity'],
    ['a string', '3', 'string'],
  ])(
    'setQueueSize() of %s is dropped and keeps the last good value, with one warning',
    async (_label, size, described) => {
      const { meter, collect } = setup();
      meter.setQueueSize('q', 6);
      repeat(() => meter.setQueueSize('q', size as number));
      const c = await collect();
      expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'q' }, value: 6 }]);
      expect(log.warnings).toEqual([
        `mltel: ml.queue.size needs a number from 0 to 1000000000000, got ${described}; the value is dropped`,
      ]);
    },
  );

  it('observeQueueSize() with a non-function or a non-string queue returns a no-op stop, with one warning each', async () => {
    const { meter, collect } = setup();
    repeat(() => {
      const stop = meter.observeQueueSize('q', 5 as never);
      expect(typeof stop).toBe('function');
      stop();
    });
    repeat(() => meter.observeQueueSize(17 as never, () => 1)());
    meter.setQueueSize('ok', 1);
    const c = await collect();
    expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'ok' }, value: 1 }]);
    expect(log.warnings).toEqual([
      'mltel: observeQueueSize("q") needs a function',
      'mltel: ml.queue.name must be a non-empty string, got number 17; the value is dropped',
    ]);
  });

  it('a queue reader returning a bad value is skipped at every collection, with one warning', async () => {
    const { meter, collect } = setup();
    meter.observeQueueSize('strings', () => '5' as never);
    meter.observeQueueSize('good', () => 2);
    for (let i = 0; i < REPEAT; i++) {
      const c = await collect();
      expect(c.points('ml.queue.size')).toEqual([{ attributes: { [QUEUE]: 'good' }, value: 2 }]);
    }
    expect(log.warnings).toEqual(['mltel: the ml.queue.size reader of "strings" returned string; skipped']);
  });

  it('a non-string errorType is recorded as _OTHER, with one warning', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.record({ name: 't', status: 'error', errorType: 500 as never }));
    const c = await collect();
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 't', [ERROR_TYPE]: '_OTHER' }, value: REPEAT },
    ]);
    expect(log.warnings).toEqual([
      'mltel: error.type must be a non-empty string, got number 500; the value is dropped',
    ]);
  });

  it('a non-string workerType is omitted (not replaced by the default), with one warning', async () => {
    const { meter, collect } = setup({ workerType: 'gpu' });
    repeat(() => meter.record({ name: 't', workerType: 3 as never }));
    meter.record({ name: 't' });
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 't', [STATUS]: 'success' }, value: REPEAT },
      { attributes: { [NAME]: 't', [STATUS]: 'success', [WORKER]: 'gpu' }, value: 1 },
    ]);
    expect(log.warnings).toEqual([
      'mltel: ml.worker.type must be a non-empty string, got number 3; the value is dropped',
    ]);
  });

  it('a non-string workerType meter option is ignored, with one warning', async () => {
    const { meter, collect } = setup({ workerType: {} as never });
    repeat(() => meter.record({ name: 't' }));
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 't', [STATUS]: 'success' }, value: REPEAT }]);
    expect(log.warnings).toEqual([
      'mltel: ml.worker.type must be a non-empty string, got object; the value is dropped',
    ]);
  });

  it('overflowing the task-name cap warns once however many names overflow', async () => {
    const { meter, collect } = setup({ maxTaskNames: 1 });
    repeat((i) => meter.record({ name: `task-${i}` }));
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: '_OTHER', [STATUS]: 'success' }, value: REPEAT - 1 },
      { attributes: { [NAME]: 'task-0', [STATUS]: 'success' }, value: 1 },
    ]);
    expect(log.warnings).toEqual([
      'mltel: more than 1 distinct ml.task.name values; further values are recorded as _OTHER',
    ]);
  });
});

describe('known bugs (expected to fail until fixed)', () => {
  // Regression (fixed): (attributes.ts `status()`, the warning key `status:${String(status).slice(0, 32)}`):
  // String() throws a TypeError for an object without a prototype (or whose toString throws),
  // so record() / handle.end() throw instead of dropping the value with a warning.
  it('record() with a null-prototype status object does not throw', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.record({ name: 't', status: Object.create(null) as never }));
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([]);
    expect(log.warnings).toHaveLength(1);
  });

  // Regression (fixed): (task-meter.ts `wrap`/`run`/`observeQueueSize` warning messages use String(name)):
  // a null-prototype name with a non-function throws a TypeError instead of warning.
  it('wrap() with a null-prototype name and a non-function does not throw', () => {
    const { meter } = setup();
    repeat(() => meter.wrap(Object.create(null) as never, 5 as never));
    expect(log.warnings).toHaveLength(1);
  });

  // Regression (fixed): (errors.ts `errorTypeOf`, called from handle.fail outside any try): a thrown value whose
  // `code` (or `name`) getter throws makes fail() throw, so the caller gets the getter's error
  // instead of its own and the task is never ended (ml.tasks.active stays at 1).
  it('a thrown value with a throwing `code` getter is rethrown unchanged and ends the task', async () => {
    const { meter, collect } = setup();
    const weird = {
      get code(): string {
        throw new Error('getter');
      },
    };
    const fn = meter.wrap('t', () => {
      throw weird;
    });
    let caught: unknown;
    try {
      fn();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(weird);
    const c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 't' }, value: 0 }]);
  });

  // Regression (fixed): (task-meter.ts `record`): the name (and worker type) is admitted into the bounded set
  // before the status is validated, so a dropped record with an invalid status still uses up one
  // of the maxTaskNames slots and a later valid name becomes _OTHER.
  it('a record dropped for its status does not use up a task-name slot', async () => {
    const { meter, collect } = setup({ maxTaskNames: 1 });
    meter.record({ name: 'dropped', status: 'bogus' as never });
    meter.record({ name: 'kept' });
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'kept', [STATUS]: 'success' }, value: 1 }]);
  });
});
