// Reading a caller's options and records without throwing: a field behind a guard (a Proxy or a
// throwing getter gives undefined), and a thrown value described without String(), which an
// error whose `toString` or `Symbol.toPrimitive` throws would turn into a second throw.
import { errorTypeOf } from '@mltel/kit';

/** `object[key]`, or undefined when `object` is not an object or reading the field throws. Never throws. */
export function field(object: unknown, key: string): unknown {
  if (object === null || (typeof object !== 'object' && typeof object !== 'function')) return undefined;
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** A copy of `value` when it is an array (at most `max` entries), else undefined. Never throws. */
export function arrayCopy(value: unknown, max: number): unknown[] | undefined {
  try {
    return Array.isArray(value) ? value.slice(0, max) : undefined;
  } catch {
    return undefined;
  }
}

/** A thrown value for a warning: its class or code (`TypeError`), never its message; never throws. */
export function describeThrown(error: unknown): string {
  try {
    return errorTypeOf(error);
  } catch {
    return 'an unreadable value';
  }
}
