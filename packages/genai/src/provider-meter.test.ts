import { diag, metrics } from '@opentelemetry/api';
import { GEN_AI_FIRST_CHUNK_BUCKETS } from '@mltel/semconv';
import { announceProviderChange, PROVIDER_RECHECK_MS } from '@mltel/kit';
import { countingProvider } from '@mltel/test-kit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  captureDiag,
  CIRCUIT,
  CIRCUIT_STATE,
  DURATION,
  DURATION_BUCKETS,
  ERROR_TYPE,
  expectMeasured,
  FIRST_CHUNK,
  httpError,
  networkError,
  oneAt,
  OPERATION,
  PER_CHUNK,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  SERVER_ADDRESS,
  SERVER_PORT,
  sdkProvider,
  setup,
  sleep,
  STATUS,
  TOKEN_DETAIL,
  TOKEN_TYPE,
  TOKENS,
  tokenPoint,
} from '../test/harness.js';
import type { SumPoint } from '../test/harness.js';
import { createProviderMeter, openAIUsage, ProviderMeter } from './index.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  metrics.disable();
  diag.disable();
});

const CHAT = { provider: 'openai', operation: 'chat', model: 'gpt-4o' } as const;
const CHAT_ATTRS = { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' };
const BARE = { provider: 'openai', operation: 'chat' } as const;
const BARE_ATTRS = { [PROVIDER]: 'openai', [OPERATION]: 'chat' };

/** The gauge points of one provider. */
const only = (points: SumPoint[], provider: string): SumPoint[] =>
  points.filter((p) => p.attributes[PROVIDER] === provider);

describe('track(): success', () => {
  it('records the duration and input/output tokens with response model and server attributes', async () => {
    const { meter, collect } = setup();
    const body = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'gpt-4o-2024-08-06',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    };
    const result = await meter.track({ ...CHAT, serverAddress: 'api.openai.com', serverPort: 443 }, async () => body, {
      usage: openAIUsage,
    });
    expect(result).toBe(body);

    const attributes = {
      ...CHAT_ATTRS,
      [RESPONSE_MODEL]: 'gpt-4o-2024-08-06',
      [SERVER_ADDRESS]: 'api.openai.com',
      [SERVER_PORT]: 443,
    };
    const c = await collect();
    const durations = c.histograms(DURATION);
    expect(durations).toHaveLength(1);
    expectMeasured(durations[0], attributes, 1);
    expect(c.histograms(TOKENS)).toEqual([
      tokenPoint({ ...attributes, [TOKEN_TYPE]: 'input' }, 100, 4),
      tokenPoint({ ...attributes, [TOKEN_TYPE]: 'output' }, 20, 3),
    ]);
    expect(c.points(TOKEN_DETAIL)).toEqual([]);
    expect(c.histograms(FIRST_CHUNK)).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  it('accepts a sync function and measures the time until the promise settles', async () => {
    const { meter, collect } = setup();
    expect(await meter.track(CHAT, () => 42)).toBe(42);
    await meter.track(CHAT, async () => {
      await sleep(30);
    });
    const point = (await collect()).histograms(DURATION)[0]!;
    expectMeasured(point, CHAT_ATTRS, 2);
    expect(point.max!).toBeGreaterThanOrEqual(0.025);
    expect(point.min!).toBeLessThan(0.025);
  });

  it('records no tokens without a usage extractor, and none the extractor does not report', async () => {
    const { meter, collect } = setup();
    await meter.track(CHAT, async () => ({}));
    await meter.track(CHAT, async () => ({}), { usage: () => undefined });
    await meter.track(CHAT, async () => ({}), { usage: () => ({ outputTokens: 0 }) });
    const c = await collect();
    expectMeasured(c.histograms(DURATION)[0], CHAT_ATTRS, 3);
    // 0 is reported (a real count), an unreported field is not guessed.
    expect(c.histograms(TOKENS)).toEqual([{ ...tokenPoint({ ...CHAT_ATTRS, [TOKEN_TYPE]: 'output' }, 0, 0) }]);
  });
});

describe('track(): failure', () => {
  it.each([
    [429, '429'],
    [500, '500'],
    [400, '400'],
  ])('an HTTP %i error is recorded as error.type %s and rethrown as the same object', async (status, type) => {
    const { meter, collect } = setup();
    const thrown = httpError(status);
    let caught: unknown;
    try {
      await meter.track(CHAT, async () => {
        throw thrown;
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    const c = await collect();
    const durations = c.histograms(DURATION);
    expect(durations).toHaveLength(1);
    expectMeasured(durations[0], { ...CHAT_ATTRS, [ERROR_TYPE]: type }, 1);
    expect(c.histograms(TOKENS)).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  it('a network error wrapped by the SDK is recorded by the code on its cause chain', async () => {
    const { meter, collect } = setup();
    const thrown = networkError('ECONNRESET');
    await expect(meter.track(CHAT, () => Promise.reject(thrown))).rejects.toBe(thrown);
    // A synchronous throw is rethrown (as a rejection) too.
    const sync = new TypeError('bad argument');
    await expect(
      meter.track(CHAT, () => {
        throw sync;
      }),
    ).rejects.toBe(sync);
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...CHAT_ATTRS, [ERROR_TYPE]: 'ECONNRESET' }, 1],
      [{ ...CHAT_ATTRS, [ERROR_TYPE]: 'TypeError' }, 1],
    ]);
  });

  it('a rejection with undefined is recorded as error.type Error and rethrown as undefined', async () => {
    const { meter, collect } = setup();
    await expect(meter.track(CHAT, () => Promise.reject(undefined))).rejects.toBeUndefined();
    expect((await collect()).histograms(DURATION).map((h) => h.attributes)).toEqual([
      { ...CHAT_ATTRS, [ERROR_TYPE]: 'Error' },
    ]);
  });

  it('a usage extractor that throws: the call is still recorded, without usage, with one warning', async () => {
    const { meter, collect } = setup();
    const extractor = (): never => {
      throw new Error('unexpected body');
    };
    for (let i = 0; i < 3; i++) expect(await meter.track(CHAT, async () => i, { usage: extractor })).toBe(i);
    const c = await collect();
    expectMeasured(c.histograms(DURATION)[0], CHAT_ATTRS, 3);
    expect(c.histograms(TOKENS)).toEqual([]);
    expect(log.warnings).toEqual(['mltel: the usage extractor threw; the call is recorded without usage']);
  });

  it('does not call the usage extractor for a failed call', async () => {
    const { meter } = setup();
    let called = 0;
    await expect(
      meter.track(CHAT, () => Promise.reject(httpError(500)), {
        usage: () => {
          called++;
          return { inputTokens: 1 };
        },
      }),
    ).rejects.toThrow('HTTP 500');
    expect(called).toBe(0);
  });
});

describe('record()', () => {
  it('records a manual call with its duration, time to first chunk and usage', async () => {
    const { meter, collect } = setup();
    meter.record({
      ...CHAT,
      durationSeconds: 2,
      timeToFirstChunkSeconds: 0.05,
      usage: { responseModel: 'gpt-4o-2024-11-20', inputTokens: 5000, outputTokens: 300 },
    });
    const attributes = { ...CHAT_ATTRS, [RESPONSE_MODEL]: 'gpt-4o-2024-11-20' };
    const c = await collect();
    expect(c.histograms(DURATION)).toEqual([
      {
        attributes,
        count: 1,
        sum: 2,
        min: 2,
        max: 2,
        boundaries: DURATION_BUCKETS,
        counts: oneAt(DURATION_BUCKETS, 8),
      },
    ]);
    const firstChunk = [...GEN_AI_FIRST_CHUNK_BUCKETS];
    expect(c.histograms(FIRST_CHUNK)).toEqual([
      // Like a tracked stream's chunk timings: the call attributes, no response model.
      {
        attributes: CHAT_ATTRS,
        count: 1,
        sum: 0.05,
        min: 0.05,
        max: 0.05,
        boundaries: firstChunk,
        counts: oneAt(firstChunk, 5),
      },
    ]);
    expect(c.histograms(PER_CHUNK)).toEqual([]);
    expect(c.histograms(TOKENS)).toEqual([
      tokenPoint({ ...attributes, [TOKEN_TYPE]: 'input' }, 5000, 7),
      tokenPoint({ ...attributes, [TOKEN_TYPE]: 'output' }, 300, 5),
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('records a failed manual call with error.type from a string or a thrown value', async () => {
    const { meter, collect } = setup();
    meter.record({ ...CHAT, durationSeconds: 0.1, error: 'timeout' });
    meter.record({ ...CHAT, durationSeconds: 0.1, error: httpError(502) });
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.sum])).toEqual([
      [{ ...CHAT_ATTRS, [ERROR_TYPE]: '502' }, 0.1],
      [{ ...CHAT_ATTRS, [ERROR_TYPE]: 'timeout' }, 0.1],
    ]);
  });

  it.each([
    ['NaN', Number.NaN, 'NaN'],
    ['-1', -1, 'number -1'],
    ['Infinity', Number.POSITIVE_INFINITY, 'number Infinity'],
    ['a string', '2', 'string'],
    ['undefined', undefined, 'undefined'],
  ])('drops a call whose durationSeconds is %s, with one warning', async (_label, value, described) => {
    const { meter, collect } = setup();
    for (let i = 0; i < 10; i++) {
      meter.record({ ...CHAT, durationSeconds: value as number, usage: { inputTokens: 5 } });
    }
    meter.record({ ...CHAT, durationSeconds: 1 });
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count, h.sum])).toEqual([[CHAT_ATTRS, 1, 1]]);
    expect(c.histograms(TOKENS)).toEqual([]);
    expect(log.warnings).toEqual([
      `mltel: durationSeconds must be a number from 0 to 10000000, got ${described}; the call is dropped`,
    ]);
  });

  it('skips an invalid timeToFirstChunkSeconds but records the call', async () => {
    const { meter, collect } = setup();
    meter.record({ ...CHAT, durationSeconds: 1, timeToFirstChunkSeconds: -0.5 });
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(FIRST_CHUNK)).toEqual([]);
  });
});

