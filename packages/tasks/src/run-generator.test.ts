import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generatorKind, runAsyncGenerator, runGenerator } from './run-generator.js';
import type { TaskHandle } from './types.js';
import { type Collection, setup, captureDiag, BUCKETS, NAME, STATUS, WORKER, ERROR_TYPE } from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  diag.disable();
});

function expectOneDuration(c: Collection, attributes: Attributes): void {
  const points = c.histograms('ml.task.duration');
  expect(points.map((p) => [p.attributes, p.count, p.boundaries])).toEqual([[attributes, 1, BUCKETS]]);
  expect(points[0]!.counts.reduce((a, b) => a + b, 0)).toBe(1);
  expect(points[0]!.sum).toBeGreaterThanOrEqual(0);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('generator functions', () => {
  function* count(n: number): Generator<number, string, undefined> {
    for (let i = 0; i < n; i++) yield i;
    return 'done';
  }

  it('records a fully iterated generator as one success task', async () => {
    const { meter, collect } = setup();
    const stream = meter.wrap('stream', count);
    expect([...stream(3)]).toEqual([0, 1, 2]);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'success' }, value: 1 }]);
    expectOneDuration(c, { [NAME]: 'stream', [STATUS]: 'success' });
    expect(c.points('ml.task.errors')).toEqual([]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 0 }]);
    expect(log.warnings).toEqual([]);
  });

  it('passes through yielded values, the return value and values sent with next()', async () => {
    const { meter, collect } = setup();
    const echo = meter.wrap('echo', function* (): Generator<string, string, string> {
      const first = yield 'ready';
      const second = yield `got ${first}`;
      return `end ${second}`;
    });
    const g = echo();
    expect(g.next()).toEqual({ value: 'ready', done: false });
    expect(g.next('a')).toEqual({ value: 'got a', done: false });
    expect(g.next('b')).toEqual({ value: 'end b', done: true });
    expect(g.next()).toEqual({ value: undefined, done: true });
    expect(g.next()).toEqual({ value: undefined, done: true });
    expect(g[Symbol.iterator]()).toBe(g);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'echo', [STATUS]: 'success' }, value: 1 }]);
  });

  it('is active from the first next() until it finishes', async () => {
    const { meter, collect } = setup();
    const g = meter.wrap('stream', count)(2);
    let c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([]);

    g.next();
    c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 1 }]);
    expect(c.points('ml.tasks')).toEqual([]);

    g.next();
    g.next();
    c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 0 }]);
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'success' }, value: 1 }]);
  });

  it('records an early break as cancelled, not an error, and runs the finally block', async () => {
    const { meter, collect } = setup();
    let cleanedUp = false;
    const stream = meter.wrap('stream', function* () {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        cleanedUp = true;
      }
    });
    const seen: number[] = [];
    for (const value of stream()) {
      seen.push(value);
      if (value === 2) break;
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(cleanedUp).toBe(true);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'cancelled' }, value: 1 }]);
    expectOneDuration(c, { [NAME]: 'stream', [STATUS]: 'cancelled' });
    expect(c.metric('ml.task.errors')).toBeUndefined();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 0 }]);
  });

  it('records a throw mid-iteration as error with error.type and rethrows it', async () => {
    const { meter, collect } = setup();
    const thrown = new RangeError('token out of range');
    const stream = meter.wrap('stream', function* () {
      yield 1;
      yield 2;
      throw thrown;
    });
    const seen: number[] = [];
    let caught: unknown;
    try {
      for (const value of stream()) seen.push(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    expect(seen).toEqual([1, 2]);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'error' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'stream', [ERROR_TYPE]: 'RangeError' }, value: 1 },
    ]);
    expectOneDuration(c, { [NAME]: 'stream', [STATUS]: 'error' });
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 0 }]);
  });

  it('records an error the consumer throws in with throw() when the generator does not catch it', async () => {
    const { meter, collect } = setup();
    const g = meter.wrap('stream', count)(5);
    g.next();
    const injected = Object.assign(new Error('stop'), { code: 'ERR_CONSUMER' });
    expect(() => g.throw(injected)).toThrow(injected);
    expect(g.next()).toEqual({ value: undefined, done: true });

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'error' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'stream', [ERROR_TYPE]: 'ERR_CONSUMER' }, value: 1 },
    ]);
  });

  it('records nothing for a generator that is created but never iterated', async () => {
    const { meter, collect } = setup();
    let bodyRan = false;
    const stream = meter.wrap('stream', function* () {
      bodyRan = true;
      yield 1;
    });
    const g = stream();
    stream();
    expect(g.return(undefined)).toEqual({ value: undefined, done: true });
    expect(bodyRan).toBe(false);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([]);
    expect(c.points('ml.tasks.active')).toEqual([]);
    expect(c.histograms('ml.task.duration')).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  it('passes `this` and arguments to the generator function and keeps its name', async () => {
    const { meter, collect } = setup();
    const source = {
      prefix: 'tok',
      *tokens(this: { prefix: string }, n: number, sep: string) {
        for (let i = 0; i < n; i++) yield `${this.prefix}${sep}${i}`;
      },
    };
    source.tokens = meter.wrap('tokens', source.tokens);
    expect(source.tokens.name).toBe('tokens');
    expect(source.tokens.length).toBe(2);
    expect([...source.tokens(2, '-')]).toEqual(['tok-0', 'tok-1']);
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'tokens', [STATUS]: 'success' }, value: 1 }]);
  });

  it('counts each generator object as its own task', async () => {
    const { meter, collect } = setup({ workerType: 'cpu' });
    const stream = meter.wrap('stream', count);
    const a = stream(1);
    const b = stream(3);
    expect([...a]).toEqual([0]);
    b.next();
    b.return('stopped');
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'stream', [STATUS]: 'cancelled', [WORKER]: 'cpu' }, value: 1 },
      { attributes: { [NAME]: 'stream', [STATUS]: 'success', [WORKER]: 'cpu' }, value: 1 },
    ]);
  });

  it('does not record cancelled for return() after the generator finished', async () => {
    const { meter, collect } = setup();
    const g = meter.wrap('stream', count)(1);
    expect([...g]).toEqual([0]);
    expect(g.return('late')).toEqual({ value: 'late', done: true });
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'success' }, value: 1 }]);
  });

  // Regression (fixed): (the generator's `return()`, now kit's iterator lifecycle): when the generator's finally block throws
  // during an early exit, generator.return() throws before the handle is ended, so the task is
  // never recorded and ml.tasks.active stays at 1 forever. Remove `.fails` once fixed.
  it('ends the task when the finally block throws during an early break', async () => {
    const { meter, collect } = setup();
    const stream = meter.wrap('stream', function* () {
      try {
        yield 1;
        yield 2;
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the test is of a generator whose cleanup throws
        throw new Error('cleanup failed');
      }
    });
    expect(() => {
      for (const _ of stream()) break;
    }).toThrow('cleanup failed');
    const c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 0 }]);
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'error' }, value: 1 }]);
  });
});

