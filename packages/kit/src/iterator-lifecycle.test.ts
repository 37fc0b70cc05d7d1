import { describe, expect, it } from 'vitest';
import { observeAsyncIterator, observeIterator } from './iterator-lifecycle.js';
import type { IterationObserver } from './iterator-lifecycle.js';

/** An observer that writes every report into `events`, in order. */
function recorder<T>(): { events: unknown[]; observer: IterationObserver<T> } {
  const events: unknown[] = [];
  return {
    events,
    observer: {
      start: () => events.push('start'),
      value: (value) => events.push(['value', value]),
      done: () => events.push('done'),
      fail: (error) => events.push(['fail', error]),
      cancel: () => events.push('cancel'),
    },
  };
}

function* count(n: number): Generator<number, string, string | undefined> {
  for (let i = 0; i < n; i++) yield i;
  return 'end';
}

async function* countAsync(n: number): AsyncGenerator<number, string, undefined> {
  for (let i = 0; i < n; i++) yield i;
  return 'end';
}

describe('observeIterator()', () => {
  it('forwards values, sent values and the return value, and reports start, values and done once', () => {
    const { events, observer } = recorder<string>();
    const source = (function* (): Generator<string, string, string> {
      const first = yield 'ready';
      return `got ${first}`;
    })();
    const observed = observeIterator(source, observer);
    expect(events).toEqual([]);
    expect(observed[Symbol.iterator]()).toBe(observed);
    expect(observed.next()).toEqual({ value: 'ready', done: false });
    expect(observed.next('a')).toEqual({ value: 'got a', done: true });
    expect(observed.next()).toEqual({ value: undefined, done: true });
    expect(observed.return!('late')).toEqual({ value: 'late', done: true });
    expect(events).toEqual(['start', ['value', 'ready'], 'done']);
  });

  it('reports nothing for an iteration that never started, even when it is returned', () => {
    const { events, observer } = recorder<number>();
    const observed = observeIterator(count(3), observer);
    expect(observed.return!('stopped')).toEqual({ value: 'stopped', done: true });
    expect(events).toEqual([]);
  });

  it('a break is one cancel, after the source ran its finally block', () => {
    const { events, observer } = recorder<number>();
    const source = (function* () {
      try {
        yield 1;
        yield 2;
      } finally {
        events.push('finally');
      }
    })();
    for (const value of observeIterator(source, observer)) if (value === 1) break;
    expect(events).toEqual(['start', ['value', 1], 'finally', 'cancel']);
  });

  it('a source that throws is one fail with the same error, rethrown', () => {
    const { events, observer } = recorder<number>();
    const thrown = new RangeError('boom');
    const source = (function* () {
      yield 1;
      throw thrown;
    })();
    const observed = observeIterator(source, observer);
    observed.next();
    expect(() => observed.next()).toThrow(thrown);
    expect(observed.next()).toEqual({ value: undefined, done: true });
    expect(events).toEqual(['start', ['value', 1], ['fail', thrown]]);
  });

  it('a return() whose finally block throws is a fail, not a cancel', () => {
    const { events, observer } = recorder<number>();
    const cleanup = new Error('cleanup failed');
    const source = (function* () {
      try {
        yield 1;
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the test is of a generator whose cleanup throws
        throw cleanup;
      }
    })();
    const observed = observeIterator(source, observer);
    observed.next();
    expect(() => observed.return!(undefined)).toThrow(cleanup);
    expect(events).toEqual(['start', ['value', 1], ['fail', cleanup]]);
  });

  it('throw(): the source answers; an error it does not catch is a fail', () => {
    const injected = new Error('stop');
    const caught = recorder<number>();
    const catching = (function* () {
      try {
        yield 1;
      } catch {
        yield 2;
      }
    })();
    const observed = observeIterator(catching, caught.observer);
    observed.next();
    expect(observed.throw!(injected)).toEqual({ value: 2, done: false });
    expect(observed.next()).toEqual({ value: undefined, done: true });
    expect(caught.events).toEqual(['start', ['value', 1], ['value', 2], 'done']);

    const uncaught = recorder<number>();
    const plain = observeIterator(count(3), uncaught.observer);
    expect(() => plain.throw!(injected)).toThrow(injected);
    expect(uncaught.events).toEqual(['start', ['fail', injected]]);
  });

  it('endOnConsumerCall: throw() fails and return() cancels at the call, whatever the source answers', () => {
    const injected = new Error('stop');
    const thrown = recorder<number>();
    const catching = (function* () {
      try {
        yield 1;
      } catch {
        yield 2;
      }
    })();
    const observed = observeIterator(catching, thrown.observer, { endOnConsumerCall: true });
    observed.next();
    expect(observed.throw!(injected)).toEqual({ value: 2, done: false });
    observed.next();
    expect(thrown.events).toEqual(['start', ['value', 1], ['fail', injected]]);

    const returned = recorder<number>();
    const cleanup = new Error('cleanup failed');
    const failing = (function* () {
      try {
        yield 1;
      } finally {
        returned.events.push('finally');
        // biome-ignore lint/correctness/noUnsafeFinally: the test is of a generator whose cleanup throws
        throw cleanup;
      }
    })();
    const stopped = observeIterator(failing, returned.observer, { endOnConsumerCall: true });
    stopped.next();
    expect(() => stopped.return!(undefined)).toThrow(cleanup);
    expect(returned.events).toEqual(['start', ['value', 1], 'cancel', 'finally']);
  });

  it('started: reports no start, and a return() before any next() cancels', () => {
    const { events, observer } = recorder<number>();
    const observed = observeIterator(count(2), observer, { started: true });
    expect(observed.return!('x')).toEqual({ value: 'x', done: true });
    observed.next();
    expect(events).toEqual(['cancel']);
  });

  it('offers throw() only when the source has it, and return() always', () => {
    const { events, observer } = recorder<number>();
    let i = 0;
    const bare: Iterator<number> = { next: () => ({ value: i++, done: false }) };
    const observed = observeIterator(bare, observer);
    expect(observed.throw).toBeUndefined();
    expect(observed.next()).toEqual({ value: 0, done: false });
    expect(observed.return!(7)).toEqual({ value: 7, done: true });
    expect(events).toEqual(['start', ['value', 0], 'cancel']);
  });
});

