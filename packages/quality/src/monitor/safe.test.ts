import { describe, expect, it } from 'vitest';
import { describeThrown } from './safe.js';
import { arrayCopy, field } from '@mltel/kit';

const explode = (): never => {
  throw new Error('no');
};

describe('field() and arrayCopy()', () => {
  it('read or copy, and give undefined where reading throws', () => {
    expect(field({ a: 1 }, 'a')).toBe(1);
    expect(field(Object.defineProperty({}, 'a', { get: explode }), 'a')).toBeUndefined();
    expect(field(new Proxy({}, { get: explode }), 'a')).toBeUndefined();
    expect(arrayCopy([1, 2, 3], 2)).toEqual([1, 2]);
    expect(arrayCopy(new Proxy([], { get: explode }), 2)).toBeUndefined();
    expect(arrayCopy('ab', 2)).toBeUndefined();
  });
});

describe('describeThrown()', () => {
  it('names the class of an error, and survives an error whose conversions and getters throw', () => {
    expect(describeThrown(new RangeError('secret'))).toBe('RangeError');
    const hostile = Object.defineProperty({ toString: explode, [Symbol.toPrimitive]: explode }, 'code', {
      get: explode,
    });
    expect(() => String(hostile)).toThrow();
    expect(describeThrown(hostile)).toBe('an unreadable value');
  });
});
