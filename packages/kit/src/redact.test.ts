import { describe, expect, it } from 'vitest';
import { describeText, MAX_DESCRIBED_CHARS, redactUrl } from './redact.js';

describe('redactUrl', () => {
  it.each([
    ['http://alice:s3cret@collector:4318/v1/metrics', 'http://***@collector:4318/v1/metrics'],
    ['https://token@collector', 'https://***@collector'],
    ['redis://:pw@127.0.0.1:6379/0', 'redis://***@127.0.0.1:6379/0'],
    [
      'http://c:4318/v1/metrics?api_key=K1&x=1&token=T2&sig=S&Password=P',
      'http://c:4318/v1/metrics?api_key=***&x=1&token=***&sig=***&Password=***',
    ],
    ['not a url alice:s3cret@x?token=T', 'not a url ***@x?token=***'],
    ['http://collector:4318', 'http://collector:4318'],
    ['"http://c/v1?api_key=K" failed', '"http://c/v1?api_key=***" failed'],
    ["URL: 'http://u:p@c'", "URL: 'http://***@c'"],
    ['http://[::1]:4318/path?region=eu', 'http://[::1]:4318/path?region=eu'],
  ])('%s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });
});

describe('describeText', () => {
  it('quotes and escapes control characters', () => {
    expect(describeText('a\nb\u0000c\u001b[31m"\\')).toBe('"a\\nb\\x00c\\x1b[31m\\"\\\\"');
    expect(describeText('\u202eevil')).toBe('"\\u202eevil"');
  });

  it('cuts long values and says their length', () => {
    const text = describeText('x'.repeat(10_000_000));
    expect(text).toBe(`"${'x'.repeat(MAX_DESCRIBED_CHARS)}…" (10000000 characters)`);
  });

  it('describes non-strings by type', () => {
    expect(describeText(undefined)).toBe('undefined');
    expect(describeText(null)).toBe('null');
    expect(describeText(Number.NaN)).toBe('NaN');
    expect(describeText(3)).toBe('number 3');
    expect(describeText({ secret: 'x' })).toBe('object');
  });
});
