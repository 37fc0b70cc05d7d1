import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CircuitBreakerState, ProviderCall, ProviderCallRecord, ProviderUsage } from './index.js';
import {
  AUDIO,
  captureDiag,
  CIRCUIT,
  DURATION,
  ERROR_TYPE,
  FIRST_CHUNK,
  IMAGES,
  OPERATION,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  SERVER_ADDRESS,
  setup,
  STATUS,
  TOKEN_DETAIL,
  TOKEN_TYPE,
  TOKENS,
  VIDEO,
} from '../test/harness.js';

const REPEAT = 50;
const CHAT = { provider: 'openai', operation: 'chat' } as const;
const CHAT_ATTRS = { [PROVIDER]: 'openai', [OPERATION]: 'chat' };

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

/** Calls `fn` REPEAT times, asserting that no call throws. */
function repeat(fn: (i: number) => void): void {
  for (let i = 0; i < REPEAT; i++) expect(() => fn(i)).not.toThrow();
}

/** An object whose every property read throws. */
function hostile<T>(): T {
  return new Proxy(
    {},
    {
      get() {
        throw new Error('hostile getter');
      },
    },
  ) as T;
}

/** An object whose `key` getter throws; other fields from `fields`. */
function throwingGetter<T extends object>(fields: T, key: string): T {
  return Object.defineProperty({ ...fields }, key, {
    enumerable: true,
    get() {
      throw new Error(`${key} getter`);
    },
  });
}