describe('async generator functions', () => {
  async function* countAsync(n: number): AsyncGenerator<number, string, undefined> {
    for (let i = 0; i < n; i++) {
      await sleep(1);
      yield i;
    }
    return 'done';
  }

  it('records a fully iterated async generator as one success task', async () => {
    const { meter, collect } = setup();
    const stream = meter.wrap('stream', countAsync);
    const seen: number[] = [];
    for await (const value of stream(3)) seen.push(value);
    expect(seen).toEqual([0, 1, 2]);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'success' }, value: 1 }]);
    expectOneDuration(c, { [NAME]: 'stream', [STATUS]: 'success' });
    expect(c.points('ml.task.errors')).toEqual([]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 0 }]);
    expect(log.warnings).toEqual([]);
  });

  it('passes values and the return value through and is its own async iterator', async () => {
    const { meter, collect } = setup();
    const g = meter.wrap('stream', countAsync)(1);
    expect(g[Symbol.asyncIterator]()).toBe(g);
    await expect(g.next()).resolves.toEqual({ value: 0, done: false });
    await expect(g.next()).resolves.toEqual({ value: 'done', done: true });
    await expect(g.next()).resolves.toEqual({ value: undefined, done: true });
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'success' }, value: 1 }]);
  });

  it('is active while being iterated', async () => {
    const { meter, collect } = setup();
    const g = meter.wrap('stream', countAsync)(2);
    await g.next();
    let c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 1 }]);
    await g.next();
    await g.next();
    c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 0 }]);
  });

  it('records an early break as cancelled, not an error', async () => {
    const { meter, collect } = setup();
    let cleanedUp = false;
    const stream = meter.wrap('stream', async function* () {
      try {
        for (let i = 0; ; i++) {
          await sleep(1);
          yield i;
        }
      } finally {
        cleanedUp = true;
      }
    });
    const seen: number[] = [];
    for await (const value of stream()) {
      seen.push(value);
      if (value === 1) break;
    }
    expect(seen).toEqual([0, 1]);
    expect(cleanedUp).toBe(true);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'cancelled' }, value: 1 }]);
    expectOneDuration(c, { [NAME]: 'stream', [STATUS]: 'cancelled' });
    expect(c.metric('ml.task.errors')).toBeUndefined();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 0 }]);
  });

  it('records a throw mid-iteration as error and rethrows it', async () => {
    const { meter, collect } = setup();
    const thrown = Object.assign(new Error('upstream closed'), { code: 'ECONNRESET' });
    const stream = meter.wrap('stream', async function* () {
      yield 'a';
      await sleep(1);
      throw thrown;
    });
    const seen: string[] = [];
    let caught: unknown;
    try {
      for await (const value of stream()) seen.push(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    expect(seen).toEqual(['a']);

    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'error' }, value: 1 }]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'stream', [ERROR_TYPE]: 'ECONNRESET' }, value: 1 },
    ]);
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 0 }]);
  });

  it('records an AbortError thrown mid-iteration as cancelled', async () => {
    const { meter, collect } = setup();
    const stream = meter.wrap('stream', async function* () {
      yield 1;
      throw new DOMException('aborted', 'AbortError');
    });
    await expect(
      (async () => {
        for await (const _ of stream()) {
          // consume
        }
      })(),
    ).rejects.toThrow('aborted');
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'cancelled' }, value: 1 }]);
    expect(c.metric('ml.task.errors')).toBeUndefined();
  });

  it('records nothing for an async generator that is never iterated', async () => {
    const { meter, collect } = setup();
    let bodyRan = false;
    const stream = meter.wrap('stream', async function* () {
      bodyRan = true;
      yield 1;
    });
    const g = stream();
    stream();
    await expect(g.return(undefined)).resolves.toEqual({ value: undefined, done: true });
    expect(bodyRan).toBe(false);
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([]);
    expect(c.points('ml.tasks.active')).toEqual([]);
  });

  it('passes `this` and arguments and keeps the name', async () => {
    const { meter, collect } = setup();
    const source = {
      base: 10,
      async *numbers(this: { base: number }, n: number) {
        for (let i = 0; i < n; i++) yield this.base + i;
      },
    };
    source.numbers = meter.wrap('numbers', source.numbers);
    expect(source.numbers.name).toBe('numbers');
    const seen: number[] = [];
    for await (const value of source.numbers(2)) seen.push(value);
    expect(seen).toEqual([10, 11]);
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'numbers', [STATUS]: 'success' }, value: 1 }]);
  });

  // Regression (fixed): (the async generator's `return()`, now kit's iterator lifecycle): same as the sync case, when the
  // finally block throws on early exit the task is never ended. Remove `.fails` once fixed.
  it('ends the task when the finally block throws during an early break', async () => {
    const { meter, collect } = setup();
    const stream = meter.wrap('stream', async function* () {
      try {
        yield 1;
        yield 2;
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the test is of a generator whose cleanup throws
        throw new Error('cleanup failed');
      }
    });
    await expect(
      (async () => {
        for await (const _ of stream()) break;
      })(),
    ).rejects.toThrow('cleanup failed');
    const c = await collect();
    expect(c.points('ml.tasks.active')).toEqual([{ attributes: { [NAME]: 'stream' }, value: 0 }]);
    expect(c.points('ml.tasks')).toEqual([{ attributes: { [NAME]: 'stream', [STATUS]: 'error' }, value: 1 }]);
  });

  it('uses the classify option for errors thrown mid-iteration', async () => {
    const { meter, collect } = setup();
    const stream = meter.wrap(
      'stream',
      async function* () {
        yield 1;
        throw new TypeError('rate limited');
      },
      { classify: () => 'retry', workerType: 'gpu' },
    );
    const g = stream();
    await g.next();
    await expect(g.next()).rejects.toThrow('rate limited');
    const c = await collect();
    expect(c.points('ml.tasks')).toEqual([
      { attributes: { [NAME]: 'stream', [STATUS]: 'retry', [WORKER]: 'gpu' }, value: 1 },
    ]);
    expect(c.points('ml.task.errors')).toEqual([
      { attributes: { [NAME]: 'stream', [ERROR_TYPE]: 'TypeError', [WORKER]: 'gpu' }, value: 1 },
    ]);
  });
});

