import type { HrTime } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { earlier, later, sameNumbers } from './compare.js';

describe('earlier / later', () => {
  it('order by seconds first, then nanoseconds', () => {
    const a: HrTime = [10, 999_999_999];
    const b: HrTime = [11, 0];
    const c: HrTime = [11, 5];
    expect(earlier(a, b)).toBe(a);
    expect(earlier(b, a)).toBe(a);
    expect(earlier(c, b)).toBe(b);
    expect(later(a, b)).toBe(b);
    expect(later(b, a)).toBe(b);
    expect(later(b, c)).toBe(c);
  });

  it('equal times: earlier gives the first argument, later the second', () => {
    const a: HrTime = [5, 7];
    const b: HrTime = [5, 7];
    expect(earlier(a, b)).toBe(a);
    expect(later(a, b)).toBe(b);
  });
});

describe('sameNumbers', () => {
  it('is true only for the same numbers in the same order', () => {
    expect(sameNumbers([], [])).toBe(true);
    expect(sameNumbers([0.1, 1, 10], [0.1, 1, 10])).toBe(true);
    expect(sameNumbers([0.1, 1, 10], [0.1, 1])).toBe(false);
    expect(sameNumbers([1, 10], [10, 1])).toBe(false);
    expect(sameNumbers([Number.NaN], [Number.NaN])).toBe(false);
  });
});