describe('the call object', () => {
  it.each([
    ['null', null, 'null'],
    ['a string', 'openai', 'string'],
    ['a number', 1, 'number 1'],
    ['undefined', undefined, 'undefined'],
  ])(
    'a call that is %s: track still runs fn and returns its result; nothing is recorded; one warning',
    async (_l, call, described) => {
      const { meter, collect } = setup();
      for (let i = 0; i < 5; i++) {
        expect(await meter.track(call as unknown as ProviderCall, async () => i)).toBe(i);
      }
      const timer = meter.start(call as unknown as ProviderCall);
      expect(() => {
        timer.chunk();
        timer.end({ inputTokens: 1 });
        timer.fail(new Error('x'));
      }).not.toThrow();
      expect([...(await collect()).byName.keys()]).toEqual([]);
      expect(log.warnings).toEqual([`mltel: a provider call needs { provider, operation }, got ${described}`]);
    },
  );

  it('record() with a non-object warns once and records nothing', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.record(null as unknown as ProviderCallRecord));
    repeat(() => meter.record('x' as unknown as ProviderCallRecord));
    expect([...(await collect()).byName.keys()]).toEqual([]);
    expect(log.warnings).toEqual(['mltel: record() needs a call object, got null']);
  });

  it.each([
    [
      'provider',
      { operation: 'chat' },
      'mltel: gen_ai.provider.name must be a non-empty string, got undefined; the value is dropped',
    ],
    [
      'provider',
      { provider: '', operation: 'chat' },
      'mltel: gen_ai.provider.name must be a non-empty string, got string; the value is dropped',
    ],
    [
      'provider',
      { provider: 7, operation: 'chat' },
      'mltel: gen_ai.provider.name must be a non-empty string, got number 7; the value is dropped',
    ],
    [
      'operation',
      { provider: 'openai' },
      'mltel: gen_ai.operation.name must be a non-empty string, got undefined; the value is dropped',
    ],
    [
      'operation',
      { provider: 'openai', operation: null },
      'mltel: gen_ai.operation.name must be a non-empty string, got null; the value is dropped',
    ],
  ])('a call without a valid %s is not recorded, with one warning', async (_l, call, warning) => {
    const { meter, collect } = setup();
    repeat(() => meter.record({ ...(call as ProviderCall), durationSeconds: 1, usage: { inputTokens: 5 } }));
    for (let i = 0; i < 3; i++) expect(await meter.track(call as ProviderCall, () => 'ok')).toBe('ok');
    meter.record({ ...CHAT, durationSeconds: 1 });
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[CHAT_ATTRS, 1]]);
    expect(c.histograms(TOKENS)).toEqual([]);
    expect(log.warnings).toEqual([warning]);
  });

  it('a non-string model is left out, the call is recorded, with one warning', async () => {
    const { meter, collect } = setup();
    repeat((i) => meter.record({ ...CHAT, model: (i % 2 === 0 ? 4 : null) as unknown as string, durationSeconds: 1 }));
    repeat(() => meter.record({ ...CHAT, durationSeconds: 1, usage: { responseModel: {} as unknown as string } }));
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[CHAT_ATTRS, 2 * REPEAT]]);
    expect(log.warnings).toEqual([
      'mltel: gen_ai.request.model must be a non-empty string, got number 4; the value is dropped',
    ]);
  });

  it('a 10 kB model name is truncated to 128 characters, with one warning', async () => {
    const { meter, collect } = setup();
    const model = 'm'.repeat(10_000);
    repeat(() => meter.record({ ...CHAT, model, durationSeconds: 1, usage: { responseModel: model, images: 1 } }));
    const c = await collect();
    const expected = { ...CHAT_ATTRS, [REQUEST_MODEL]: 'm'.repeat(128), [RESPONSE_MODEL]: 'm'.repeat(128) };
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[expected, REPEAT]]);
    expect(c.points(IMAGES)).toEqual([
      { attributes: { ...CHAT_ATTRS, [REQUEST_MODEL]: 'm'.repeat(128) }, value: REPEAT },
    ]);
    expect(log.warnings).toEqual(['mltel: gen_ai.request.model longer than 128 characters is truncated to 128']);
  });

  it('long provider, operation and server names are truncated to 128 characters', async () => {
    const { meter, collect } = setup();
    const long = (c: string) => c.repeat(5000);
    meter.record({ provider: long('p'), operation: long('o'), serverAddress: long('s'), durationSeconds: 1 });
    expect((await collect()).histograms(DURATION).map((h) => h.attributes)).toEqual([
      { [PROVIDER]: 'p'.repeat(128), [OPERATION]: 'o'.repeat(128), [SERVER_ADDRESS]: 's'.repeat(128) },
    ]);
    expect(log.warnings).toHaveLength(3);
  });

  it('more than 50 providers: the others are recorded as _OTHER', async () => {
    const { meter, collect } = setup();
    for (let i = 0; i < 60; i++) meter.record({ provider: `p${i}`, operation: 'chat', durationSeconds: 1 });
    const providers = (await collect()).histograms(DURATION).map((h) => [h.attributes[PROVIDER], h.count]);
    expect(providers).toHaveLength(51);
    expect(providers).toContainEqual(['_OTHER', 10]);
    expect(log.warnings).toEqual([
      'mltel: more than 50 distinct gen_ai.provider.name values; further values are recorded as _OTHER',
    ]);
  });
});

