import { diag } from '@opentelemetry/api';
import { GEN_AI_FIRST_CHUNK_BUCKETS } from '@mltel/semconv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  captureDiag,
  DURATION,
  ERROR_TYPE,
  expectMeasured,
  FIRST_CHUNK,
  httpError,
  OPERATION,
  PER_CHUNK,
  PROVIDER,
  REQUEST_MODEL,
  setup,
  sleep,
  TOKEN_TYPE,
  TOKENS,
} from '../test/harness.js';
import type { CallAttributes } from './call-attributes.js';
import { CallTimer, NOOP_TIMER } from './call-timer.js';
import type { CallTimerSink } from './call-timer.js';
import type { ProviderUsage } from './types.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const CHAT = { provider: 'openai', operation: 'chat', model: 'gpt-4o' } as const;
const CHAT_ATTRS = { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' };

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

/** A sink that keeps what it is told. */
function recordingSink() {
  const chunks: [number, boolean][] = [];
  const finished: { durationSeconds: number; usage: ProviderUsage | undefined; error: unknown }[] = [];
  const sink: CallTimerSink = {
    chunk: (_call, seconds, first) => void chunks.push([seconds, first]),
    finish: (_call, durationSeconds, usage, error) => void finished.push({ durationSeconds, usage, error }),
  };
  return { sink, chunks, finished };
}

const CALL: CallAttributes = { provider: 'openai', operation: 'chat', model: 'gpt-4o', base: CHAT_ATTRS };

describe('CallTimer', () => {
  it('reports the first chunk from the start, then each gap, then the duration', async () => {
    const { sink, chunks, finished } = recordingSink();
    const timer = new CallTimer(sink, CALL);
    expect(timer.call).toBe(CALL);
    await sleep(30);
    timer.chunk();
    await sleep(15);
    timer.chunk();
    timer.end({ outputTokens: 2 });
    expect(chunks.map(([, first]) => first)).toEqual([true, false]);
    expect(chunks[0]![0]).toBeGreaterThanOrEqual(0.025);
    expect(chunks[1]![0]).toBeGreaterThanOrEqual(0.01);
    expect(finished).toHaveLength(1);
    expect(finished[0]!.usage).toEqual({ outputTokens: 2 });
    expect(finished[0]!.error).toBeUndefined();
    expect(finished[0]!.durationSeconds).toBeGreaterThanOrEqual(0.04);
  });

  it('ends once: later end, fail and chunk calls are ignored', () => {
    const { sink, chunks, finished } = recordingSink();
    const timer = new CallTimer(sink, CALL);
    const error = httpError(500);
    timer.fail(error, { inputTokens: 3 });
    timer.end({ inputTokens: 99 });
    timer.fail(httpError(429));
    timer.chunk();
    expect(chunks).toEqual([]);
    expect(finished.map((f) => [f.error, f.usage])).toEqual([[error, { inputTokens: 3 }]]);
  });

  it('fail(undefined) ends with the error "Error" (a failure, not a success)', () => {
    const { sink, finished } = recordingSink();
    new CallTimer(sink, CALL).fail(undefined);
    expect(finished.map((f) => f.error)).toEqual(['Error']);
  });

  it('never throws when the sink does', () => {
    const sink: CallTimerSink = {
      chunk: () => {
        throw new Error('chunk');
      },
      finish: () => {
        throw new Error('finish');
      },
    };
    const timer = new CallTimer(sink, CALL);
    expect(() => {
      timer.chunk();
      timer.chunk();
      timer.end();
      timer.fail(new Error('x'));
    }).not.toThrow();
  });

  it('NOOP_TIMER accepts every call and does nothing', () => {
    expect(() => {
      NOOP_TIMER.chunk();
      NOOP_TIMER.end({ inputTokens: 1 });
      NOOP_TIMER.fail(new Error('x'));
    }).not.toThrow();
  });
});
