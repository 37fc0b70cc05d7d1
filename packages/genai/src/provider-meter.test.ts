import { diag } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import {
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_FIRST_CHUNK_BUCKETS,
  GEN_AI_PER_CHUNK_BUCKETS,
  GEN_AI_TOKEN_BUCKETS,
} from '@mltel/semconv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAIUsage, ProviderMeter, SCOPE_NAME, SCOPE_VERSION } from './index.js';
import {
  AUDIO,
  captureDiag,
  DURATION,
  ERROR_TYPE,
  FIRST_CHUNK,
  httpError,
  IMAGES,
  networkError,
  OPERATION,
  PER_CHUNK,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  SERVER_ADDRESS,
  SERVER_PORT,
  setup,
  sleep,
  TOKEN_DETAIL,
  TOKEN_TYPE,
  TOKENS,
  VIDEO,
} from '../test/harness.js';
import type { HistogramPoint } from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const DURATION_BUCKETS = [...GEN_AI_DURATION_BUCKETS];
const TOKEN_BUCKETS = [...GEN_AI_TOKEN_BUCKETS];
const CHAT = { provider: 'openai', operation: 'chat', model: 'gpt-4o' } as const;
const CHAT_ATTRS = { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' };

const total = (counts: number[]): number => counts.reduce((a, b) => a + b, 0);

/** Bucket counts with 1 at `index` of `boundaries.length + 1` buckets. */
function oneAt(boundaries: readonly number[], index: number): number[] {
  return new Array<number>(boundaries.length + 1).fill(0).map((_, i) => (i === index ? 1 : 0));
}

/** Asserts one measured-duration point: exact attributes and count, consistent buckets. */
function expectMeasured(point: HistogramPoint | undefined, attributes: Attributes, count: number): void {
  expect(point).toBeDefined();
  expect(point!.attributes).toEqual(attributes);
  expect(point!.count).toBe(count);
  expect(point!.boundaries).toEqual(DURATION_BUCKETS);
  expect(total(point!.counts)).toBe(count);
  expect(point!.sum).toBeGreaterThanOrEqual(0);
  expect(point!.sum).toBeLessThan(5);
}

/** A token-usage point with one measurement of `value`. */
function tokenPoint(attributes: Attributes, value: number, bucket: number): HistogramPoint {
  return {
    attributes,
    count: 1,
    sum: value,
    min: value,
    max: value,
    boundaries: TOKEN_BUCKETS,
    counts: oneAt(TOKEN_BUCKETS, bucket),
  };
}

describe('instruments', () => {
  it('creates the instruments with their names, units, kinds and the @mltel/genai scope', async () => {
    const { meter, reader } = setup();
    meter.record({
      ...CHAT,
      durationSeconds: 1,
      timeToFirstChunkSeconds: 0.2,
      usage: { inputTokens: 1, cacheReadInputTokens: 1, images: 1, audioSeconds: 1, videoSeconds: 1 },
    });
    const timer = meter.start(CHAT);
    timer.chunk();
    timer.chunk();
    timer.end();
    meter.setStatus('openai', true);
    meter.setCircuitState('openai', 'closed');

    const { resourceMetrics, errors } = await reader.collect();
    expect(errors).toEqual([]);
    expect(resourceMetrics.scopeMetrics.map((s) => [s.scope.name, s.scope.version])).toEqual([
      ['@mltel/genai', '0.1.0'],
    ]);
    expect([SCOPE_NAME, SCOPE_VERSION]).toEqual(['@mltel/genai', '0.1.0']);
    const described = resourceMetrics.scopeMetrics[0]!.metrics.map((m) => ({
      name: m.descriptor.name,
      unit: m.descriptor.unit,
      type: m.dataPointType,
      monotonic: m.dataPointType === DataPointType.SUM ? m.isMonotonic : undefined,
    })).sort((a, b) => a.name.localeCompare(b.name));
    expect(described).toEqual([
      { name: 'gen_ai.client.operation.duration', unit: 's', type: DataPointType.HISTOGRAM, monotonic: undefined },
      {
        name: 'gen_ai.client.operation.time_per_output_chunk',
        unit: 's',
        type: DataPointType.HISTOGRAM,
        monotonic: undefined,
      },
      {
        name: 'gen_ai.client.operation.time_to_first_chunk',
        unit: 's',
        type: DataPointType.HISTOGRAM,
        monotonic: undefined,
      },
      { name: 'gen_ai.client.token.usage', unit: '{token}', type: DataPointType.HISTOGRAM, monotonic: undefined },
      { name: 'ml.audio.duration', unit: 's', type: DataPointType.SUM, monotonic: true },
      { name: 'ml.gen_ai.images', unit: '{image}', type: DataPointType.SUM, monotonic: true },
      { name: 'ml.gen_ai.token.detail', unit: '{token}', type: DataPointType.SUM, monotonic: true },
      { name: 'ml.provider.circuit_breaker.state', unit: '{state}', type: DataPointType.GAUGE, monotonic: undefined },
      { name: 'ml.provider.status', unit: '{status}', type: DataPointType.GAUGE, monotonic: undefined },
      { name: 'ml.video.duration', unit: 's', type: DataPointType.SUM, monotonic: true },
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('uses the semconv bucket boundaries for the four histograms', async () => {
    const { meter, collect } = setup();
    meter.record({ ...CHAT, durationSeconds: 1, timeToFirstChunkSeconds: 0.3, usage: { inputTokens: 100 } });
    const timer = meter.start({ ...CHAT, model: 'gpt-4o-mini' });
    timer.chunk();
    timer.chunk();
    timer.end();
    const c = await collect();
    expect(DURATION_BUCKETS).toEqual([
      0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
    ]);
    expect(TOKEN_BUCKETS).toEqual([
      1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
    ]);
    const firstChunk = [...GEN_AI_FIRST_CHUNK_BUCKETS];
    expect(c.histograms(DURATION).map((h) => h.boundaries)).toEqual([DURATION_BUCKETS, DURATION_BUCKETS]);
    expect(c.histograms(TOKENS).map((h) => h.boundaries)).toEqual([TOKEN_BUCKETS]);
    expect(c.histograms(FIRST_CHUNK).map((h) => h.boundaries)).toEqual([firstChunk, firstChunk]);
    expect(c.histograms(PER_CHUNK).map((h) => h.boundaries)).toEqual([[...GEN_AI_PER_CHUNK_BUCKETS]]);
    // 1 s falls in (0.64, 1.28]; 100 tokens in (64, 256]; 0.3 s in (0.25, 0.5].
    expect(c.histograms(DURATION)[0]!.counts).toEqual(oneAt(DURATION_BUCKETS, 7));
    expect(c.histograms(TOKENS)[0]!.counts).toEqual(oneAt(TOKEN_BUCKETS, 4));
    expect(c.histograms(FIRST_CHUNK)[0]!.counts).toEqual(oneAt(firstChunk, 9));
  });
});

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

  it('leaves out server.port without server.address, and an invalid port', async () => {
    const { meter, collect } = setup();
    meter.record({ provider: 'openai', operation: 'chat', serverPort: 443, durationSeconds: 1 });
    meter.record({
      provider: 'anthropic',
      operation: 'chat',
      serverAddress: 'api.anthropic.com',
      serverPort: 70000,
      durationSeconds: 1,
    });
    meter.record({
      provider: 'mistral',
      operation: 'chat',
      serverAddress: 'api.mistral.ai',
      serverPort: 8443,
      durationSeconds: 1,
    });
    expect((await collect()).histograms(DURATION).map((h) => h.attributes)).toEqual([
      { [PROVIDER]: 'anthropic', [OPERATION]: 'chat', [SERVER_ADDRESS]: 'api.anthropic.com' },
      { [PROVIDER]: 'mistral', [OPERATION]: 'chat', [SERVER_ADDRESS]: 'api.mistral.ai', [SERVER_PORT]: 8443 },
      { [PROVIDER]: 'openai', [OPERATION]: 'chat' },
    ]);
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

describe('start() / chunk() / end() / fail()', () => {
  it('end twice records the call once, with the usage of the first end', async () => {
    const { meter, collect } = setup();
    const timer = meter.start(CHAT);
    timer.end({ inputTokens: 10 });
    timer.end({ inputTokens: 99 });
    timer.fail(httpError(500));
    const c = await collect();
    expectMeasured(c.histograms(DURATION)[0], CHAT_ATTRS, 1);
    expect(c.histograms(DURATION)).toHaveLength(1);
    expect(c.sums(TOKENS)).toEqual([[{ ...CHAT_ATTRS, [TOKEN_TYPE]: 'input' }, 10]]);
  });

  it('fail after end is ignored; end after fail is ignored', async () => {
    const { meter, collect } = setup();
    const ok = meter.start(CHAT);
    ok.end();
    ok.fail(httpError(429));
    const failed = meter.start(CHAT);
    failed.fail(httpError(503), { inputTokens: 7 });
    failed.end({ inputTokens: 1000 });
    failed.chunk();
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [CHAT_ATTRS, 1],
      [{ ...CHAT_ATTRS, [ERROR_TYPE]: '503' }, 1],
    ]);
    // Usage reported with the failure is still recorded.
    expect(c.sums(TOKENS)).toEqual([[{ ...CHAT_ATTRS, [TOKEN_TYPE]: 'input' }, 7]]);
    expect(c.histograms(FIRST_CHUNK)).toEqual([]);
  });

  it('fail(undefined) records error.type Error; fail("overloaded") records the string', async () => {
    const { meter, collect } = setup();
    meter.start(CHAT).fail(undefined);
    meter.start(CHAT).fail('overloaded_error');
    expect((await collect()).histograms(DURATION).map((h) => h.attributes[ERROR_TYPE])).toEqual([
      'Error',
      'overloaded_error',
    ]);
  });

  it('chunk() times the first chunk from start, then each gap', async () => {
    const { meter, collect } = setup();
    const timer = meter.start(CHAT);
    await sleep(40);
    timer.chunk();
    await sleep(20);
    timer.chunk();
    timer.chunk();
    timer.end();
    const c = await collect();
    const first = c.histograms(FIRST_CHUNK);
    expect(first.map((h) => [h.attributes, h.count])).toEqual([[CHAT_ATTRS, 1]]);
    expect(first[0]!.sum).toBeGreaterThanOrEqual(0.035);
    expect(first[0]!.boundaries).toEqual([...GEN_AI_FIRST_CHUNK_BUCKETS]);
    const gaps = c.histograms(PER_CHUNK);
    expect(gaps.map((h) => [h.attributes, h.count])).toEqual([[CHAT_ATTRS, 2]]);
    expect(gaps[0]!.max!).toBeGreaterThanOrEqual(0.015);
    expect(gaps[0]!.min!).toBeLessThan(0.015);
    expect(c.histograms(DURATION)[0]!.sum).toBeGreaterThanOrEqual(0.055);
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
      `mltel: durationSeconds must be a finite number >= 0, got ${described}; the call is dropped`,
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

describe('token detail and units', () => {
  it('records cache reads, cache writes and reasoning in ml.gen_ai.token.detail, never in token.usage', async () => {
    const { meter, collect } = setup();
    const usage = {
      responseModel: 'gpt-4o',
      inputTokens: 1200,
      outputTokens: 500,
      cacheReadInputTokens: 1000,
      cacheCreationInputTokens: 150,
      reasoningTokens: 320,
    };
    meter.record({ ...CHAT, durationSeconds: 1, usage });
    meter.record({ ...CHAT, durationSeconds: 1, usage });
    const attributes = { ...CHAT_ATTRS, [RESPONSE_MODEL]: 'gpt-4o' };
    const c = await collect();
    expect(c.points(TOKEN_DETAIL)).toEqual([
      { attributes: { ...attributes, [TOKEN_TYPE]: 'cache_creation' }, value: 300 },
      { attributes: { ...attributes, [TOKEN_TYPE]: 'cache_read' }, value: 2000 },
      { attributes: { ...attributes, [TOKEN_TYPE]: 'reasoning' }, value: 640 },
    ]);
    // The totals carry only input and output: summing over token types counts each token once.
    expect(c.histograms(TOKENS).map((h) => [h.attributes[TOKEN_TYPE], h.count, h.sum])).toEqual([
      ['input', 2, 2400],
      ['output', 2, 1000],
    ]);
    expect(c.points(IMAGES)).toEqual([]);
  });

  it('does not add zero detail counts', async () => {
    const { meter, collect } = setup();
    meter.record({
      ...CHAT,
      durationSeconds: 1,
      usage: { cacheReadInputTokens: 0, reasoningTokens: 0, cacheCreationInputTokens: 3 },
    });
    expect((await collect()).points(TOKEN_DETAIL)).toEqual([
      { attributes: { ...CHAT_ATTRS, [TOKEN_TYPE]: 'cache_creation' }, value: 3 },
    ]);
  });

  it('records images, audio and video seconds with provider, model and operation only', async () => {
    const { meter, collect } = setup();
    const server = { serverAddress: 'api.openai.com', serverPort: 443 };
    meter.record({
      provider: 'openai',
      operation: 'image_generation',
      model: 'dall-e-3',
      ...server,
      durationSeconds: 8,
      usage: { responseModel: 'dall-e-3-hd', images: 2 },
    });
    meter.record({
      provider: 'openai',
      operation: 'image_generation',
      model: 'dall-e-3',
      ...server,
      durationSeconds: 8,
      usage: { images: 1 },
    });
    meter.record({
      provider: 'openai',
      operation: 'transcription',
      model: 'whisper-1',
      ...server,
      durationSeconds: 3,
      usage: { audioSeconds: 61.5 },
    });
    meter.record({
      provider: 'fal_ai',
      operation: 'video_generation',
      durationSeconds: 40,
      usage: { videoSeconds: 5 },
    });
    const c = await collect();
    expect(c.points(IMAGES)).toEqual([
      { attributes: { [PROVIDER]: 'openai', [OPERATION]: 'image_generation', [REQUEST_MODEL]: 'dall-e-3' }, value: 3 },
    ]);
    expect(c.points(AUDIO)).toEqual([
      { attributes: { [PROVIDER]: 'openai', [OPERATION]: 'transcription', [REQUEST_MODEL]: 'whisper-1' }, value: 61.5 },
    ]);
    expect(c.points(VIDEO)).toEqual([
      { attributes: { [PROVIDER]: 'fal_ai', [OPERATION]: 'video_generation' }, value: 5 },
    ]);
    expect(c.histograms(TOKENS)).toEqual([]);
    // The duration keeps the response model and server attributes.
    expect(c.histograms(DURATION).map((h) => h.attributes)).toContainEqual({
      [PROVIDER]: 'openai',
      [OPERATION]: 'image_generation',
      [REQUEST_MODEL]: 'dall-e-3',
      [RESPONSE_MODEL]: 'dall-e-3-hd',
      [SERVER_ADDRESS]: 'api.openai.com',
      [SERVER_PORT]: 443,
    });
  });

  it('does not record characters (the cost meter does)', async () => {
    const { meter, collect } = setup();
    meter.record({ provider: 'openai', operation: 'speech', durationSeconds: 1, usage: { characters: 900 } });
    const c = await collect();
    expect([...c.byName.keys()]).toEqual([DURATION]);
  });
});

describe('model allow-list', () => {
  it('keeps exact and prefix* entries; others are _OTHER for request and response model', async () => {
    const { meter, collect } = setup({ models: ['claude-sonnet-4-5', 'gpt-4o*'] });
    const call = (model: string, responseModel: string) =>
      meter.record({ provider: 'p', operation: 'chat', model, durationSeconds: 1, usage: { responseModel } });
    call('claude-sonnet-4-5', 'claude-sonnet-4-5-20250929');
    call('gpt-4o', 'gpt-4o-2024-08-06');
    call('gpt-4o-mini', 'gpt-4o-mini-2024-07-18');
    call('llama-3-70b', 'gpt-4o');
    call('my-fine-tune', 'my-fine-tune');
    const c = await collect();
    expect(
      c.histograms(DURATION).map((h) => [h.attributes[REQUEST_MODEL], h.attributes[RESPONSE_MODEL], h.count]),
    ).toEqual([
      ['_OTHER', '_OTHER', 1],
      ['_OTHER', 'gpt-4o', 1],
      ['claude-sonnet-4-5', '_OTHER', 1],
      ['gpt-4o', 'gpt-4o-2024-08-06', 1],
      ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 1],
    ]);
    expect(log.warnings).toEqual(['mltel: gen_ai.request.model value outside the allow-list is recorded as _OTHER']);
  });

  it('maxModels caps the prefix matches of an allow-list', async () => {
    const { meter, collect } = setup({ models: ['gpt-4o', 'gpt-*'], maxModels: 2 });
    for (const model of ['gpt-4o', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano', 'gpt-4o', 'gpt-5']) {
      meter.record({ provider: 'openai', operation: 'chat', model, durationSeconds: 1 });
    }
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes[REQUEST_MODEL], h.count])).toEqual([
      ['_OTHER', 1],
      ['gpt-4o', 2],
      ['gpt-5', 2],
      ['gpt-5-mini', 1],
    ]);
  });

  it('without an allow-list, keeps the first maxModels distinct names (request and response share the cap)', async () => {
    const { meter, collect } = setup({ maxModels: 3 });
    meter.record({ provider: 'p', operation: 'chat', model: 'a', durationSeconds: 1, usage: { responseModel: 'a-1' } });
    meter.record({ provider: 'p', operation: 'chat', model: 'b', durationSeconds: 1 });
    meter.record({ provider: 'p', operation: 'chat', model: 'c', durationSeconds: 1 });
    meter.record({ provider: 'p', operation: 'chat', model: 'a', durationSeconds: 1 });
    const c = await collect();
    expect(
      c.histograms(DURATION).map((h) => [h.attributes[REQUEST_MODEL], h.attributes[RESPONSE_MODEL], h.count]),
    ).toEqual([
      ['_OTHER', undefined, 1],
      ['a', undefined, 1],
      ['a', 'a-1', 1],
      ['b', undefined, 1],
    ]);
    expect(log.warnings).toEqual([
      'mltel: more than 3 distinct gen_ai.request.model values; further values are recorded as _OTHER',
    ]);
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
