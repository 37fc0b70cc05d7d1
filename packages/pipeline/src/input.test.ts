import { describe, expect, it } from 'vitest';
import { MAX_BATCH_SIZE, MAX_SECONDS, MAX_SEQUENCE_LENGTH, MAX_TOKENS } from './input.js';
import { arrayCopy, field, inRange } from '@mltel/kit';

const throwing = new Proxy([], {
  get() {
    throw new Error('no');
  },
});

describe('field() and arrayCopy()', () => {
  it('read a field or copy an array; undefined when reading throws', () => {
    expect(field({ a: 1 }, 'a')).toBe(1);
    expect(field(throwing, 'a')).toBeUndefined();
    expect(field('x', 'length')).toBeUndefined();
    expect(arrayCopy([1, 2, 3], 2)).toEqual([1, 2]);
    expect(arrayCopy(throwing, 2)).toBeUndefined();
    expect(arrayCopy({ length: 1 }, 2)).toBeUndefined();
  });
});

describe('inRange() and the documented maxima', () => {
  it('admits 0 to max only', () => {
    expect(inRange(0, 1)).toBe(true);
    expect(inRange(2, 1)).toBe(false);
    expect(inRange(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toBe(true);
    expect(inRange(Number.NaN, 1)).toBe(false);
    expect([MAX_SECONDS, MAX_BATCH_SIZE, MAX_SEQUENCE_LENGTH, MAX_TOKENS]).toEqual([1e7, 1e9, 1e9, 1e12]);
  });
});