describe('generatorKind()', () => {
  it('tells generator and async generator functions from any other function', () => {
    const methods = {
      *sync() {},
      async *async() {},
    };
    expect(generatorKind(function* () {})).toBe('generator');
    expect(generatorKind(methods.sync)).toBe('generator');
    expect(generatorKind(async function* () {})).toBe('asyncGenerator');
    expect(generatorKind(methods.async)).toBe('asyncGenerator');
    expect(generatorKind(() => 1)).toBeUndefined();
    expect(generatorKind(async () => 1)).toBeUndefined();
    expect(generatorKind(Object.create(null) as never)).toBeUndefined();
  });
});

describe('runGenerator() and runAsyncGenerator()', () => {
  /** A `begin` that counts its calls and writes every end of the handle it returns into `ends`. */
  function recordingBegin() {
    const ends: unknown[] = [];
    let begun = 0;
    const begin = (): TaskHandle => {
      begun++;
      return {
        success: () => ends.push('success'),
        fail: (error) => ends.push(['fail', error]),
        end: (status) => ends.push(['end', status]),
      };
    };
    return { ends, begin, begun: () => begun };
  }

  it('begins the task at the first next() and ends it once: success, or cancelled on return()', () => {
    const whole = recordingBegin();
    const g = runGenerator(
      (function* (): Generator<number, void, undefined> {
        yield 1;
        yield 2;
      })(),
      whole.begin,
    );
    expect(whole.begun()).toBe(0);
    expect([...g]).toEqual([1, 2]);
    expect(g.next()).toEqual({ value: undefined, done: true });
    expect([whole.begun(), whole.ends]).toEqual([1, ['success']]);

    const stopped = recordingBegin();
    const s = runGenerator(
      (function* (): Generator<number, void, undefined> {
        yield 1;
        yield 2;
      })(),
      stopped.begin,
    );
    s.next();
    s.return(undefined);
    s.return(undefined);
    expect([stopped.begun(), stopped.ends]).toEqual([1, [['end', 'cancelled']]]);
  });

  it('an async generator: begun at the first next(), failed once with the error it throws', async () => {
    const thrown = new RangeError('x');
    const { ends, begin, begun } = recordingBegin();
    const g = runAsyncGenerator(
      (async function* (): AsyncGenerator<number, void, undefined> {
        yield 1;
        throw thrown;
      })(),
      begin,
    );
    expect(begun()).toBe(0);
    await expect(g.next()).resolves.toEqual({ value: 1, done: false });
    expect(begun()).toBe(1);
    await expect(g.next()).rejects.toBe(thrown);
    await g.return(undefined);
    expect([begun(), ends]).toEqual([1, [['fail', thrown]]]);
  });
});
