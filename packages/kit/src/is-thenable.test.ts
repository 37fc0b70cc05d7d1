import { describe, expect, it } from 'vitest';
import { isThenable } from './is-thenable.js';

describe('isThenable', () => {
  it('is true for promises and promise-likes, functions included', () => {
    expect(isThenable(Promise.resolve(1))).toBe(true);
    expect(isThenable({ then: () => {} })).toBe(true);
    expect(isThenable(Object.assign(() => {}, { then: () => {} }))).toBe(true);
  });

  it('is false for everything else, and for a then getter that throws', () => {
    for (const value of [null, undefined, 0, 'then', {}, { then: 1 }, () => {}]) expect(isThenable(value)).toBe(false);
    const hostile = {
      get then(): unknown {
        throw new Error('hostile');
      },
    };
    expect(isThenable(hostile)).toBe(false);
  });
});
