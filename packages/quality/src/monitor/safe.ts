// Reading a caller's options and records without throwing: a field behind a guard (a Proxy or a
// throwing getter gives undefined), and a thrown value described without String(), which an
// error whose `toString` or `Symbol.toPrimitive` throws would turn into a second throw.
import { errorTypeOf } from '@mltel/kit';

/** A thrown value for a warning: its class or code (`TypeError`), never its message; never throws. */
export function describeThrown(error: unknown): string {
  try {
    return errorTypeOf(error);
  } catch {
    return 'an unreadable value';
  }
}
