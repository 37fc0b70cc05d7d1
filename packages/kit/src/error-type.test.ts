import { describe, expect, it } from 'vitest';
import { errorNameOf, errorTypeOf } from './error-type.js';

describe('errorTypeOf', () => {
  it('takes a short upper-case code first, then the class name', () => {
    expect(errorTypeOf(Object.assign(new Error('boom'), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
    expect(errorTypeOf(new TypeError('x'))).toBe('TypeError');
    class QuotaError extends Error {}
    expect(errorTypeOf(new QuotaError('x'))).toBe('QuotaError');
  });

  it('never uses a message or a long or lower-case code', () => {
    expect(errorTypeOf(Object.assign(new Error('secret prompt'), { code: 'not a code' }))).toBe('Error');
    expect(errorTypeOf(Object.assign(new Error('x'), { code: `E${'X'.repeat(60)}` }))).toBe('Error');
  });

  it('is _OTHER for a thrown non-object', () => {
    for (const value of ['text', 42, undefined, null, Symbol('s')]) expect(errorTypeOf(value)).toBe('_OTHER');
  });

  it('is Error for a plain object without a name', () => {
    expect(errorTypeOf({})).toBe('Error');
  });
});

describe('errorNameOf', () => {
  it('is the string name of an object, else undefined, and never throws', () => {
    expect(errorNameOf(new RangeError('x'))).toBe('RangeError');
    expect(errorNameOf({ name: 42 })).toBeUndefined();
    expect(errorNameOf('AbortError')).toBeUndefined();
    const hostile = {
      get name(): string {
        throw new Error('hostile');
      },
    };
    expect(errorNameOf(hostile)).toBeUndefined();
  });
});
