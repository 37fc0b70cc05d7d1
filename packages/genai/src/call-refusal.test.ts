import { describe, expect, it } from 'vitest';
import { CallRefusedError, isCallRefusal } from './call-refusal.js';

describe('CallRefusedError', () => {
  it('is an Error with its own name, the message given and the refusal brand', () => {
    const error = new CallRefusedError('quota spent');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('CallRefusedError');
    expect(error.message).toBe('quota spent');
    expect(error.refusesCall).toBe(true);
    expect(isCallRefusal(error)).toBe(true);
  });

  it('a subclass keeps the brand and may name itself', () => {
    class QuotaError extends CallRefusedError {
      override name = 'QuotaError';
    }
    const error = new QuotaError('no');
    expect(error.name).toBe('QuotaError');
    expect(isCallRefusal(error)).toBe(true);
  });
});

describe('isCallRefusal()', () => {
  it('accepts any object or function branded refusesCall: true (another copy of the package)', () => {
    expect(isCallRefusal({ refusesCall: true })).toBe(true);
    expect(isCallRefusal(Object.assign(new Error('x'), { refusesCall: true }))).toBe(true);
    expect(isCallRefusal(Object.assign(() => {}, { refusesCall: true }))).toBe(true);
  });

  it.each([
    ['a plain error', new Error('x')],
    ['a truthy brand that is not true', { refusesCall: 'yes' }],
    ['a false brand', { refusesCall: false }],
    ['null', null],
    ['undefined', undefined],
    ['a string', 'refusesCall'],
    ['a number', 1],
  ])('rejects %s', (_label, value) => {
    expect(isCallRefusal(value)).toBe(false);
  });

  it('never throws: a hostile getter is no refusal', () => {
    const hostile = Object.defineProperty({}, 'refusesCall', {
      get() {
        throw new Error('hostile');
      },
    });
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error('proxy');
        },
      },
    );
    expect(isCallRefusal(hostile)).toBe(false);
    expect(isCallRefusal(proxy)).toBe(false);
  });
});
