// Reading what a caller hands the task meter: a field of an options object or record (which may
// be a Proxy or have a throwing getter), and the plausible range of each number it records.
// A finite but absurd value (1e308 s) would turn a histogram's `_sum` into +Inf for ever.
import { errorTypeOf } from '@mltel/kit';

/** Longest plausible duration, in seconds (~115 days): `ml.task.duration`, `ml.task.queue.duration`. */
export const MAX_SECONDS = 1e7;
/** Largest plausible queue depth (`ml.queue.size`). */
export const MAX_QUEUE_SIZE = 1e12;
/** Longest time limit Node's timers keep (2^31-1 ms, ~24.8 days); a longer one would fire at once. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** The `error.type` of a thrown value, `_OTHER` when even reading it throws (a hostile getter). Never throws. */
export function safeErrorType(error: unknown): string {
  try {
    return errorTypeOf(error);
  } catch {
    return '_OTHER';
  }
}
