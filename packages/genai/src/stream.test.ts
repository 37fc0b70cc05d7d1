import { diag } from '@opentelemetry/api';
import { GEN_AI_FIRST_CHUNK_BUCKETS, GEN_AI_PER_CHUNK_BUCKETS } from '@mltel/semconv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anthropicEventUsage, openAIUsage } from './index.js';
import {
  captureDiag,
  DURATION,
  ERROR_TYPE,
  FIRST_CHUNK,
  httpError,
  networkError,
  OPERATION,
  PER_CHUNK,
  PROVIDER,
  REQUEST_MODEL,
  RESPONSE_MODEL,
  setup,
  sleep,
  TOKEN_DETAIL,
  TOKEN_TYPE,
  TOKENS,
} from '../test/harness.js';

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  expect(log.errors).toEqual([]);
  diag.disable();
});

const OPENAI = { provider: 'openai', operation: 'chat', model: 'gpt-4o' } as const;
const OPENAI_ATTRS = { [PROVIDER]: 'openai', [OPERATION]: 'chat', [REQUEST_MODEL]: 'gpt-4o' };
const ANTHROPIC = { provider: 'anthropic', operation: 'chat', model: 'claude-sonnet-4-5' } as const;
const ANTHROPIC_ATTRS = { [PROVIDER]: 'anthropic', [OPERATION]: 'chat', [REQUEST_MODEL]: 'claude-sonnet-4-5' };

