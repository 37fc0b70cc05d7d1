import { describe, expect, it } from 'vitest';
import { ratesOf, table, usd } from './format.js';

describe('price formatting', () => {
  it('writes exact dollars, never exponents', () => {
    expect(usd('0.0000025', 1_000_000)).toBe('$2.5');
    expect(usd(7.5e-8, 1_000_000)).toBe('$0.075');
    expect(usd(undefined)).toBe('-');
    expect(usd('not a number')).toBe('-');
  });

  it('shows each rate in its unit, in a fixed order', () => {
    expect(ratesOf({ output: '0.00001', input: '0.0000025', image: '0.04', request: '0.005' })).toEqual([
      'input /1M tok $2.5',
      'output /1M tok $10',
      'per image $0.04',
      'per request $0.005',
    ]);
  });

  it('pads columns and escapes control characters of foreign text', () => {
    expect(
      table(
        ['A', 'B'],
        [
          ['long cell', 'x'],
          ['y\u001b[31m', 'z'],
        ],
      ),
    ).toBe('A          B\nlong cell  x\ny\\x1b[31m  z\n');
  });
});
