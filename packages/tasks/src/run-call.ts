// A plain call (sync, or async when it returns a thenable) recorded as one task, with the
// optional time limit of async work.
import { describeValue, isThenable } from '@mltel/kit';
import type { WarnOnce } from '@mltel/kit';
import { TaskTimeoutError } from './errors.js';
import type { TaskHandle } from './types.js';

/** The time limit of one call: the task name for its error, and `timeoutMs` as the user gave it. */
export interface CallLimit {
  readonly name: string;
  readonly timeoutMs: unknown;
}

/**
 * Runs `call` as the task of `handle`: a return ends it as success, a throw as failure (rethrown);
 * a thenable ends it when it settles, or at `limit.timeoutMs` as `timeout` (the returned promise
 * then rejects with {@link TaskTimeoutError}). An invalid time limit is ignored with one warning.
 */
export function runCall(call: () => unknown, handle: TaskHandle, limit: CallLimit, warnings: WarnOnce): unknown {
  let result: unknown;
  try {
    result = call();
  } catch (error) {
    handle.fail(error);
    throw error;
  }
  if (!isThenable(result)) {
    handle.success();
    return result;
  }
  const settled = Promise.resolve(result);
  const timeoutMs = limit.timeoutMs;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    if (timeoutMs !== undefined) {
      warnings.warn('timeout:invalid', `timeoutMs must be a positive number, got ${describeValue(timeoutMs)}; ignored`);
    }
    return settled.then(
      (value) => {
        handle.success();
        return value;
      },
      (error: unknown) => {
        handle.fail(error);
        throw error;
      },
    );
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new TaskTimeoutError(limit.name, timeoutMs);
      handle.end('timeout', error.name);
      reject(error);
    }, timeoutMs);
    // Like the work itself, the time limit must not keep an otherwise idle process alive.
    timer.unref?.();
    settled.then(
      (value) => {
        clearTimeout(timer);
        handle.success();
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        handle.fail(error);
        reject(error);
      },
    );
  });
}
