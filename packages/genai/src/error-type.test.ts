import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { genAiErrorType, isProviderFailure } from './index.js';
import { captureDiag, DURATION, ERROR_TYPE, httpError, networkError, setup } from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

class APIConnectionTimeoutError extends Error {
  override name = 'APIConnectionTimeoutError';
}

/** An error whose code sits `depth` causes down. */
function nested(depth: number, code: string): Error {
  let error: Error = Object.assign(new Error('root'), { code });
  for (let i = 0; i < depth; i++) error = new Error(`wrap ${i}`, { cause: error });
  return error;
}

describe('genAiErrorType()', () => {
  it('is the HTTP status when the provider answered', () => {
    expect(genAiErrorType(httpError(429))).toBe('429');
    expect(genAiErrorType(httpError(500))).toBe('500');
    expect(genAiErrorType({ status: 404 })).toBe('404');
    expect(genAiErrorType({ status: 100 })).toBe('100');
    expect(genAiErrorType({ status: 599 })).toBe('599');
  });

  it('ignores a status that is not an integer in 100..599', () => {
    expect(genAiErrorType(Object.assign(new TypeError('x'), { status: 99 }))).toBe('TypeError');
    expect(genAiErrorType(Object.assign(new TypeError('x'), { status: 600 }))).toBe('TypeError');
    expect(genAiErrorType(Object.assign(new TypeError('x'), { status: '429' }))).toBe('TypeError');
    expect(genAiErrorType(Object.assign(new TypeError('x'), { status: 429.5 }))).toBe('TypeError');
  });

  it('the status wins over a code', () => {
    expect(genAiErrorType(Object.assign(httpError(503), { code: 'ECONNRESET' }))).toBe('503');
  });

  it('is the first system error code along the cause chain (up to four levels)', () => {
    expect(genAiErrorType(networkError('ECONNRESET'))).toBe('ECONNRESET');
    expect(genAiErrorType(networkError('UND_ERR_SOCKET'))).toBe('UND_ERR_SOCKET');
    expect(genAiErrorType(nested(0, 'ETIMEDOUT'))).toBe('ETIMEDOUT');
    expect(genAiErrorType(nested(3, 'ETIMEDOUT'))).toBe('ETIMEDOUT');
    expect(genAiErrorType(nested(4, 'ETIMEDOUT'))).toBe('Error');
    const outer = Object.assign(new Error('outer'), { code: 'EPIPE' });
    outer.cause = Object.assign(new Error('inner'), { code: 'ECONNRESET' });
    expect(genAiErrorType(outer)).toBe('EPIPE');
  });

  it('ignores codes that are not short upper-case identifiers', () => {
    expect(genAiErrorType(Object.assign(new RangeError('x'), { code: 'econnreset' }))).toBe('RangeError');
    expect(genAiErrorType(Object.assign(new RangeError('x'), { code: 'E' }))).toBe('RangeError');
    expect(genAiErrorType(Object.assign(new RangeError('x'), { code: 'E'.repeat(50) }))).toBe('RangeError');
    expect(genAiErrorType(Object.assign(new RangeError('x'), { code: 42 }))).toBe('RangeError');
    expect(genAiErrorType(Object.assign(new RangeError('x'), { code: 'user 42 not found' }))).toBe('RangeError');
  });

  it('else is the class name, never the message', () => {
    expect(genAiErrorType(new APIConnectionTimeoutError('Request timed out for sk-secret'))).toBe(
      'APIConnectionTimeoutError',
    );
    expect(genAiErrorType(new Error('ECONNRESET'))).toBe('Error');
    expect(genAiErrorType({})).toBe('Error');
    expect(genAiErrorType(Object.create(null))).toBe('Error');
  });

  it('a string is the error type itself; other non-objects are _OTHER', () => {
    expect(genAiErrorType('rate_limited')).toBe('rate_limited');
    expect(genAiErrorType(42)).toBe('_OTHER');
    expect(genAiErrorType(null)).toBe('_OTHER');
    expect(genAiErrorType(undefined)).toBe('_OTHER');
    expect(genAiErrorType(() => 1)).toBe('_OTHER');
  });

  it('stops on a cyclic cause chain', () => {
    const a: { cause?: unknown; name: string } = { name: 'LoopError' };
    const b = { cause: a };
    a.cause = b;
    expect(genAiErrorType(a)).toBe('LoopError');
  });

  it('a hostile getter (status, code, cause, name) gives _OTHER, never an exception', () => {
    const throwing = (key: string) =>
      Object.defineProperty(new Error('x'), key, {
        get() {
          throw new Error(`${key} getter`);
        },
      });
    expect(genAiErrorType(throwing('status'))).toBe('_OTHER');
    expect(genAiErrorType(throwing('code'))).toBe('_OTHER');
    expect(genAiErrorType(throwing('cause'))).toBe('_OTHER');
    expect(genAiErrorType(throwing('name'))).toBe('_OTHER');
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('proxy');
        },
      },
    );
    expect(genAiErrorType(proxy)).toBe('_OTHER');
  });
});

describe('isProviderFailure()', () => {
  it.each([
    ['429', true],
    ['500', true],
    ['502', true],
    ['529', true],
    ['599', true],
    ['400', false],
    ['401', false],
    ['404', false],
    ['422', false],
    ['499', false],
    ['ECONNRESET', true],
    ['ETIMEDOUT', true],
    ['APIConnectionTimeoutError', true],
    ['_OTHER', true],
    ['AbortError', false],
    ['APIUserAbortError', false],
    ['ABORT_ERR', false],
  ])('%s -> %s', (errorType, failure) => {
    expect(isProviderFailure(errorType)).toBe(failure);
  });
});

describe('error.type on the meter', () => {
  it('is truncated to 64 characters and capped at 50 distinct values', async () => {
    const { meter, collect } = setup();
    const call = { provider: 'openai', operation: 'chat' };
    meter.record({ ...call, durationSeconds: 1, error: 'x'.repeat(100) });
    for (let i = 0; i < 60; i++) meter.record({ ...call, durationSeconds: 1, error: `Err${i}` });
    const types = (await collect()).histograms(DURATION).map((h) => [h.attributes[ERROR_TYPE], h.count]);
    expect(types).toHaveLength(51);
    expect(types).toContainEqual(['x'.repeat(64), 1]);
    expect(types).toContainEqual(['Err48', 1]);
    expect(types).not.toContainEqual(['Err49', 1]);
    expect(types).toContainEqual(['_OTHER', 11]);
    expect(log.warnings).toEqual([
      'mltel: error.type longer than 64 characters is truncated to 64',
      'mltel: more than 50 distinct error.type values; further values are recorded as _OTHER',
    ]);
  });
});