describe('usage counts', () => {
  it.each([
    ['NaN', Number.NaN, 'NaN'],
    ['negative', -3, 'number -3'],
    ['Infinity', Number.POSITIVE_INFINITY, 'number Infinity'],
    ['a string', '12', 'string'],
    ['null', null, 'null'],
  ])('a %s count is dropped with one warning per field; the other fields are recorded', async (_l, bad, described) => {
    const { meter, collect } = setup();
    repeat(() =>
      meter.record({
        ...CHAT,
        durationSeconds: 1,
        usage: { inputTokens: bad as number, outputTokens: 7, reasoningTokens: bad as number, audioSeconds: 2 },
      }),
    );
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.count)).toEqual([REPEAT]);
    expect(c.sums(TOKENS)).toEqual([[{ ...CHAT_ATTRS, [TOKEN_TYPE]: 'output' }, 7 * REPEAT]]);
    expect(c.points(TOKEN_DETAIL)).toEqual([]);
    expect(c.points(AUDIO)).toEqual([{ attributes: CHAT_ATTRS, value: 2 * REPEAT }]);
    expect(log.warnings).toEqual([
      `mltel: usage.inputTokens must be a number from 0 to 1000000000000, got ${described}; it is dropped`,
      `mltel: usage.reasoningTokens must be a number from 0 to 1000000000000, got ${described}; it is dropped`,
    ]);
  });

  it('each kind of bad value of the same field warns once in all', async () => {
    const { meter, collect } = setup();
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      repeat(() =>
        meter.record({ ...CHAT, durationSeconds: 1, usage: { images: bad, videoSeconds: bad, outputTokens: 1 } }),
      );
    }
    const c = await collect();
    expect(c.points(IMAGES)).toEqual([]);
    expect(c.points(VIDEO)).toEqual([]);
    expect(c.histograms(TOKENS).map((h) => h.count)).toEqual([3 * REPEAT]);
    expect(log.warnings).toEqual([
      'mltel: usage.images must be a number from 0 to 1000000000000, got NaN; it is dropped',
      'mltel: usage.videoSeconds must be a number from 0 to 10000000, got NaN; it is dropped',
    ]);
  });

  it('a usage that is not an object is dropped with one warning; the call is recorded', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.record({ ...CHAT, durationSeconds: 1, usage: 12 as unknown as ProviderUsage }));
    const timer = meter.start(CHAT);
    timer.end('usage' as unknown as ProviderUsage);
    await meter.track(CHAT, async () => 1, { usage: () => 5 as unknown as ProviderUsage });
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[CHAT_ATTRS, REPEAT + 2]]);
    expect(c.histograms(TOKENS)).toEqual([]);
    expect(log.warnings).toEqual(['mltel: usage must be an object, got number 12; it is dropped']);
  });

  it('a null usage is no usage', async () => {
    const { meter, collect } = setup();
    meter.record({ ...CHAT, durationSeconds: 1, usage: null as unknown as ProviderUsage });
    await meter.track(CHAT, async () => 1, { usage: () => null as unknown as ProviderUsage });
    expect((await collect()).histograms(DURATION).map((h) => h.count)).toEqual([2]);
    expect(log.warnings).toEqual([]);
  });
});

