import { OTHER_VALUE } from '@mltel/semconv';

/** The `name` of a thrown object when it is a string (`TypeError`, `AbortError`); never throws. */
export function errorNameOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  try {
    const name = (error as { name?: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The `error.type` of a thrown value: its `code` when it is a short string (`ECONNRESET`),
 * else its class name (`TypeError`), else `_OTHER`. Never the message, which may hold data.
 */
export function errorTypeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code)) return code;
    const name = errorNameOf(error);
    if (name && name !== 'Error') return name;
    const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof ctor === 'string' && ctor !== '' && ctor !== 'Object') return ctor;
    return 'Error';
  }
  return OTHER_VALUE;
}
