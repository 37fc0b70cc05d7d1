import { describe, expect, it } from 'vitest';
import { arrayCopy, field, inRange } from './input.js';

const hostileProxy = new Proxy(
  {},
  {
    get() {
      throw new Error('get trap');
    },
    getPrototypeOf() {
      throw new Error('prototype trap');
    },
  },
);

describe('field', () => {
  it('reads a field of an object or function, else undefined', () => {
    expect(field({ a: 1 }, 'a')).toBe(1);
    expect(
      field(
        Object.assign(() => {}, { a: 2 }),
        'a',
      ),
    ).toBe(2);
    expect(field('text', 'length')).toBeUndefined();
    expect(field(null, 'a')).toBeUndefined();
  });

  it('never throws: a throwing getter or Proxy trap gives undefined', () => {
    const getter = {
      get a(): unknown {
        throw new Error('getter');
      },
    };
    expect(field(getter, 'a')).toBeUndefined();
    expect(field(hostileProxy, 'a')).toBeUndefined();
  });
});

describe('inRange', () => {
  it('is true from 0 to max only, never for NaN, infinities or non-numbers', () => {
    expect([0, 5, 10].map((v) => inRange(v, 10))).toEqual([true, true, true]);
    expect([-1, 10.5, Number.NaN, Number.POSITIVE_INFINITY, 1e308, '5', 5n].map((v) => inRange(v, 10))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('arrayCopy', () => {
  it('copies at most max entries of an array, undefined otherwise', () => {
    const source = [1, 2, 3];
    const copy = arrayCopy(source, 2);
    expect(copy).toEqual([1, 2]);
    expect(copy).not.toBe(source);
    expect(arrayCopy('abc', 2)).toBeUndefined();
  });

  it('never throws on a Proxy of an array whose traps throw', () => {
    const hostileArray = new Proxy([1, 2], {
      get() {
        throw new Error('get trap');
      },
    });
    expect(arrayCopy(hostileArray, 5)).toBeUndefined();
  });
});
