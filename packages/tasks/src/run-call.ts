// A plain call (sync, or async when it returns a thenable) recorded as one task, with the
// optional time limit of async work.
import { describeValue, isThenable } from '@mltel/kit';
import type { WarnOnce } from '@mltel/kit';
import { TaskTimeoutError } from './errors.js';
import { MAX_TIMEOUT_MS } from './input.js';
import type { TaskHandle } from './types.js';

/** The time limit of one call: the task name for its error, and `timeoutMs` as the user gave it. */
export interface CallLimit {
  readonly name: string;
  readonly timeoutMs: unknown;
}

/**
 * Runs `call` as the task of `handle`: a return ends it as success, a throw as failure (rethrown);
 * a thenable ends it when it settles, or at `limit.timeoutMs` as `timeout` (the returned promise
 * then rejects with {@link TaskTimeoutError}). An invalid time limit (not 1 to 2^31-1 ms) is ignored
 * with one warning. The handle's methods never throw, so the caller always gets `call`'s own result.
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
  // Not Promise.resolve(result): for a native promise it reads `result.constructor`, which may
  // throw synchronously; resolving a new promise with it turns any such throw into a rejection.
  const settled = new Promise<unknown>((resolve) => resolve(result));
  const timeoutMs = limit.timeoutMs;
  // Past 2^31-1 ms Node fires a timer at once (TimeoutOverflowWarning): such a limit is ignored.
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    if (timeoutMs !== undefined) {
      warnings.warn(
        'timeout:invalid',
        `timeoutMs must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${describeValue(timeoutMs)}; ignored`,
      );
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
