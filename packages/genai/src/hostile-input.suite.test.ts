// Property suite: every public recording and wrapping API of the provider meter, fed hostile
// values (throwing Proxies and getters, unprintable errors, absurd numbers, huge strings, symbols,
// bigints, cycles). Nothing throws into the caller, and a tracked call's result or error (or a
// stream's chunks) reaches the caller unchanged, same identity.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Make, Outcome } from '../../tasks/test/hostile.js';
import {
  checkHostile,
  either,
  expectSame,
  hostile,
  hostileRecord,
  maker,
  outcomeOf,
  throwingThen,
  unprintableError,
} from '../../tasks/test/hostile.js';
import { setup } from '../test/harness.js';
import { createProviderMeter } from './default-meter.js';
import { isCallRefusal } from './call-refusal.js';
import { genAiErrorType } from './error-type.js';
import type { CircuitBreakerState } from './health.js';
import type { ProviderMeter } from './provider-meter.js';
import type {
  ProviderCall,
  ProviderCallHooks,
  ProviderCallRecord,
  ProviderUsage,
  StreamOptions,
  TrackOptions,
} from './types.js';
import { anthropicEventUsage, anthropicUsage, openAIResponseEventUsage, openAIUsage } from './usage.js';

const RUNS = 8000;
const count = fc.oneof(fc.nat(100_000), fc.constantFrom(1e308, 1e13, -1, Number.NaN));
const usageFields = {
  responseModel: fc.constantFrom('gpt-4o', 'claude'),
  inputTokens: count,
  outputTokens: count,
  cacheReadInputTokens: count,
  cacheCreationInputTokens: count,
  reasoningTokens: count,
  images: count,
  audioSeconds: count,
  videoSeconds: count,
  characters: count,
};
const usage = hostileRecord(usageFields);
const callFields = {
  provider: fc.constantFrom('openai', 'anthropic'),
  operation: fc.constantFrom('chat', 'embeddings'),
  model: fc.constantFrom('gpt-4o', 'claude-3'),
  serverAddress: fc.constantFrom('api.openai.com'),
  serverPort: fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constant(443)),
};
const call = hostileRecord(callFields);
const trackOptions = hostileRecord({
  usage: fc.constantFrom<unknown>(
    () => ({ inputTokens: 3 }),
    () => {
      throw unprintableError();
    },
    openAIUsage,
  ),
});
const behaviours = ['return', 'throw', 'resolve', 'reject', 'badThen'] as const;
type Behaviour = (typeof behaviours)[number];
const outcome = fc.oneof(fc.constant(maker('sentinel', () => ({ sentinel: true }))), hostile());

function work(behaviour: Behaviour, value: unknown): () => unknown {
  switch (behaviour) {
    case 'return':
    case 'badThen':
      return () => value;
    case 'throw':
      return () => {
        throw value;
      };
    case 'resolve':
      return () => Promise.resolve().then(() => value);
    case 'reject':
      return () => Promise.reject(value);
  }
}

/** The same settlement (fulfilled or rejected) with the same value. */
function expectSameSettlement(seen: Outcome, expected: Outcome): void {
  expectSame(seen.threw, false, 'track() threw synchronously');
  expectSame(seen.settled, expected.settled, 'settled');
  expectSame(seen.settledWith, expected.settledWith, 'settled with');
}

/** A hook set made of `make()`: valid hooks, or hostile values (a throwing Proxy, throwing getters). */
const hooks = either(
  fc.constantFrom<unknown>(
    {},
    {
      beforeCall() {
        throw unprintableError();
      },
      afterCall() {
        throw unprintableError();
      },
      prepare: () => Promise.reject(unprintableError()),
    },
    { prepare: () => throwingThen() },
  ),
  ['beforeCall', 'afterCall', 'prepare'],
);

// Each property runs thousands of inputs: a generous bound, far above the few seconds they take.
const PROPERTY_TIMEOUT_MS = 60_000;

