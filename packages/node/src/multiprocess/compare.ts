// Comparisons of wire values shared by the snapshot encoder and the merger: both widen a
// metric's time range over its points, and both tell shared histogram boundaries from others.
import type { HrTime } from '@opentelemetry/api';

/** The earlier of two times (`a` when equal). */
export function earlier(a: HrTime, b: HrTime): HrTime {
  return a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]) ? a : b;
}

/** The later of two times (`b` when equal). */
export function later(a: HrTime, b: HrTime): HrTime {
  return earlier(a, b) === a ? b : a;
}

/** True when both lists hold the same numbers in the same order. */
export function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