interface ChatChunk {
  model: string;
  choices: { index: number; delta: { content?: string } }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

/** An OpenAI chat stream: `n` content chunks, then (stream_options.include_usage) a usage-only chunk. */
async function* chatStream(n: number, gapMs = 0): AsyncGenerator<ChatChunk> {
  for (let i = 0; i < n; i++) {
    if (gapMs > 0) await sleep(gapMs);
    yield { model: 'gpt-4o-2024-08-06', choices: [{ index: 0, delta: { content: `t${i}` } }], usage: null };
  }
  yield {
    model: 'gpt-4o-2024-08-06',
    choices: [],
    usage: { prompt_tokens: 50, completion_tokens: n, total_tokens: 50 + n },
  };
}

const isContent = (chunk: ChatChunk): boolean => chunk.choices.length > 0;

/** The events of an Anthropic Messages stream, as the SDK yields them. */
function anthropicEvents(): unknown[] {
  return [
    {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        usage: { input_tokens: 25, cache_read_input_tokens: 100, cache_creation_input_tokens: 10, output_tokens: 1 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' world' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: '!' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 15 } },
    { type: 'message_stop' },
  ];
}

async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('trackStream(): a complete stream', () => {
  it('times the first chunk once, each later output chunk, and records the usage chunk', async () => {
    const { meter, collect } = setup();
    const source = chatStream(4, 5);
    const stream = await meter.trackStream(OPENAI, () => source, { usage: openAIUsage, isOutputChunk: isContent });
    expect(stream).toBe(source);
    const chunks = await drain(stream);
    expect(chunks).toHaveLength(5);

    const attributes = { ...OPENAI_ATTRS, [RESPONSE_MODEL]: 'gpt-4o-2024-08-06' };
    const c = await collect();
    const durations = c.histograms(DURATION);
    expect(durations.map((h) => [h.attributes, h.count])).toEqual([[attributes, 1]]);
    expect(durations[0]!.sum).toBeGreaterThanOrEqual(0.015);
    // The chunk timings are recorded as chunks arrive, before the response model is known.
    const first = c.histograms(FIRST_CHUNK);
    expect(first.map((h) => [h.attributes, h.count, h.boundaries])).toEqual([
      [OPENAI_ATTRS, 1, [...GEN_AI_FIRST_CHUNK_BUCKETS]],
    ]);
    expect(first[0]!.sum).toBeGreaterThanOrEqual(0.003);
    const gaps = c.histograms(PER_CHUNK);
    // 4 output chunks: 3 gaps; the usage-only chunk is not one.
    expect(gaps.map((h) => [h.attributes, h.count, h.boundaries])).toEqual([
      [OPENAI_ATTRS, 3, [...GEN_AI_PER_CHUNK_BUCKETS]],
    ]);
    expect(gaps[0]!.min!).toBeGreaterThanOrEqual(0.003);
    expect(c.sums(TOKENS)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 50],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 4],
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('without isOutputChunk every chunk counts as output', async () => {
    const { meter, collect } = setup();
    await drain(await meter.trackStream(OPENAI, () => chatStream(2)));
    const c = await collect();
    expect(c.histograms(FIRST_CHUNK).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([2]);
    expect(c.histograms(TOKENS)).toEqual([]);
  });

  it('a stream without output chunks records no chunk timings', async () => {
    const { meter, collect } = setup();
    await drain(await meter.trackStream(OPENAI, () => chatStream(0), { usage: openAIUsage, isOutputChunk: isContent }));
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(FIRST_CHUNK)).toEqual([]);
    expect(c.histograms(PER_CHUNK)).toEqual([]);
    expect(c.sums(TOKENS).map(([a, v]) => [a[TOKEN_TYPE], v])).toEqual([
      ['input', 50],
      ['output', 0],
    ]);
  });

  it('merges Anthropic usage: input (with cache) from message_start, output from message_delta', async () => {
    const { meter, collect } = setup();
    const stream = await meter.trackStream(ANTHROPIC, async () => fromArray(anthropicEvents()), {
      usage: anthropicEventUsage,
      isOutputChunk: (event) => (event as { type: string }).type === 'content_block_delta',
    });
    expect(await drain(stream)).toHaveLength(9);
    const attributes = { ...ANTHROPIC_ATTRS, [RESPONSE_MODEL]: 'claude-sonnet-4-5-20250929' };
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[attributes, 1]]);
    expect(c.sums(TOKENS)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 135],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 15],
    ]);
    expect(c.points(TOKEN_DETAIL)).toEqual([
      { attributes: { ...attributes, [TOKEN_TYPE]: 'cache_creation' }, value: 10 },
      { attributes: { ...attributes, [TOKEN_TYPE]: 'cache_read' }, value: 100 },
    ]);
    expect(c.histograms(FIRST_CHUNK).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([2]);
  });

  it('a usage extractor or isOutputChunk that throws loses that chunk, never the stream', async () => {
    const { meter, collect } = setup();
    const stream = await meter.trackStream(OPENAI, () => chatStream(3), {
      usage: (chunk) => {
        if (chunk.usage == null) throw new Error('no usage');
        return openAIUsage(chunk);
      },
      isOutputChunk: (chunk) => {
        if (chunk.choices[0]?.delta.content === 't1') throw new Error('odd chunk');
        return isContent(chunk);
      },
    });
    expect((await drain(stream)).length).toBe(4);
    const c = await collect();
    expect(c.histograms(FIRST_CHUNK).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([1]);
    expect(c.sums(TOKENS).map(([a, v]) => [a[TOKEN_TYPE], v])).toEqual([
      ['input', 50],
      ['output', 3],
    ]);
  });

  it('only the first iteration is observed: a second one records nothing more', async () => {
    const { meter, collect } = setup();
    const items = ['a', 'b'];
    const source = { [Symbol.asyncIterator]: () => fromArray(items)[Symbol.asyncIterator]() };
    const stream = await meter.trackStream(OPENAI, () => source);
    expect(await drain(stream)).toEqual(['a', 'b']);
    expect(await drain(stream)).toEqual(['a', 'b']);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(FIRST_CHUNK).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([1]);
  });

  it('records nothing until the stream is iterated', async () => {
    const { meter, collect } = setup();
    await meter.trackStream(OPENAI, () => chatStream(2));
    expect([...(await collect()).byName.keys()]).toEqual([]);
  });
});

