import { describe, expect, it } from 'vitest';
import { parseResetDuration, rateLimitReadings } from './rate-limit-headers.js';

const NOW = Date.UTC(2026, 2, 3, 3, 3, 0);

describe('parseResetDuration()', () => {
  it.each([
    ['1s', 1000],
    ['6m0s', 360_000],
    ['2m59.56s', 179_560],
    ['20ms', 20],
    ['6ms', 6],
    ['0s', 0],
    ['1h2m3s', 3_723_000],
    ['7.66s', 7660],
    ['1500us', 1.5],
    ['3', 3000],
  ])('%s is %f ms', (text, ms) => {
    expect(parseResetDuration(text)).toBeCloseTo(ms, 6);
  });

  it.each([[''], ['s'], ['1x'], ['-1s'], ['1s garbage'], ['1'.repeat(70)], ['1d']])('%j is not a duration', (text) => {
    expect(parseResetDuration(text)).toBeUndefined();
  });
});

describe('rateLimitReadings()', () => {
  it('reads OpenAI headers: remaining, limit, and the reset as a time from the response', () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-limit-tokens': '10000000',
      'x-ratelimit-remaining-requests': '9999',
      'x-ratelimit-remaining-tokens': '9999993',
      'x-ratelimit-reset-requests': '6ms',
      'x-ratelimit-reset-tokens': '6m0s',
    });
    expect(rateLimitReadings(headers, NOW)).toEqual([
      { kind: 'requests', remaining: 9999, limit: 10000, resetAtMs: NOW + 6 },
      { kind: 'tokens', remaining: 9999993, limit: 10000000, resetAtMs: NOW + 360_000 },
    ]);
  });

  it('reads Anthropic headers, input and output token limits included, resets as RFC 3339 times', () => {
    const headers = new Headers({
      'anthropic-ratelimit-requests-limit': '1000',
      'anthropic-ratelimit-requests-remaining': '999',
      'anthropic-ratelimit-requests-reset': '2026-03-03T03:03:22Z',
      'anthropic-ratelimit-tokens-remaining': '540000',
      'anthropic-ratelimit-input-tokens-remaining': '450000',
      'anthropic-ratelimit-output-tokens-remaining': '90000',
      'anthropic-ratelimit-output-tokens-reset': 'not a time',
    });
    expect(rateLimitReadings(headers, NOW)).toEqual([
      { kind: 'requests', remaining: 999, limit: 1000, resetAtMs: Date.UTC(2026, 2, 3, 3, 3, 22) },
      { kind: 'tokens', remaining: 540000, limit: undefined, resetAtMs: undefined },
      { kind: 'input_tokens', remaining: 450000, limit: undefined, resetAtMs: undefined },
      { kind: 'output_tokens', remaining: 90000, limit: undefined, resetAtMs: undefined },
    ]);
  });

  it("reads Together AI's and Mistral's headers when OpenAI's are absent", () => {
    const together = new Headers({ 'x-ratelimit-limit': '2', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset': '2' });
    expect(rateLimitReadings(together, NOW, 'openai')).toEqual([
      { kind: 'requests', remaining: 1, limit: 2, resetAtMs: NOW + 2000 },
    ]);
    const mistral = new Headers({
      'x-ratelimit-limit-req-10-second': '60',
      'x-ratelimit-remaining-req-10-second': '59',
      'x-ratelimit-limit-tokens-minute': '2000000',
      'x-ratelimit-remaining-tokens-minute': '1999893',
    });
    expect(rateLimitReadings(mistral, NOW, 'openai')).toEqual([
      { kind: 'requests', remaining: 59, limit: 60, resetAtMs: undefined },
      { kind: 'tokens', remaining: 1999893, limit: 2000000, resetAtMs: undefined },
    ]);
  });

  it('a reset that is a Unix time (seconds or milliseconds) is taken as the time', () => {
    const at = (reset: string) =>
      rateLimitReadings(new Headers({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': reset }), NOW)[0]?.resetAtMs;
    expect(at('1741305600000')).toBe(1741305600000);
    expect(at('1741305600')).toBe(1741305600000);
    expect(at('30')).toBe(NOW + 30_000);
  });

  it('a family limits the look-up to its own headers', () => {
    const both = new Headers({ 'x-ratelimit-remaining-requests': '1', 'anthropic-ratelimit-requests-remaining': '2' });
    expect(rateLimitReadings(both, NOW, 'anthropic').map((r) => r.remaining)).toEqual([2]);
    expect(rateLimitReadings(both, NOW, 'openai').map((r) => r.remaining)).toEqual([1]);
    const anthropicOnly = new Headers({ 'anthropic-ratelimit-requests-remaining': '2' });
    expect(rateLimitReadings(anthropicOnly, NOW, 'openai')).toEqual([]);
  });

  it('reads a plain record of lowercase names (openai v4 errors carry their headers so)', () => {
    expect(
      rateLimitReadings({ 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '1s' }, NOW),
    ).toEqual([{ kind: 'requests', remaining: 0, limit: undefined, resetAtMs: NOW + 1000 }]);
  });

  it('no remaining count, no reading; bad values are left out', () => {
    expect(rateLimitReadings(new Headers({ 'x-ratelimit-limit-requests': '10' }), NOW)).toEqual([]);
    expect(rateLimitReadings(new Headers({ 'x-ratelimit-remaining-requests': '-1' }), NOW)).toEqual([]);
    expect(rateLimitReadings(new Headers({ 'x-ratelimit-remaining-requests': 'NaN' }), NOW)).toEqual([]);
    expect(rateLimitReadings(new Headers({ 'content-type': 'application/json' }), NOW)).toEqual([]);
  });

  it('never throws: anything that is not headers gives no reading', () => {
    const hostile = {
      get() {
        throw new Error('boom');
      },
    };
    for (const value of [undefined, null, 42, 'x-ratelimit', hostile])
      expect(rateLimitReadings(value, NOW)).toEqual([]);
  });
});
