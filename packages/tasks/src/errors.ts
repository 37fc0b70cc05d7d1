import type { MlTaskStatus } from '@mltel/semconv';
import { describeValue, errorNameOf } from '@mltel/kit';

export { errorTypeOf } from '@mltel/kit';

/** Thrown by a task wrapped with `timeoutMs` when its time limit passes. */
export class TaskTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  /** The time limit that passed, in milliseconds. */
  readonly timeoutMs: number;
  constructor(taskName: string, timeoutMs: number) {
    // The name as given may be anything (a timer callback must not throw converting it).
    const primitive = ['string', 'number', 'boolean', 'bigint'].includes(typeof taskName);
    const named = primitive ? String(taskName).slice(0, 128) : describeValue(taskName);
    super(`task "${named}" did not finish within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Default status of a thrown value: `TimeoutError` (`AbortSignal.timeout`, {@link TaskTimeoutError})
 * is `timeout`, `AbortError` (an aborted signal) is `cancelled`, anything else `error`.
 */
export function classifyError(error: unknown): 'error' | 'timeout' | 'cancelled' {
  const name = errorNameOf(error);
  if (name === 'TimeoutError') return 'timeout';
  if (name === 'AbortError') return 'cancelled';
  return 'error';
}

/** Whether a status counts in `ml.task.errors`. */
export function isFailure(status: MlTaskStatus): boolean {
  return status === 'error' || status === 'timeout' || status === 'retry';
}