describe('trackStream(): early end and failure', () => {
  it('break calls the source return(), and records one success with the usage so far', async () => {
    const { meter, collect } = setup();
    let finalized = 0;
    async function* events() {
      try {
        yield* anthropicEvents();
      } finally {
        finalized++;
      }
    }
    const stream = await meter.trackStream(ANTHROPIC, () => events(), { usage: anthropicEventUsage });
    let seen = 0;
    for await (const _ of stream) {
      if (++seen === 4) break;
    }
    expect(finalized).toBe(1);
    const attributes = { ...ANTHROPIC_ATTRS, [RESPONSE_MODEL]: 'claude-sonnet-4-5-20250929' };
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[attributes, 1]]);
    // Output so far: message_start's 1; the message_delta never came.
    expect(c.sums(TOKENS)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 135],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 1],
    ]);
    expect(c.histograms(FIRST_CHUNK).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([3]);
  });

  it('an error mid-stream reaches the consumer unchanged; the call is recorded once with error.type and usage so far', async () => {
    const { meter, collect } = setup();
    const thrown = networkError('ECONNRESET');
    async function* dying() {
      const events = anthropicEvents();
      yield events[0];
      yield events[3];
      yield events[4];
      throw thrown;
    }
    const stream = await meter.trackStream(ANTHROPIC, () => dying(), {
      usage: anthropicEventUsage,
      isOutputChunk: (event) => (event as { type: string }).type === 'content_block_delta',
    });
    let caught: unknown;
    let seen = 0;
    try {
      for await (const _ of stream) seen++;
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    expect(seen).toBe(3);
    const attributes = { ...ANTHROPIC_ATTRS, [RESPONSE_MODEL]: 'claude-sonnet-4-5-20250929' };
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...attributes, [ERROR_TYPE]: 'ECONNRESET' }, 1],
    ]);
    expect(c.sums(TOKENS)).toEqual([
      [{ ...attributes, [TOKEN_TYPE]: 'input' }, 135],
      [{ ...attributes, [TOKEN_TYPE]: 'output' }, 1],
    ]);
    expect(c.histograms(FIRST_CHUNK).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([1]);
  });

  it('open() rejecting: the same error is rethrown and the call recorded with its error.type', async () => {
    const { meter, collect } = setup();
    const thrown = httpError(529, 'Overloaded');
    let caught: unknown;
    try {
      await meter.trackStream(ANTHROPIC, () => Promise.reject(thrown));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBe(thrown);
    const sync = new RangeError('bad params');
    await expect(
      meter.trackStream(ANTHROPIC, () => {
        throw sync;
      }),
    ).rejects.toBe(sync);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...ANTHROPIC_ATTRS, [ERROR_TYPE]: '529' }, 1],
      [{ ...ANTHROPIC_ATTRS, [ERROR_TYPE]: 'RangeError' }, 1],
    ]);
    expect(c.histograms(FIRST_CHUNK)).toEqual([]);
  });

  it('throw() on the iterator ends the call as a failure and reaches the source', async () => {
    const { meter, collect } = setup();
    let received: unknown;
    async function* source() {
      try {
        yield 1;
        yield 2;
      } catch (error) {
        received = error;
      }
    }
    const stream = await meter.trackStream(OPENAI, () => source());
    const iterator = stream[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 1, done: false });
    const abort = httpError(408);
    expect(await iterator.throw!(abort)).toEqual({ value: undefined, done: true });
    expect(received).toBe(abort);
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...OPENAI_ATTRS, [ERROR_TYPE]: '408' }, 1],
    ]);
  });
});

