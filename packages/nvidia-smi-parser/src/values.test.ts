// Value normalisation: absent markers, units to base units, integers and switches. The inputs
// are cells as they appear in the real captures (`81559 MiB`, `[N/A]`, `ERR%`, `433.78 W`).
import { describe, expect, it } from 'vitest';
import { enabled, integer, isAbsent, quantity, text } from './values.js';

describe('isAbsent and text', () => {
  it.each([
    '[N/A]',
    'N/A',
    '[Not Supported]',
    'Requested functionality has been deprecated',
    '[Requested functionality has been deprecated]',
    'ERR!',
    'ERR%',
    '[Unknown Error]',
    'Not Available',
    'None',
    '  ',
    '',
  ])('%j is absent', (raw) => {
    expect(isAbsent(raw)).toBe(true);
    expect(text(raw)).toBeUndefined();
  });

  it('values are present and trimmed', () => {
    expect(isAbsent(undefined)).toBe(true);
    expect(isAbsent('P0')).toBe(false);
    expect(text('  NVIDIA H100 80GB HBM3 ')).toBe('NVIDIA H100 80GB HBM3');
    expect(text('0')).toBe('0');
  });
});

describe('quantity', () => {
  it('converts to base units: bytes, ratio, watts, hertz, celsius', () => {
    expect(quantity('81559 MiB', 'bytes')).toBe(81559 * 1048576);
    expect(quantity('81559', 'bytes')).toBe(81559 * 1048576); // nounits: MiB
    expect(quantity('512 KiB', 'bytes')).toBe(524288);
    expect(quantity('2 GiB', 'bytes')).toBe(2147483648);
    expect(quantity('35 %', 'ratio')).toBe(0.35);
    expect(quantity('100', 'ratio')).toBe(1);
    expect(quantity('433.78 W', 'watts')).toBe(433.78);
    expect(quantity('1500 mW', 'watts')).toBe(1.5);
    expect(quantity('1410 MHz', 'hertz')).toBe(1410e6);
    expect(quantity('2.1 GHz', 'hertz')).toBe(2.1e9);
    expect(quantity('53 C', 'celsius')).toBe(53);
    expect(quantity('-5 C', 'celsius')).toBe(-5);
    expect(quantity('7', 'count')).toBe(7);
  });

  it('rejects absent, negative, out-of-range, wrong-unit and non-decimal values', () => {
    expect([
      quantity(undefined, 'bytes'),
      quantity('[N/A]', 'watts'),
      quantity('-5 MiB', 'bytes'),
      quantity('140 %', 'ratio'),
      quantity('12 MHz', 'watts'),
      quantity('1e3', 'count'),
      quantity('0x10', 'count'),
      quantity('1.5', 'count'),
      quantity('Infinity', 'watts'),
      quantity('12 W W', 'watts'),
      quantity('1'.repeat(31), 'count'),
    ]).toEqual(Array(11).fill(undefined));
  });

  it('a unit is matched without regard to case, and only as an own key (no prototype lookup)', () => {
    expect(quantity('10 mib', 'bytes')).toBe(10485760);
    expect(quantity('10 constructor', 'bytes')).toBeUndefined();
  });
});

describe('integer and enabled', () => {
  it('integer reads non-negative integers only', () => {
    expect([integer('21180'), integer('0'), integer('-1'), integer('2.5'), integer('N/A')]).toEqual([
      21180,
      0,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('enabled reads Enabled/Disabled, On/Off, Yes/No', () => {
    expect(['Enabled', 'on', 'Yes', 'Disabled', 'Off', 'no', '[N/A]', 'Pending'].map(enabled)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      undefined,
      undefined,
    ]);
  });
});
