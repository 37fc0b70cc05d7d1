import { CallRefusedError } from '@mltel/genai';
import { describe, expect, it } from 'vitest';
import { DURATION, ERROR_TYPE, setup, TOKENS } from '../test/harness.js';
import { instrumentAsync } from './async-method.js';
import type { AsyncCallShape } from './async-method.js';

const CALL = { provider: 'p', operation: 'chat', model: 'm' };
const SHAPE: AsyncCallShape<{ tokens?: number }, { n: number }> = {
  describe: () => CALL,
  usage: (result) => (result.tokens === undefined ? undefined : { inputTokens: result.tokens }),
};

async function* chunks(n: number) {
  for (let i = 0; i < n; i++) yield { n: i };
}

describe('instrumentAsync', () => {
  it('resolves to the same value with the same this and arguments, and records the usage', async () => {
    const { meter, collect } = setup();
    const self = { name: 'self' };
    const original = async function (this: unknown, a: number, b: number) {
      return { tokens: a + b, self: this };
    };
    const wrapped = instrumentAsync(original as never, () => meter, SHAPE);
    const result = (await wrapped.call(self, 2, 3)) as { tokens: number; self: unknown };
    expect(result).toEqual({ tokens: 5, self });
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.count)).toEqual([1]);
    expect(c.sums(TOKENS).map(([, v]) => v)).toEqual([5]);
  });

  it('a rejection reaches the caller unchanged and is recorded with its type', async () => {
    const { meter, collect } = setup();
    const failure = Object.assign(new Error('x'), { status: 503 });
    const wrapped = instrumentAsync(
      async () => Promise.reject(failure),
      () => meter,
      SHAPE,
    );
    await expect(wrapped()).rejects.toBe(failure);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.attributes[ERROR_TYPE])).toEqual(['503']);
  });

  it('failure() decides what a failure is recorded as; the caller still gets the error itself', async () => {
    const { meter, collect } = setup();
    const failure = Object.assign(new Error('throttled'), { $metadata: { httpStatusCode: 429 } });
    const shape = { ...SHAPE, failure: (error: unknown) => String((error as typeof failure).$metadata.httpStatusCode) };
    await expect(
      instrumentAsync(
        async () => Promise.reject(failure),
        () => meter,
        shape,
      )(),
    ).rejects.toBe(failure);
    const broken = {
      ...SHAPE,
      failure: () => {
        throw new Error('boom');
      },
    };
    await expect(
      instrumentAsync(
        async () => Promise.reject(failure),
        () => meter,
        broken,
      )(),
    ).rejects.toBe(failure);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.attributes[ERROR_TYPE])).toEqual(['429', 'Error']);
  });

  it('a synchronous throw is rethrown and recorded; a non-promise result ends the call', async () => {
    const { meter, collect } = setup();
    const thrown = new TypeError('bad');
    const throwing = instrumentAsync(
      () => {
        throw thrown;
      },
      () => meter,
      SHAPE,
    );
    expect(() => throwing()).toThrow(thrown);
    expect(
      instrumentAsync(
        () => 7,
        () => meter,
        SHAPE,
      )(),
    ).toBe(7);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes[ERROR_TYPE], h.count])).toEqual([
      [undefined, 1],
      ['TypeError', 1],
    ]);
  });

  it('a call describe() declines or fails on is passed through unrecorded', async () => {
    const { meter, collect } = setup();
    const declined = instrumentAsync(
      async () => 1,
      () => meter,
      { describe: () => undefined },
    );
    const broken = instrumentAsync(
      async () => 2,
      () => meter,
      {
        describe: () => {
          throw new Error('boom');
        },
      },
    );
    expect([await declined(), await broken()]).toEqual([1, 2]);
    expect((await collect()).histograms(DURATION)).toEqual([]);
  });

  it('a budget refusal rejects before the method runs', async () => {
    const { meter } = setup();
    const refusal = new CallRefusedError('over budget');
    meter.addHooks({
      beforeCall: () => {
        throw refusal;
      },
    });
    let ran = false;
    const wrapped = instrumentAsync(
      async () => {
        ran = true;
      },
      () => meter,
      SHAPE,
    );
    await expect(wrapped()).rejects.toBe(refusal);
    expect(ran).toBe(false);
  });

  it('a stream in the result is observed in place; a frozen one is handed back wrapped', async () => {
    const { meter, collect } = setup();
    const shape: AsyncCallShape<AsyncIterable<{ n: number }>, { n: number }> = {
      describe: () => CALL,
      stream: { of: (result) => result, options: { usage: (chunk) => ({ outputTokens: chunk.n }) } },
    };
    const live = chunks(3);
    const same = (await instrumentAsync(
      async () => live,
      () => meter,
      shape,
    )()) as AsyncIterable<{ n: number }>;
    expect(same).toBe(live);
    const frozen = Object.freeze({ [Symbol.asyncIterator]: () => chunks(2)[Symbol.asyncIterator]() });
    const wrapped = (await instrumentAsync(
      async () => frozen,
      () => meter,
      shape,
    )()) as AsyncIterable<{ n: number }>;
    expect(wrapped).not.toBe(frozen);
    const seen: number[] = [];
    for await (const chunk of same) seen.push(chunk.n);
    for await (const chunk of wrapped) seen.push(chunk.n);
    expect(seen).toEqual([0, 1, 2, 0, 1]);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.count)).toEqual([2]);
    expect(c.sums(TOKENS).map(([, v]) => v)).toEqual([3]);
  });
});
