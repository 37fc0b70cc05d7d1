import { describe, expect, it } from 'vitest';
import { MAX_COUNT, MAX_SECONDS } from './input.js';
import { field, inRange } from '@mltel/kit';

describe('field()', () => {
  it('reads a field; undefined for a throwing getter, a throwing Proxy or a non-object', () => {
    expect(field({ a: 1 }, 'a')).toBe(1);
    const throwing = Object.defineProperty({}, 'a', {
      get() {
        throw new Error('no');
      },
    });
    expect(field(throwing, 'a')).toBeUndefined();
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
      },
    );
    expect(field(proxy, 'a')).toBeUndefined();
    expect(field(undefined, 'a')).toBeUndefined();
  });
});

describe('inRange()', () => {
  it('admits 0 to max only; the documented maxima', () => {
    expect(inRange(0, 1)).toBe(true);
    expect(inRange(1, 1)).toBe(true);
    expect(inRange(1.1, 1)).toBe(false);
    expect(inRange(-0.1, 1)).toBe(false);
    expect(inRange(Number.NaN, 1)).toBe(false);
    expect(inRange('1', 1)).toBe(false);
    expect([MAX_SECONDS, MAX_COUNT]).toEqual([1e7, 1e12]);
  });
});