describe('trackStream(): the returned iterable', () => {
  class SdkStream {
    readonly controller = new AbortController();
    constructor(private readonly items: string[]) {}
    async *[Symbol.asyncIterator]() {
      for (const item of this.items) {
        if (this.controller.signal.aborted) return;
        yield item;
      }
    }
    tee(): string {
      return 'tee';
    }
  }

  it('is the source object itself when extensible: its own methods and fields keep working', async () => {
    const { meter, collect } = setup();
    const source = new SdkStream(['a', 'b', 'c']);
    const stream = await meter.trackStream(OPENAI, async () => source);
    expect(stream).toBe(source);
    expect((stream as SdkStream).tee()).toBe('tee');
    expect((stream as SdkStream).controller).toBeInstanceOf(AbortController);
    expect(await drain(stream)).toEqual(['a', 'b', 'c']);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[OPENAI_ATTRS, 1]]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([2]);
  });

  it('a frozen iterable is wrapped, iterates the same items and is recorded', async () => {
    const { meter, collect } = setup();
    const source = Object.freeze({ [Symbol.asyncIterator]: () => fromArray(['x', 'y'])[Symbol.asyncIterator]() });
    const stream = await meter.trackStream(OPENAI, () => source);
    expect(stream).not.toBe(source);
    expect(Object.isFrozen(source)).toBe(true);
    expect(await drain(stream)).toEqual(['x', 'y']);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[OPENAI_ATTRS, 1]]);
    expect(c.histograms(FIRST_CHUNK).map((h) => h.count)).toEqual([1]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([1]);
  });

  it('a value that is not async iterable is returned as it is, recorded as a success, with one warning', async () => {
    const { meter, collect } = setup();
    const notStream = { data: [1, 2] };
    expect(await meter.trackStream(OPENAI, () => notStream as unknown as AsyncIterable<number>)).toBe(notStream);
    expect(await meter.trackStream(OPENAI, () => null as unknown as AsyncIterable<number>)).toBeNull();
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[OPENAI_ATTRS, 2]]);
    expect(log.warnings).toEqual(['mltel: a tracked stream must be an async iterable, got object']);
  });

  it('a hand-written iterator whose next() returns plain results (for-await accepts them) still works', async () => {
    const { meter, collect } = setup();
    const source = {
      [Symbol.asyncIterator]() {
        let i = 0;
        return {
          next: () => (i < 3 ? { value: i++, done: false } : { value: undefined, done: true }),
        } as unknown as AsyncIterator<number>;
      },
    };
    expect(await drain(source)).toEqual([0, 1, 2]);
    const stream = await meter.trackStream(OPENAI, () => source);
    expect(await drain(stream)).toEqual([0, 1, 2]);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[OPENAI_ATTRS, 1]]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([2]);
  });

  it('a next() that throws synchronously ends the call as a failure and reaches the consumer', async () => {
    const { meter, collect } = setup();
    const thrown = networkError('EPIPE');
    const source = {
      [Symbol.asyncIterator]() {
        return {
          next: () => {
            throw thrown;
          },
        } as unknown as AsyncIterator<number>;
      },
    };
    const stream = await meter.trackStream(OPENAI, () => source);
    await expect(drain(stream)).rejects.toBe(thrown);
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([
      [{ ...OPENAI_ATTRS, [ERROR_TYPE]: 'EPIPE' }, 1],
    ]);
  });

  it('break ends the call at once: a source return() that rejects later is not a failure', async () => {
    const { meter, collect } = setup();
    const cleanup = networkError('EPIPE');
    const source = {
      [Symbol.asyncIterator]() {
        let i = 0;
        return {
          next: async () => ({ value: i++, done: false }),
          return: async () => {
            await sleep(5);
            throw cleanup;
          },
        };
      },
    };
    const stream = await meter.trackStream(OPENAI, () => source);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    const returned = iterator.return!();
    // Ended when return() was called, before the source answered.
    expect((await collect()).histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[OPENAI_ATTRS, 1]]);
    await expect(returned).rejects.toBe(cleanup);
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[OPENAI_ATTRS, 1]]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([1]);
  });

  it('break on an iterator without return() still ends the call', async () => {
    const { meter, collect } = setup();
    const source = {
      [Symbol.asyncIterator]() {
        let i = 0;
        return { next: async () => ({ value: i++, done: false }) };
      },
    };
    const stream = await meter.trackStream(OPENAI, () => source);
    for await (const value of stream) {
      if (value === 2) break;
    }
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => [h.attributes, h.count])).toEqual([[OPENAI_ATTRS, 1]]);
    expect(c.histograms(PER_CHUNK).map((h) => h.count)).toEqual([2]);
  });
});

describe('observeStream()', () => {
  it('feeds a stream to a timer from start()', async () => {
    const { meter, collect } = setup();
    const timer = meter.start(OPENAI);
    const stream = meter.observeStream(timer, chatStream(2), { usage: openAIUsage, isOutputChunk: isContent });
    await drain(stream);
    timer.end({ inputTokens: 999 });
    const c = await collect();
    expect(c.histograms(DURATION).map((h) => h.count)).toEqual([1]);
    expect(c.sums(TOKENS).map(([a, v]) => [a[TOKEN_TYPE], v])).toEqual([
      ['input', 50],
      ['output', 2],
    ]);
  });
});