describe('observeAsyncIterator()', () => {
  it('forwards values and the return value, and reports start, values and done once', async () => {
    const { events, observer } = recorder<number>();
    const observed = observeAsyncIterator(countAsync(2), observer);
    expect(observed[Symbol.asyncIterator]()).toBe(observed);
    const seen: number[] = [];
    for await (const value of observed) seen.push(value);
    expect(seen).toEqual([0, 1]);
    await expect(observed.next()).resolves.toEqual({ value: undefined, done: true });
    expect(events).toEqual(['start', ['value', 0], ['value', 1], 'done']);
  });

  it('starts at the call of next(), before the source answers', async () => {
    const { events, observer } = recorder<number>();
    const observed = observeAsyncIterator(countAsync(1), observer);
    const pending = observed.next();
    expect(events).toEqual(['start']);
    await pending;
    expect(events).toEqual(['start', ['value', 0]]);
  });

  it('a break is one cancel after the source returned; a rejection is one fail', async () => {
    const stopped = recorder<number>();
    for await (const _ of observeAsyncIterator(countAsync(5), stopped.observer)) break;
    expect(stopped.events).toEqual(['start', ['value', 0], 'cancel']);

    const failed = recorder<string>();
    const thrown = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    const dying = (async function* () {
      yield 'a';
      throw thrown;
    })();
    const observed = observeAsyncIterator(dying, failed.observer);
    await observed.next();
    await expect(observed.next()).rejects.toBe(thrown);
    await expect(observed.return!(undefined)).resolves.toEqual({ value: undefined, done: true });
    expect(failed.events).toEqual(['start', ['value', 'a'], ['fail', thrown]]);
  });

  it('a return() that rejects is a fail; one before any next() reports nothing', async () => {
    const { events, observer } = recorder<number>();
    const cleanup = new Error('cleanup failed');
    const source = (async function* () {
      try {
        yield 1;
      } finally {
        // biome-ignore lint/correctness/noUnsafeFinally: the test is of a generator whose cleanup throws
        throw cleanup;
      }
    })();
    const observed = observeAsyncIterator(source, observer);
    await observed.next();
    await expect(observed.return!(undefined)).rejects.toBe(cleanup);
    expect(events).toEqual(['start', ['value', 1], ['fail', cleanup]]);

    const idle = recorder<number>();
    await observeAsyncIterator(countAsync(1), idle.observer).return!('x');
    expect(idle.events).toEqual([]);
  });

  it('a hand-written source: plain results and a next() that throws synchronously are observed', async () => {
    const plain = recorder<number>();
    let i = 0;
    const sync = {
      next: () => (i < 2 ? { value: i++, done: false } : { value: undefined, done: true }),
    } as unknown as AsyncIterator<number>;
    const observed = observeAsyncIterator(sync, plain.observer);
    expect(observed.throw).toBeUndefined();
    await expect(observed.next()).resolves.toEqual({ value: 0, done: false });
    await expect(observed.next()).resolves.toEqual({ value: 1, done: false });
    await expect(observed.next()).resolves.toEqual({ value: undefined, done: true });
    expect(plain.events).toEqual(['start', ['value', 0], ['value', 1], 'done']);

    const throwing = recorder<number>();
    const thrown = new Error('EPIPE');
    const broken = {
      next: () => {
        throw thrown;
      },
    } as unknown as AsyncIterator<number>;
    const pending = observeAsyncIterator(broken, throwing.observer).next();
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toBe(thrown);
    expect(throwing.events).toEqual(['start', ['fail', thrown]]);
  });

  it('started + endOnConsumerCall (a streamed response): throw() fails at the call, return() cancels', async () => {
    const thrown = recorder<number>();
    let received: unknown;
    const catching = (async function* () {
      try {
        yield 1;
        yield 2;
      } catch (error) {
        received = error;
      }
    })();
    const observed = observeAsyncIterator(catching, thrown.observer, { started: true, endOnConsumerCall: true });
    await observed.next();
    const abort = new Error('abort');
    await expect(observed.throw!(abort)).resolves.toEqual({ value: undefined, done: true });
    expect(received).toBe(abort);
    expect(thrown.events).toEqual([
      ['value', 1],
      ['fail', abort],
    ]);

    const returned = recorder<number>();
    const bare = { next: async () => ({ value: 1, done: false }) } as AsyncIterator<number>;
    const early = observeAsyncIterator(bare, returned.observer, { started: true, endOnConsumerCall: true });
    await expect(early.return!(undefined)).resolves.toEqual({ value: undefined, done: true });
    await early.next();
    expect(returned.events).toEqual(['cancel']);
  });
});