describe('ProviderMeter', () => {
  it('is exported as a class and works without options on the no-op global provider', async () => {
    const meter = new ProviderMeter();
    expect(await meter.track(CHAT, async () => 'ok')).toBe('ok');
    meter.record({ ...CHAT, durationSeconds: 1 });
    meter.setStatus('openai', false);
    expect(log.warnings).toEqual([]);
  });
});

describe('the global meter provider', () => {
  it('a meter without meterProvider records to the global provider set after it was created', async () => {
    const meter = createProviderMeter();
    // Before: the API's no-op provider; nothing thrown.
    expect(await meter.track(BARE, async () => 'early')).toBe('early');

    const global = sdkProvider();
    expect(metrics.setGlobalMeterProvider(global.provider)).toBe(true);
    expect(await meter.track(BARE, async () => 'late', { usage: () => ({ inputTokens: 3 }) })).toBe('late');
    meter.record({ ...BARE, durationSeconds: 1, error: 'timeout' });

    const c = await global.collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [BARE_ATTRS, 1],
      [{ ...BARE_ATTRS, [ERROR_TYPE]: 'timeout' }, 1],
    ]);
    expect(c.sums(TOKENS)).toEqual([[{ ...BARE_ATTRS, [TOKEN_TYPE]: 'input' }, 3]]);
    expect(log.warnings).toEqual([]);
  });

  it('follows a change of global provider', async () => {
    const meter = createProviderMeter();
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    meter.record({ ...BARE, model: 'before', durationSeconds: 1 });
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    meter.record({ ...BARE, model: 'after', durationSeconds: 1 });
    expect((await first.collect()).histograms(DURATION).map((h) => h.attributes[REQUEST_MODEL])).toEqual(['before']);
    expect((await second.collect()).histograms(DURATION).map((h) => h.attributes[REQUEST_MODEL])).toEqual(['after']);
  });

  it('an explicit meterProvider ignores the global provider', async () => {
    const own = sdkProvider();
    const global = sdkProvider();
    metrics.setGlobalMeterProvider(global.provider);
    const meter = createProviderMeter({ meterProvider: own.provider });
    meter.record({ ...BARE, durationSeconds: 1 });
    meter.setStatus('openai', true);
    expect((await own.collect()).histograms(DURATION).map((h) => h.count)).toEqual([1]);
    expect((await own.collect()).points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 1 }]);
    expect([...(await global.collect()).byName.keys()]).toEqual([]);
  });

  it('health set before the global provider is reported once the change is announced', async () => {
    const meter = createProviderMeter();
    meter.setStatus('openai', false);
    meter.setCircuitState('openai', 'open');
    const global = sdkProvider();
    metrics.setGlobalMeterProvider(global.provider);
    // What @mltel/node's start() does after setting the global provider.
    announceProviderChange();
    const c = await global.collect();
    expect(c.points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'openai' }, value: 0 }]);
    expect(c.points(CIRCUIT)).toEqual(
      ['closed', 'half_open', 'open'].map((state) => ({
        attributes: { [PROVIDER]: 'openai', [CIRCUIT_STATE]: state },
        value: state === 'open' ? 1 : 0,
      })),
    );
  });

  it('health set after the global provider is reported without an announcement', async () => {
    const global = sdkProvider();
    metrics.setGlobalMeterProvider(global.provider);
    const meter = createProviderMeter();
    meter.setStatus('anthropic', true);
    expect((await global.collect()).points(STATUS)).toEqual([{ attributes: { [PROVIDER]: 'anthropic' }, value: 1 }]);
  });

  it('the provider it leaves no longer runs its health callbacks', async () => {
    const first = sdkProvider();
    metrics.setGlobalMeterProvider(first.provider);
    const meter = createProviderMeter();
    meter.setStatus('leaving', true);
    meter.record({ provider: 'leaving', operation: 'chat', durationSeconds: 1 });
    metrics.disable();
    const second = sdkProvider();
    metrics.setGlobalMeterProvider(second.provider);
    announceProviderChange();
    // Only this meter's series: meters of the tests before follow the global provider too.
    expect(only((await second.collect()).points(STATUS), 'leaving')).toEqual([
      { attributes: { [PROVIDER]: 'leaving' }, value: 1 },
    ]);
    const old = await first.collect();
    expect(old.histograms(DURATION).map((h) => h.count)).toEqual([1]);
    expect(old.points(STATUS)).toEqual([]);
    expect(old.points(CIRCUIT)).toEqual([]);
  });

  describe('without an announcement', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('health reaches a global provider an SDK registered later without announcing it, at the re-check', async () => {
      const meter = createProviderMeter();
      meter.setStatus('late', false);
      meter.setCircuitState('late', 'open');
      const global = sdkProvider();
      metrics.setGlobalMeterProvider(global.provider);
      // No announcement and no call in between: not yet.
      expect(only((await global.collect()).points(STATUS), 'late')).toEqual([]);
      vi.advanceTimersByTime(PROVIDER_RECHECK_MS);
      const c = await global.collect();
      expect(only(c.points(STATUS), 'late')).toEqual([{ attributes: { [PROVIDER]: 'late' }, value: 0 }]);
      expect(only(c.points(CIRCUIT), 'late')).toEqual(
        ['closed', 'half_open', 'open'].map((state) => ({
          attributes: { [PROVIDER]: 'late', [CIRCUIT_STATE]: state },
          value: state === 'open' ? 1 : 0,
        })),
      );
    });
  });
});

describe('SDK calls per recorded call', () => {
  it('a call with token detail and units makes only its histogram calls; counters at collection', async () => {
    const { provider, calls, added, collectNow } = countingProvider();
    const meter = createProviderMeter({ meterProvider: provider });
    const call = {
      provider: 'openai',
      operation: 'chat',
      model: 'o4-mini',
      durationSeconds: 1,
      usage: {
        inputTokens: 10,
        outputTokens: 20,
        cacheReadInputTokens: 5,
        cacheCreationInputTokens: 3,
        reasoningTokens: 7,
        images: 1,
        audioSeconds: 0.5,
        videoSeconds: 2,
        characters: 9,
      },
    };
    for (let i = 0; i < 10; i++) meter.record(call);
    await meter.track(call, async () => 'ok', { usage: () => call.usage });
    // Duration and input and output tokens: three histogram records per call, no add.
    expect(calls).toEqual({ add: 0, record: 33, observe: 0 });
    collectNow();
    // One add per counter series with the sums of the 11 calls.
    expect(added.map(([value]) => value).sort((a, b) => a - b)).toEqual([5.5, 11, 22, 33, 55, 77, 99]);
    expect(calls.add).toBe(7);
  });
});
