import { describe, expect, it } from 'vitest';
import { classifyError, errorTypeOf, isFailure, TaskTimeoutError } from './errors.js';
import * as index from './index.js';

class QuotaError extends Error {}

describe('TaskTimeoutError', () => {
  it('is an Error named TimeoutError with the limit and a data-free message', () => {
    const error = new TaskTimeoutError('embed', 250);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TimeoutError');
    expect(error.timeoutMs).toBe(250);
    expect(error.message).toBe('task "embed" did not finish within 250 ms');
    expect(classifyError(error)).toBe('timeout');
    expect(errorTypeOf(error)).toBe('TimeoutError');
  });

  it('is exported from the package index with classifyError and errorTypeOf', () => {
    expect(index.TaskTimeoutError).toBe(TaskTimeoutError);
    expect(index.classifyError).toBe(classifyError);
    expect(index.errorTypeOf).toBe(errorTypeOf);
  });
});

describe('classifyError', () => {
  it.each([
    ['a TimeoutError DOMException', new DOMException('t', 'TimeoutError'), 'timeout'],
    ['an AbortError DOMException', new DOMException('a', 'AbortError'), 'cancelled'],
    ['an object named AbortError', { name: 'AbortError' }, 'cancelled'],
    ['an object named TimeoutError', { name: 'TimeoutError' }, 'timeout'],
    ['a TypeError', new TypeError('x'), 'error'],
    ['a plain Error', new Error('x'), 'error'],
    ['a string', 'AbortError', 'error'],
    ['undefined', undefined, 'error'],
    ['null', null, 'error'],
    ['a non-string name', { name: 42 }, 'error'],
  ])('classifies %s as %s', (_label, error, expected) => {
    expect(classifyError(error)).toBe(expected);
  });

  it('classifies an aborted signal reason and a timed-out signal reason', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyError(controller.signal.reason)).toBe('cancelled');
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect(classifyError(signal.reason)).toBe('timeout');
  });
});

describe('errorTypeOf', () => {
  it.each([
    ['an upper-case code', Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'ECONNRESET'],
    [
      'a code with digits and underscores',
      Object.assign(new Error('x'), { code: 'ERR_HTTP2_STREAM_1' }),
      'ERR_HTTP2_STREAM_1',
    ],
    ['a one-letter code (too short)', Object.assign(new TypeError('x'), { code: 'E' }), 'TypeError'],
    ['a code over 41 characters', Object.assign(new TypeError('x'), { code: `E${'X'.repeat(41)}` }), 'TypeError'],
    ['a code with a space', Object.assign(new TypeError('x'), { code: 'E CONN' }), 'TypeError'],
    ['a numeric code', Object.assign(new Error('x'), { code: 404 }), 'Error'],
    ['a built-in subclass', new RangeError('x'), 'RangeError'],
    ['a user subclass', new QuotaError('x'), 'QuotaError'],
    ['a custom name', Object.assign(new Error('x'), { name: 'VllmEngineDead' }), 'VllmEngineDead'],
    ['a plain Error', new Error('secret data 123'), 'Error'],
    ['a plain object', { message: 'x' }, 'Error'],
    ['a null-prototype object', Object.create(null) as object, 'Error'],
    ['an instance of a class not derived from Error', new (class GpuFault {})(), 'GpuFault'],
    ['a string', 'ECONNRESET', '_OTHER'],
    ['a number', 7, '_OTHER'],
    ['undefined', undefined, '_OTHER'],
    ['null', null, '_OTHER'],
  ])('maps %s to %j', (_label, error, expected) => {
    expect(errorTypeOf(error)).toBe(expected);
  });

  it('never uses the message', () => {
    const error = new Error('user@example.com failed');
    expect(errorTypeOf(error)).toBe('Error');
  });
});

describe('isFailure', () => {
  it.each([
    ['success', false],
    ['error', true],
    ['retry', true],
    ['timeout', true],
    ['cancelled', false],
  ] as const)('%s -> %s', (status, expected) => {
    expect(isFailure(status)).toBe(expected);
  });
});
