import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BoundedValues,
  describeValue,
  isNonNegativeFinite,
  MAX_WARN_KINDS,
  reportSuppressedWarnings,
  WARN_INTERVAL_MS,
  WarnOnce,
} from './guard.js';

let warnings: string[];
beforeEach(() => {
  warnings = [];
  const logger: DiagLogger = {
    error: () => {},
    warn: (message) => void warnings.push(message),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, DiagLogLevel.WARN);
});
afterEach(() => {
  // Instances of one test must not report into the next.
  reportSuppressedWarnings();
  diag.disable();
});

describe('WarnOnce', () => {
  it('warns once per key through diag, prefixed with mltel', () => {
    const once = new WarnOnce();
    for (let i = 0; i < 100; i++) once.warn('a', 'first problem');
    once.warn('b', 'second problem');
    once.warn('a', 'first problem again');
    expect(warnings).toEqual(['mltel: first problem', 'mltel: second problem']);
  });

  it('counts repeats and logs again at most once per interval, with the count since', () => {
    let now = 0;
    const once = new WarnOnce({ intervalMs: 60_000, now: () => now });
    for (let i = 0; i < 12_346; i++) once.warn('a', 'bad value');
    expect(warnings).toEqual(['mltel: bad value']);
    now = 59_999;
    once.warn('a', 'bad value');
    expect(warnings).toHaveLength(1);
    now = 60_000;
    once.warn('a', 'bad value');
    expect(warnings[1]).toBe('mltel: bad value (12,347 more since the last message)');
    now = 70_000;
    once.warn('a', 'bad value');
    expect(warnings).toHaveLength(2);
  });

  it('treats distinct keys with one message as one kind (1M distinct bad values: one line)', () => {
    const once = new WarnOnce();
    for (let i = 0; i < 1_000_000; i++) once.warn(`status:"bad-${i}"`, 'status must be known, got string');
    expect(warnings).toEqual(['mltel: status must be known, got string']);
    once.report();
    expect(warnings[1]).toBe('mltel: status must be known, got string (999,999 more since the last message)');
  });

  it('bounds the kinds: past MAX_WARN_KINDS distinct messages, one "other problems" kind', () => {
    const once = new WarnOnce();
    for (let i = 0; i < 10_000; i++) once.warn(`k${i}`, `problem ${i}`);
    expect(warnings).toHaveLength(MAX_WARN_KINDS + 1);
    expect(warnings[MAX_WARN_KINDS]).toContain(`more than ${MAX_WARN_KINDS} kinds of problems`);
    warnings.length = 0;
    once.report();
    expect(warnings).toEqual([
      `mltel: more than ${MAX_WARN_KINDS} kinds of problems; further ones are counted together (9,899 more since the last message)`,
    ]);
  });

  it("reportSuppressedWarnings logs every instance's counted kinds once, then nothing", () => {
    const a = new WarnOnce();
    const b = new WarnOnce();
    a.warn('x', 'x problem');
    a.warn('x', 'x problem');
    b.warn('y', 'y problem');
    reportSuppressedWarnings();
    expect(warnings).toEqual([
      'mltel: x problem',
      'mltel: y problem',
      'mltel: x problem (1 more since the last message)',
    ]);
    reportSuppressedWarnings();
    expect(warnings).toHaveLength(3);
  });

  it('logs a count after the interval even when the problem does not occur again', () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const once = new WarnOnce({ now: () => now });
      once.warn('a', 'burst');
      once.warn('a', 'burst');
      once.warn('a', 'burst');
      expect(warnings).toEqual(['mltel: burst']);
      now = WARN_INTERVAL_MS;
      vi.advanceTimersByTime(WARN_INTERVAL_MS);
      expect(warnings).toEqual(['mltel: burst', 'mltel: burst (2 more since the last message)']);
      vi.advanceTimersByTime(10 * WARN_INTERVAL_MS);
      expect(warnings).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('clips long messages', () => {
    new WarnOnce().warn('k', 'x'.repeat(10_000));
    expect(warnings[0]!.length).toBeLessThan(600);
  });

  it('keeps keys per instance', () => {
    new WarnOnce().warn('k', 'one');
    new WarnOnce().warn('k', 'two');
    expect(warnings).toEqual(['mltel: one', 'mltel: two']);
  });
});

describe('BoundedValues', () => {
  it('admits the first max distinct values, then _OTHER with one warning', () => {
    const values = new BoundedValues('attr', 2, 10, new WarnOnce());
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((v) => values.admit(v))).toEqual([
      'a',
      'b',
      '_OTHER',
      'a',
      '_OTHER',
      'b',
    ]);
    expect(warnings).toEqual(['mltel: more than 2 distinct attr values; further values are recorded as _OTHER']);
  });

  it('admits only the allow-list when given (max ignored)', () => {
    const values = new BoundedValues('attr', 100, 10, new WarnOnce(), ['x', 'y']);
    expect(['x', 'z', 'y', 'w'].map((v) => values.admit(v))).toEqual(['x', '_OTHER', 'y', '_OTHER']);
    expect(warnings).toEqual(['mltel: attr value outside the allow-list is recorded as _OTHER']);
  });

  it('truncates long values before matching, with one warning', () => {
    const values = new BoundedValues('attr', 5, 4, new WarnOnce(), ['abcd']);
    expect(values.admit('abcdefgh')).toBe('abcd');
    expect(values.admit('abcdXYZ')).toBe('abcd');
    expect(warnings).toEqual(['mltel: attr longer than 4 characters is truncated to 4']);
  });

  it('rejects non-strings and the empty string with one warning', () => {
    const values = new BoundedValues('attr', 5, 10, new WarnOnce());
    expect([1, '', null, undefined, {}, Symbol('s')].map((v) => values.admit(v))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(values.admit('ok')).toBe('ok');
    expect(warnings).toEqual(['mltel: attr must be a non-empty string, got number 1; the value is dropped']);
  });
});

describe('describe', () => {
  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    [Number.NaN, 'NaN'],
    [-2, 'number -2'],
    [Number.POSITIVE_INFINITY, 'number Infinity'],
    ['secret text', 'string'],
    [{ a: 1 }, 'object'],
    [() => 1, 'function'],
    [10n, 'bigint'],
  ])('describes %s as %j without its data', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});

describe('isNonNegativeFinite', () => {
  it.each([
    [0, true],
    [0.001, true],
    [600, true],
    [Number.MAX_VALUE, true],
    [-0.001, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
    [Number.NEGATIVE_INFINITY, false],
    ['1', false],
    [null, false],
    [undefined, false],
    [1n, false],
  ])('%s -> %s', (value, expected) => {
    expect(isNonNegativeFinite(value)).toBe(expected);
  });
});
