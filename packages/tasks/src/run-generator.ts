// A generator (sync or async) recorded as one task, through kit's iterator lifecycle: the task
// starts at the first next() and ends once, when the generator finishes, throws, or the consumer
// stops it early (`break`: cancelled).
import { observeAsyncIterator, observeIterator } from '@mltel/kit';
import type { IterationObserver } from '@mltel/kit';
import type { TaskHandle } from './types.js';

/** Which generator kind a function is, from its constructor; undefined for any other function. */
export function generatorKind(fn: (...args: never[]) => unknown): 'generator' | 'asyncGenerator' | undefined {
  let ctor: unknown;
  try {
    ctor = fn.constructor?.name;
  } catch {
    // A Proxy function whose traps throw: called as a plain function, its own throw reaches the caller.
    return undefined;
  }
  if (ctor === 'GeneratorFunction') return 'generator';
  if (ctor === 'AsyncGeneratorFunction') return 'asyncGenerator';
  return undefined;
}

function taskObserver(begin: () => TaskHandle): IterationObserver<unknown> {
  let handle: TaskHandle | undefined;
  return {
    start: () => {
      handle = begin();
    },
    done: () => handle?.success(),
    fail: (error) => handle?.fail(error),
    cancel: () => handle?.end('cancelled'),
  };
}

/** `generator`, its iteration recorded as the task that `begin` starts at the first next(). */
export function runGenerator<T, R, N>(generator: Generator<T, R, N>, begin: () => TaskHandle): Generator<T, R, N> {
  return observeIterator(generator, taskObserver(begin)) as Generator<T, R, N>;
}

/** `generator`, its iteration recorded as the task that `begin` starts at the first next(). */
export function runAsyncGenerator<T, R, N>(
  generator: AsyncGenerator<T, R, N>,
  begin: () => TaskHandle,
): AsyncGenerator<T, R, N> {
  return observeAsyncIterator(generator, taskObserver(begin)) as AsyncGenerator<T, R, N>;
}
