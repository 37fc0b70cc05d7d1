// Reading what a caller hands a meter: a field of an options object or record (which may be a
// Proxy or have a throwing getter), an array copied behind a guard, and the plausible range of a
// number. A finite but absurd value (1e308 s) would turn a histogram's `_sum` into +Inf for ever.

/** `object[key]`, or undefined when `object` is not an object or reading the field throws. Never throws. */
export function field(object: unknown, key: string): unknown {
  if (object === null || (typeof object !== 'object' && typeof object !== 'function')) return undefined;
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** True for a number from 0 to `max` (so never NaN or infinite). */
export function inRange(value: unknown, max: number): value is number {
  return typeof value === 'number' && value >= 0 && value <= max;
}

/** A copy of `value` when it is an array (at most `max` entries), else undefined; never throws (a Proxy of an array may). */
export function arrayCopy(value: unknown, max: number): unknown[] | undefined {
  try {
    return Array.isArray(value) ? value.slice(0, max) : undefined;
  } catch {
    return undefined;
  }
}