describe('provider meter: hostile input (fast-check)', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('track(): never throws of its own; the result or error is the caller’s, unchanged', async () => {
    const { meter } = setup();
    await checkHostile(
      fc.asyncProperty(call, trackOptions, hooks, fc.constantFrom(...behaviours), outcome, async (c, o, h, b, v) => {
        const value = b === 'badThen' ? throwingThen() : v();
        const fn = work(b, value);
        const remove = meter.addHooks(h() as ProviderCallHooks);
        try {
          const expected = await outcomeOf(async () => await fn());
          const seen = await outcomeOf(() => meter.track(c() as ProviderCall, fn, o() as TrackOptions<unknown>));
          if (seen.settled === 'rejected' && isRefusal(seen.settledWith)) return;
          expectSameSettlement(seen, expected);
        } finally {
          remove();
        }
      }),
      RUNS,
    );
  });

  it('trackStream() and observeStream(): the stream’s chunks and error reach the consumer unchanged', async () => {
    const { meter } = setup();
    const streamOptions = hostileRecord({
      usage: fc.constantFrom<unknown>(
        () => ({ outputTokens: 1e308 }),
        anthropicEventUsage,
        () => throwingThen(),
      ),
      isOutputChunk: fc.constantFrom<unknown>(
        () => true,
        () => {
          throw unprintableError();
        },
      ),
    });
    await checkHostile(
      fc.asyncProperty(
        call,
        streamOptions,
        fc.array(fc.oneof(hostile(), fc.constant(maker('chunk', () => ({ type: 'message_delta' })))), {
          maxLength: 3,
        }),
        fc.boolean(),
        fc.boolean(),
        async (c, o, chunkMakers, fails, manual) => {
          const chunks = chunkMakers.map((make: Make) => make());
          const error = unprintableError();
          const source = async function* () {
            for (const chunk of chunks) yield chunk;
            if (fails) throw error;
          };
          // An async generator's yield awaits a thenable chunk: iterate the source alone for the expectation.
          const expected = await drain(source());
          const options = o() as StreamOptions<unknown>;
          let stream: AsyncIterable<unknown>;
          if (manual) {
            stream = meter.observeStream(meter.start(c() as ProviderCall), source(), options);
          } else {
            const opened = await outcomeOf(() => meter.trackStream(c() as ProviderCall, () => source(), options));
            expectSame(opened.settled, 'fulfilled', 'trackStream() settled');
            stream = opened.settledWith as AsyncIterable<unknown>;
          }
          const seen = await drain(stream);
          expectSame(seen.length, expected.length, 'chunks');
          for (let i = 0; i < seen.length; i++) expectSame(seen[i], expected[i], `chunk ${i}`);
        },
      ),
      RUNS,
    );
  });

  it('trackStream() of a hostile stream value: returned as is, never a throw of mltel’s', async () => {
    const { meter } = setup();
    await checkHostile(
      fc.asyncProperty(call, hostile(), async (c, s) => {
        const source = s();
        const opened = await outcomeOf(() => meter.trackStream(c() as ProviderCall, () => source as never));
        if (opened.settled === 'fulfilled') expectSame(opened.settledWith, source, 'stream');
        else {
          // Only awaiting the source itself may reject (a thenable stream value).
          const direct = await outcomeOf(async () => await source);
          expectSame(direct.settled, 'rejected', 'only a thenable rejects');
        }
      }),
      RUNS / 5,
    );
  });

  it('start(), record(), setStatus(), setCircuitState(), beforeCall(): nothing throws', async () => {
    const { meter, collect } = setup();
    const record = hostileRecord({
      ...callFields,
      durationSeconds: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constant(1e308)),
      usage: fc.constant({ inputTokens: 1e308, outputTokens: 5 }),
      error: fc.constantFrom<unknown>(new TypeError('x'), 'RateLimit'),
      timeToFirstChunkSeconds: fc.double({ min: 0, max: 10, noNaN: true }),
    });
    await checkHostile(
      fc.property(call, usage, hostile(), record, hostile(), hostile(), fc.boolean(), (c, u, e, r, p, s, ends) => {
        const timer = meter.start(c() as ProviderCall);
        timer.chunk();
        if (ends) timer.end(u() as ProviderUsage);
        else timer.fail(e(), u() as ProviderUsage);
        meter.record(r() as ProviderCallRecord);
        meter.setStatus(p() as string, s() as boolean);
        meter.setCircuitState(p() as string, s() as CircuitBreakerState);
        meter.beforeCall(c() as ProviderCall);
      }),
      RUNS,
    );
    await collect();
  });

  it('createProviderMeter(), the usage extractors and genAiErrorType() never throw', async () => {
    await checkHostile(
      fc.property(
        hostileRecord({
          models: fc.constant(['gpt-4o*']),
          maxModels: fc.nat(300),
          deriveHealth: fc.constantFrom<unknown>(true, { window: 3 }),
        }),
        hostile(['usage', 'model', 'message', 'response', 'type', 'input_tokens', 'prompt_tokens']),
        (o, body) => {
          let meter: ProviderMeter | undefined;
          expect(() => {
            meter = createProviderMeter(o() as object);
          }).not.toThrow();
          meter!.record({ provider: 'openai', operation: 'chat', durationSeconds: 1 });
          const value = body();
          for (const extract of [openAIUsage, anthropicUsage, anthropicEventUsage, openAIResponseEventUsage]) {
            extract(value);
          }
          expect(typeof genAiErrorType(value)).toBe('string');
        },
      ),
      RUNS / 5,
    );
  });
});

function isRefusal(value: unknown): boolean {
  try {
    return isCallRefusal(value);
  } catch {
    return false;
  }
}

/** Every chunk of an async iterable, then the error it ended with (if any). Never throws. */
async function drain(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  try {
    for await (const chunk of stream) seen.push(chunk);
  } catch (error) {
    seen.push('threw', error);
  }
  return seen;
}