describe('hostile getters never throw into the caller', () => {
  it('a call object whose getters throw: track runs fn and returns its result, one warning', async () => {
    const { meter, collect } = setup();
    for (let i = 0; i < 3; i++) expect(await meter.track(hostile<ProviderCall>(), async () => 'ok')).toBe('ok');
    expect(await meter.track(throwingGetter({ ...CHAT }, 'model'), async () => 'ok')).toBe('ok');
    const stream = await meter.trackStream(hostile<ProviderCall>(), async function* () {
      yield 1;
    });
    const items: number[] = [];
    for await (const item of stream) items.push(item);
    expect(items).toEqual([1]);
    expect([...(await collect()).byName.keys()]).toEqual([]);
    expect(log.warnings).toEqual(['mltel: a provider call object threw while read; the call is not recorded']);
  });

  it('record() with a call whose getters throw does not throw', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.record(hostile<ProviderCallRecord>()));
    repeat(() => meter.record(throwingGetter({ ...CHAT, durationSeconds: 1 }, 'durationSeconds')));
    repeat(() => meter.record(throwingGetter({ ...CHAT, durationSeconds: 1 }, 'usage')));
    repeat(() => meter.record(throwingGetter({ ...CHAT, durationSeconds: 1, error: 'x' }, 'error')));
    repeat(() => meter.record(throwingGetter({ ...CHAT, durationSeconds: 1 }, 'timeToFirstChunkSeconds')));
    repeat(() =>
      meter.record({ ...CHAT, durationSeconds: 1, usage: throwingGetter({ inputTokens: 1 }, 'outputTokens') }),
    );
    repeat(() =>
      meter.record({ ...CHAT, durationSeconds: 1, usage: throwingGetter({ inputTokens: 1 }, 'responseModel') }),
    );
    const c = await collect();
    // Each field is read behind its own guard: a throwing field is lost, the rest of the call is
    // recorded (a throwing durationSeconds drops the call, as a missing one does).
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[CHAT_ATTRS, 5 * REPEAT]]);
    expect(c.sums(TOKENS)).toEqual([[{ ...CHAT_ATTRS, [TOKEN_TYPE]: 'input' }, 2 * REPEAT]]);
    expect(log.warnings).toEqual([
      'mltel: durationSeconds must be a number from 0 to 10000000, got undefined; the call is dropped',
    ]);
  });

  it('an error whose getters throw: the same error is rethrown, recorded as _OTHER', async () => {
    const { meter, collect } = setup();
    const thrown = hostile<Error>();
    let caught: unknown;
    try {
      await meter.track(CHAT, () => Promise.reject(thrown));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    const alsoThrown = throwingGetter(new Error('x'), 'status');
    await expect(meter.track(CHAT, () => Promise.reject(alsoThrown))).rejects.toBe(alsoThrown);
    expect(() => meter.record({ ...CHAT, durationSeconds: 1, error: hostile() })).not.toThrow();
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...CHAT_ATTRS, [ERROR_TYPE]: '_OTHER' }, 3],
    ]);
  });

  it('a usage from the extractor whose getters throw: track returns the result', async () => {
    const { meter } = setup();
    expect(await meter.track(CHAT, async () => 'ok', { usage: () => hostile<ProviderUsage>() })).toBe('ok');
    const stream = await meter.trackStream(
      CHAT,
      async function* () {
        yield 'a';
        yield 'b';
      },
      { usage: () => hostile<ProviderUsage>(), isOutputChunk: () => hostile<boolean>() },
    );
    const items: string[] = [];
    for await (const item of stream) items.push(item);
    expect(items).toEqual(['a', 'b']);
  });
});

describe('health input', () => {
  it('setStatus / setCircuitState with a bad provider warn once and record nothing', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.setStatus(undefined as unknown as string, true));
    repeat(() => meter.setCircuitState('' as string, 'open'));
    const c = await collect();
    expect(c.points(STATUS)).toEqual([]);
    expect(c.points(CIRCUIT)).toEqual([]);
    expect(log.warnings).toEqual([
      'mltel: gen_ai.provider.name must be a non-empty string, got undefined; the value is dropped',
    ]);
  });

  it('a non-string circuit state warns once per type', async () => {
    const { meter, collect } = setup();
    repeat(() => meter.setCircuitState('openai', 1 as unknown as CircuitBreakerState));
    repeat(() => meter.setCircuitState('openai', undefined as unknown as CircuitBreakerState));
    expect((await collect()).points(CIRCUIT)).toEqual([]);
    expect(log.warnings).toEqual([
      'mltel: circuit-breaker state must be one of closed, open, half_open, got number 1',
      'mltel: circuit-breaker state must be one of closed, open, half_open, got undefined',
    ]);
  });
});

describe('record() edge values', () => {
  it('reads error: null as no error, and drops an invalid timeToFirstChunkSeconds with one warning', async () => {
    const diagLog = captureDiag();
    const { meter, collect } = setup();
    const call = { provider: 'openai', operation: 'chat', model: 'gpt-4o' };
    meter.record({ ...call, durationSeconds: 1, error: null });
    meter.record({ ...call, durationSeconds: 1, timeToFirstChunkSeconds: Number.NaN });
    meter.record({ ...call, durationSeconds: 1, timeToFirstChunkSeconds: -1 });
    const c = await collect();
    expect(c.histograms(DURATION).map((p) => [p.attributes[ERROR_TYPE], p.count])).toEqual([[undefined, 3]]);
    expect(c.histograms(FIRST_CHUNK)).toEqual([]);
    expect(diagLog.warnings.filter((w) => w.includes('timeToFirstChunkSeconds'))).toHaveLength(1);
    diag.disable();
  });
});
