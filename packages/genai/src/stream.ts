import { observeAsyncIterator } from '@mltel/kit';
import type { ProviderUsage } from './types.js';

/** What a stream's iteration reports to the call it belongs to. */
export interface StreamSink<C> {
  /** One chunk arrived; `output` says whether it carries output. */
  chunk(chunk: C, output: boolean): void;
  /** Iteration finished, or the consumer stopped early (`break`). */
  end(): void;
  /** Iteration failed with `error` (the stream died mid-way). */
  fail(error: unknown): void;
}

/** Reads usage and output-ness from chunks, never throwing into the iteration. */
export class ChunkReader<C> {
  usage: ProviderUsage | undefined;

  constructor(
    private readonly extract: ((chunk: C) => ProviderUsage | undefined) | undefined,
    private readonly isOutput: ((chunk: C) => boolean) | undefined,
  ) {}

  /** Merges the chunk's usage into `usage`; returns whether the chunk carries output. */
  read(chunk: C): boolean {
    if (this.extract !== undefined) {
      try {
        const found = this.extract(chunk);
        if (found !== undefined && found !== null) this.usage = mergeUsage(this.usage, found);
      } catch {
        // A failing extractor loses this chunk's usage, never the user's stream.
      }
    }
    if (this.isOutput === undefined) return true;
    try {
      return this.isOutput(chunk) === true;
    } catch {
      return false;
    }
  }
}

/** Later defined fields win; undefined fields keep the earlier value. */
export function mergeUsage(earlier: ProviderUsage | undefined, later: ProviderUsage): ProviderUsage {
  if (earlier === undefined) return { ...later };
  const merged: ProviderUsage = { ...earlier };
  for (const key of Object.keys(later) as (keyof ProviderUsage)[]) {
    const value = later[key];
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

// The call began before the stream (it is the request), so the iteration is already started; a
// consumer's throw() (an abort) is the call's failure and return() (a `break`) its end, at once,
// whatever the source answers then. return() reaches the source, which lets an SDK abort the request.
function observeIterator<C>(
  iterator: AsyncIterator<C>,
  sink: StreamSink<C>,
  read: (chunk: C) => boolean,
): AsyncIterator<C> {
  return observeAsyncIterator(
    iterator,
    {
      value: (chunk) => sink.chunk(chunk, read(chunk)),
      done: () => sink.end(),
      fail: (error) => sink.fail(error),
      cancel: () => sink.end(),
    },
    { started: true, endOnConsumerCall: true },
  );
}

/**
 * Observes the first iteration of an async iterable. The iterable itself is returned, its
 * `Symbol.asyncIterator` overridden on the instance, so whatever else it offers (an SDK stream's
 * `controller`, `tee()`, `toReadableStream()`) keeps working; a frozen iterable is wrapped instead.
 * Later iterations are not observed (the call ended with the first).
 */
export function observeIterable<C>(
  source: AsyncIterable<C>,
  sink: StreamSink<C>,
  read: (chunk: C) => boolean,
): AsyncIterable<C> {
  const original = source[Symbol.asyncIterator];
  let observed = false;
  const iterate = function (this: unknown): AsyncIterator<C> {
    const iterator = original.call(this === undefined ? source : this);
    if (observed) return iterator;
    observed = true;
    return observeIterator(iterator, sink, read);
  };
  if (Object.isExtensible(source)) {
    try {
      Object.defineProperty(source, Symbol.asyncIterator, { value: iterate, configurable: true, writable: true });
      return source;
    } catch {
      // Fall through to a wrapper.
    }
  }
  return { [Symbol.asyncIterator]: () => iterate.call(source) };
}

/** Whether a value can be iterated with for-await. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}
