import { describe, expect, it } from 'vitest';
import { count, neverThrows, object, reported, sum, text } from './usage-fields.js';

describe('usage field readers', () => {
  it('object, count and text take only what they read', () => {
    expect(object({ a: 1 })).toEqual({ a: 1 });
    expect(object(null)).toBeUndefined();
    expect(object(3)).toBeUndefined();
    expect([count(0), count(5), count(-1), count(Number.NaN), count(Infinity), count('3')]).toEqual([
      0,
      5,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect([text('m'), text(''), text(1)]).toEqual(['m', undefined, undefined]);
  });

  it('sum adds the counts present, and is undefined when none is', () => {
    expect(sum(1, undefined, 2)).toBe(3);
    expect(sum(undefined, 0)).toBe(0);
    expect(sum(undefined, undefined)).toBeUndefined();
    expect(sum()).toBeUndefined();
  });

  it('reported drops undefined fields, and is undefined when none is left', () => {
    expect(reported({ inputTokens: 3, outputTokens: undefined })).toEqual({ inputTokens: 3 });
    expect(reported({ inputTokens: undefined })).toBeUndefined();
  });

  it('neverThrows turns a throwing read into undefined', () => {
    const read = neverThrows((body) => {
      if (body === 'bad') throw new Error('boom');
      return { inputTokens: 1 };
    });
    expect(read('bad')).toBeUndefined();
    expect(read('good')).toEqual({ inputTokens: 1 });
  });
});
