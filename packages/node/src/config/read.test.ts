import { describe, expect, it } from 'vitest';
import { read } from './read.js';

describe('read', () => {
  it('trims the value', () => {
    expect(read({ A: '  9464 \n' }, 'A')).toBe('9464');
    expect(read({ A: 'x y' }, 'A')).toBe('x y');
  });

  it('treats unset, empty and blank alike: undefined', () => {
    expect(read({}, 'A')).toBeUndefined();
    expect(read({ A: undefined }, 'A')).toBeUndefined();
    expect(read({ A: '' }, 'A')).toBeUndefined();
    expect(read({ A: ' \t ' }, 'A')).toBeUndefined();
  });

  it('reads only the variable named', () => {
    expect(read({ A: '1', B: '2' }, 'B')).toBe('2');
    expect(read({ a: '1' }, 'A')).toBeUndefined();
  });
});
