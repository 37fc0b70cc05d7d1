/**
 * True for a promise-like value (an object or function with a callable `then`). Never throws:
 * a `then` getter that throws makes the value not thenable.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}
