// The exit codes of `mltel drift`, and the error that ends a run with the input/output code: a
// file that cannot be read, parsed, profiled or written, named with the reason.
import { printable } from '../io.js';

/** Exit codes of `mltel drift profile` and `mltel drift compare`. */
export const DRIFT_EXIT = {
  /** Done (compare: no score reached --fail-on). */
  ok: 0,
  /** compare: a score reached the --fail-on level. */
  drift: 1,
  /** Bad arguments. */
  usage: 2,
  /** A file could not be read, parsed or written, or holds nothing to use (the message names it). */
  input: 3,
} as const;

/** A problem with one file: the run ends with DRIFT_EXIT.input and `message` on stderr. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    /** The file, as resolved. */
    readonly path: string,
    /** Why, in a few words; may quote the input, so it is made printable and bounded. */
    readonly reason: string,
    /** What was being done with the file. */
    readonly action: 'read' | 'write' | 'profile' = 'read',
  ) {
    super(`cannot ${action} ${printable(path, 1024)}: ${printable(reason, 1024)}`);
  }
}

/** An fs or parser error as a reason: its message, without Node's trailing ", open '<path>'". */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.message.replace(/, (?:open|stat|access|read|scandir|lstat) '.*'$/, '');
}
