// The lifecycle of one observed iteration, written once for the task meter's generators (sync and
// async) and genai's streams: it starts at the first next() (or throw()), and ends exactly once,
// when the source finishes, throws, or the consumer stops early with return().

/**
 * What an observed iteration reports. Nothing is reported before it started, and after `done`,
 * `fail` or `cancel` nothing more. The methods must not throw: they run inside the user's loop.
 */
export interface IterationObserver<T> {
  /** The iteration started: the first next() or throw(), before it reaches the source. */
  start?(): void;
  /** The source yielded `value`. */
  value?(value: T): void;
  /** The source finished (`done: true`). */
  done(): void;
  /** The source threw or rejected (in next(), throw() or return()). */
  fail(error: unknown): void;
  /** The consumer stopped early: return() (a `break`) before the source finished. */
  cancel(): void;
}

/** How an observed iteration starts and how the consumer's throw() and return() end it. */
export interface IterationOptions {
  /**
   * The iteration counts as started when it is observed (its work began earlier, like a request
   * whose response is streamed), not at the first next(): a return() before any next() cancels it.
   */
  started?: boolean;
  /**
   * The consumer's throw(error) and return() end the iteration when they are called, as
   * `fail(error)` and `cancel()`, whatever the source answers. Default: the source's answer
   * decides (a throw() the source catches goes on; a return() that throws is a failure).
   */
  endOnConsumerCall?: boolean;
}

/** A sync iterator that is its own iterable, as a generator is. */
export type ObservedIterator<T, R, N> = Iterator<T, R, N> & { [Symbol.iterator](): ObservedIterator<T, R, N> };

/** An async iterator that is its own async iterable, as an async generator is. */
export type ObservedAsyncIterator<T, R, N> = AsyncIterator<T, R, N> & {
  [Symbol.asyncIterator](): ObservedAsyncIterator<T, R, N>;
};

const IDLE = 0;
const RUNNING = 1;
const ENDED = 2;

/** The state machine: idle, running, ended; each report at most once, in that order. */
class Lifecycle<T> {
  private state: typeof IDLE | typeof RUNNING | typeof ENDED;

  constructor(
    private readonly observer: IterationObserver<T>,
    started: boolean,
  ) {
    this.state = started ? RUNNING : IDLE;
  }

  begin(): void {
    if (this.state !== IDLE) return;
    this.state = RUNNING;
    this.observer.start?.();
  }

  step(result: IteratorResult<T, unknown>): void {
    if (this.state !== RUNNING) return;
    if (result.done) {
      this.state = ENDED;
      this.observer.done();
    } else {
      this.observer.value?.(result.value);
    }
  }

  fail(error: unknown): void {
    if (this.state !== RUNNING) return;
    this.state = ENDED;
    this.observer.fail(error);
  }

  cancel(): void {
    if (this.state !== RUNNING) return;
    this.state = ENDED;
    this.observer.cancel();
  }
}

/**
 * Calls the source, then `ok` with its result, or `failed` with what it threw before rethrowing
 * it: at once for a sync iterator, once settled for an async one. The one difference between the
 * two kinds, so the lifecycle below is written once for both.
 */
type Through = (call: () => unknown, ok: (result: unknown) => unknown, failed: (error: unknown) => void) => unknown;

const syncThrough: Through = (call, ok, failed) => {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    failed(error);
    throw error;
  }
  return ok(result);
};

// Through a promise: a source whose next() returns a plain result (for-await accepts it) or throws
// synchronously is observed too, and the caller always gets a promise.
const asyncThrough: Through = (call, ok, failed) => {
  let pending: Promise<unknown>;
  try {
    pending = Promise.resolve(call());
  } catch (error) {
    pending = Promise.reject(error);
  }
  return pending.then(ok, (error: unknown) => {
    failed(error);
    throw error;
  });
};

interface AnyIterator {
  next(...args: unknown[]): unknown;
  return?(value?: unknown): unknown;
  throw?(error?: unknown): unknown;
}

function observe<T>(
  source: AnyIterator,
  observer: IterationObserver<T>,
  options: IterationOptions,
  through: Through,
  self: typeof Symbol.iterator | typeof Symbol.asyncIterator,
): AnyIterator {
  const lifecycle = new Lifecycle(observer, options.started === true);
  const atCall = options.endOnConsumerCall === true;
  const stepped = (result: unknown): unknown => {
    lifecycle.step(result as IteratorResult<T, unknown>);
    return result;
  };
  const failed = (error: unknown): void => lifecycle.fail(error);
  const cancelled = (result: unknown): unknown => {
    lifecycle.cancel();
    return result;
  };
  const observed: AnyIterator & { [key: symbol]: unknown } = {
    next: (...args: unknown[]) => {
      lifecycle.begin();
      return through(() => source.next(...args), stepped, failed);
    },
    // Always offered, so a `break` ends the iteration even on a source without return().
    return: (value?: unknown) => {
      if (atCall) lifecycle.cancel();
      return through(
        () => (typeof source.return === 'function' ? source.return(value) : { done: true, value }),
        cancelled,
        failed,
      );
    },
    [self]: () => observed,
  };
  if (typeof source.throw === 'function') {
    observed.throw = (error?: unknown) => {
      lifecycle.begin();
      if (atCall) lifecycle.fail(error);
      return through(() => source.throw!(error), stepped, failed);
    };
  }
  return observed;
}

/**
 * Observes a sync iterator (a generator): returns an iterator that forwards every call to
 * `source` unchanged (values, return values, thrown errors) and reports its lifecycle to
 * `observer`. `throw()` is offered when the source has it; `return()` always.
 */
export function observeIterator<T, R, N>(
  source: Iterator<T, R, N>,
  observer: IterationObserver<T>,
  options: IterationOptions = {},
): ObservedIterator<T, R, N> {
  return observe(
    source as unknown as AnyIterator,
    observer,
    options,
    syncThrough,
    Symbol.iterator,
  ) as unknown as ObservedIterator<T, R, N>;
}

/**
 * Observes an async iterator (an async generator, a stream): like {@link observeIterator}, each
 * call answered by a promise; the iteration ends when the source's answer settles.
 */
export function observeAsyncIterator<T, R, N>(
  source: AsyncIterator<T, R, N>,
  observer: IterationObserver<T>,
  options: IterationOptions = {},
): ObservedAsyncIterator<T, R, N> {
  return observe(
    source as unknown as AnyIterator,
    observer,
    options,
    asyncThrough,
    Symbol.asyncIterator,
  ) as unknown as ObservedAsyncIterator<T, R, N>;
}
