// Queue depths of the pipeline meter: `observeQueue` hands its reader to the kit's process-wide
// queue-depth registry, the one owner of `ml.queue.size` (shared with @mltel/tasks), which
// admits the queue names, follows the global provider and skips readers that fail.
import type { MeterProvider } from '@opentelemetry/api';
import { describeValue, queueDepths } from '@mltel/kit';
import type { WarnOnce } from '@mltel/kit';

/** What `observeQueue` reads: a function returning the depth, or a collection whose length or size it is. */
export type QueueReader = (() => number) | { readonly length: number } | { readonly size: number };

/**
 * Reports the depth of `queue` as `ml.queue.size` on `meterProvider` (default: the global one)
 * at every collection. Returns the function that stops it; a no-op, with one warning, when
 * `read` is neither a function nor something with a `length` or `size`.
 */
export function observeQueue(
  queue: string,
  read: QueueReader,
  meterProvider: MeterProvider | undefined,
  warnings: WarnOnce,
): () => void {
  const reader = readerOf(read);
  if (reader === undefined) {
    warnings.warn('queue:reader', `observeQueue() needs a function, an array or a Map/Set, got ${describeValue(read)}`);
    return () => {};
  }
  return queueDepths(meterProvider).observe(queue, reader);
}

/** `read` as a function: itself, or one returning the array's length or the Map's or Set's size. */
export function readerOf(read: unknown): (() => number) | undefined {
  try {
    return readerOfValue(read);
  } catch {
    // A Proxy whose traps throw (instanceof, Array.isArray of a revoked one): not a reader.
    return undefined;
  }
}

function readerOfValue(read: unknown): (() => number) | undefined {
  if (typeof read === 'function') return read as () => number;
  if (Array.isArray(read)) return () => read.length;
  if (read instanceof Map || read instanceof Set) return () => read.size;
  if (typeof read === 'object' && read !== null) {
    if (typeof (read as { length?: unknown }).length === 'number') return () => (read as { length: number }).length;
    if (typeof (read as { size?: unknown }).size === 'number') return () => (read as { size: number }).size;
  }
  return undefined;
}
