import { describe, expect, it } from 'vitest';
import { anthropicEventUsage, anthropicUsage, openAIResponseEventUsage, openAIUsage } from './index.js';
import { mergeUsage } from './stream.js';

const chatCompletion = () => ({
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion',
  created: 1741570283,
  model: 'gpt-4o-2024-08-06',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'The secret answer.', refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 2006,
    completion_tokens: 300,
    total_tokens: 2306,
    prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 128,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_fc9f1d7035',
});

const responsesBody = () => ({
  id: 'resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41',
  object: 'response',
  created_at: 1741476777,
  status: 'completed',
  model: 'o4-mini-2025-04-16',
  output: [
    { type: 'reasoning', id: 'rs_1', summary: [] },
    {
      type: 'message',
      id: 'msg_1',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'The secret answer.', annotations: [] }],
    },
  ],
  usage: {
    input_tokens: 328,
    input_tokens_details: { cached_tokens: 256 },
    output_tokens: 952,
    output_tokens_details: { reasoning_tokens: 704 },
    total_tokens: 1280,
  },
});

const embeddings = () => ({
  object: 'list',
  data: [{ object: 'embedding', index: 0, embedding: [0.0023064255, -0.009327292, -0.0028842222] }],
  model: 'text-embedding-3-small',
  usage: { prompt_tokens: 8, total_tokens: 8 },
});

const anthropicMessage = () => ({
  id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: 'The secret answer.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 50,
    cache_creation_input_tokens: 1000,
    cache_read_input_tokens: 2000,
    output_tokens: 400,
    service_tier: 'standard',
  },
});

describe('openAIUsage()', () => {
  it('reads a Chat Completions body: tokens, cached input, reasoning, model', () => {
    expect(openAIUsage(chatCompletion())).toStrictEqual({
      responseModel: 'gpt-4o-2024-08-06',
      inputTokens: 2006,
      outputTokens: 300,
      cacheReadInputTokens: 1920,
      reasoningTokens: 128,
    });
  });

  it('reads a Responses API body (input_tokens_details, output_tokens_details)', () => {
    expect(openAIUsage(responsesBody())).toStrictEqual({
      responseModel: 'o4-mini-2025-04-16',
      inputTokens: 328,
      outputTokens: 952,
      cacheReadInputTokens: 256,
      reasoningTokens: 704,
    });
  });

  it('reads an Embeddings body: input tokens only', () => {
    expect(openAIUsage(embeddings())).toStrictEqual({ responseModel: 'text-embedding-3-small', inputTokens: 8 });
  });

  it('reads cache writes where an OpenAI-compatible provider reports them', () => {
    expect(
      openAIUsage({
        usage: {
          prompt_tokens: 10,
          completion_tokens: 2,
          prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 6 },
        },
      }),
    ).toStrictEqual({ inputTokens: 10, outputTokens: 2, cacheReadInputTokens: 0, cacheCreationInputTokens: 6 });
  });

  it('a stream chunk without usage gives the model only', () => {
    expect(
      openAIUsage({
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        model: 'gpt-4o-2024-08-06',
        choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }],
        usage: null,
      }),
    ).toStrictEqual({ responseModel: 'gpt-4o-2024-08-06' });
  });

  it('is undefined for bodies without usage or model', () => {
    for (const body of [
      undefined,
      null,
      42,
      'usage',
      [],
      {},
      { usage: {} },
      { model: '', usage: null },
      { choices: [] },
    ]) {
      expect(openAIUsage(body)).toBeUndefined();
    }
  });

  it('drops counts that are not finite non-negative numbers', () => {
    expect(
      openAIUsage({
        model: 'm',
        usage: { prompt_tokens: -1, completion_tokens: '5', total_tokens: Number.NaN, input_tokens: 7 },
      }),
    ).toStrictEqual({ responseModel: 'm', inputTokens: 7 });
    expect(openAIUsage({ usage: { prompt_tokens: Number.POSITIVE_INFINITY } })).toBeUndefined();
  });
});

describe('openAIResponseEventUsage()', () => {
  it('reads the model from response.created and the usage from response.completed', () => {
    expect(
      openAIResponseEventUsage({
        type: 'response.created',
        sequence_number: 0,
        response: {
          id: 'resp_1',
          object: 'response',
          status: 'in_progress',
          model: 'gpt-4.1-2025-04-14',
          output: [],
          usage: null,
        },
      }),
    ).toStrictEqual({ responseModel: 'gpt-4.1-2025-04-14' });
    expect(
      openAIResponseEventUsage({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, delta: 'Hel' }),
    ).toBeUndefined();
    expect(
      openAIResponseEventUsage({ type: 'response.completed', sequence_number: 9, response: responsesBody() }),
    ).toStrictEqual({
      responseModel: 'o4-mini-2025-04-16',
      inputTokens: 328,
      outputTokens: 952,
      cacheReadInputTokens: 256,
      reasoningTokens: 704,
    });
    expect(openAIResponseEventUsage(null)).toBeUndefined();
  });
});

describe('anthropicUsage()', () => {
  it('adds cache reads and writes back into inputTokens and keeps them apart', () => {
    expect(anthropicUsage(anthropicMessage())).toStrictEqual({
      responseModel: 'claude-sonnet-4-5-20250929',
      inputTokens: 3050,
      outputTokens: 400,
      cacheReadInputTokens: 2000,
      cacheCreationInputTokens: 1000,
    });
  });

  it('treats null cache counts as absent', () => {
    const body = anthropicMessage();
    body.usage = {
      input_tokens: 12,
      output_tokens: 3,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
    } as never;
    expect(anthropicUsage(body)).toStrictEqual({
      responseModel: 'claude-sonnet-4-5-20250929',
      inputTokens: 12,
      outputTokens: 3,
    });
  });

  it('is undefined for bodies without usage or model', () => {
    for (const body of [undefined, null, 'x', 7, {}, { usage: null }, { type: 'message', content: [] }]) {
      expect(anthropicUsage(body)).toBeUndefined();
    }
  });
});

describe('anthropicEventUsage()', () => {
  const messageStart = () => ({
    type: 'message_start',
    message: {
      ...anthropicMessage(),
      content: [],
      stop_reason: null,
      usage: { input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 100, output_tokens: 1 },
    },
  });

  it('message_start gives the model and the input counts', () => {
    expect(anthropicEventUsage(messageStart())).toStrictEqual({
      responseModel: 'claude-sonnet-4-5-20250929',
      inputTokens: 125,
      outputTokens: 1,
      cacheReadInputTokens: 100,
      cacheCreationInputTokens: 0,
    });
  });

  it('a message_delta with output tokens only reports output tokens', () => {
    expect(
      anthropicEventUsage({
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 15 },
      }),
    ).toStrictEqual({ outputTokens: 15 });
    // Newer APIs send the input fields as null in the delta: still partial.
    expect(
      anthropicEventUsage({
        type: 'message_delta',
        delta: { stop_reason: 'end_turn' },
        usage: {
          input_tokens: null,
          cache_creation_input_tokens: null,
          cache_read_input_tokens: null,
          output_tokens: 15,
        },
      }),
    ).toStrictEqual({ outputTokens: 15 });
    // Two of three input counts: still partial, so the input is not undercounted.
    expect(
      anthropicEventUsage({
        type: 'message_delta',
        usage: { input_tokens: 25, cache_read_input_tokens: 100, output_tokens: 15 },
      }),
    ).toStrictEqual({ outputTokens: 15 });
  });

  it('a message_delta reporting all three input counts replaces them', () => {
    expect(
      anthropicEventUsage({
        type: 'message_delta',
        usage: { input_tokens: 30, cache_creation_input_tokens: 5, cache_read_input_tokens: 100, output_tokens: 15 },
      }),
    ).toStrictEqual({ inputTokens: 135, outputTokens: 15, cacheReadInputTokens: 100, cacheCreationInputTokens: 5 });
  });

  it('a partial delta merged after message_start does not replace the input', () => {
    const merged = mergeUsage(
      anthropicEventUsage(messageStart()),
      anthropicEventUsage({ type: 'message_delta', usage: { output_tokens: 15 } })!,
    );
    expect(merged).toStrictEqual({
      responseModel: 'claude-sonnet-4-5-20250929',
      inputTokens: 125,
      outputTokens: 15,
      cacheReadInputTokens: 100,
      cacheCreationInputTokens: 0,
    });
  });

  it('other events give undefined', () => {
    for (const event of [
      { type: 'ping' },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_stop' },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' } },
      { type: 'message_delta', usage: {} },
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      null,
      'message_start',
    ]) {
      expect(anthropicEventUsage(event)).toBeUndefined();
    }
  });
});

describe('mergeUsage()', () => {
  it('later defined fields win, undefined fields keep the earlier value, inputs are not mutated', () => {
    const earlier = { inputTokens: 10, outputTokens: 1 };
    const later = { outputTokens: 20, inputTokens: undefined, responseModel: 'm' };
    expect(mergeUsage(earlier, later)).toStrictEqual({ inputTokens: 10, outputTokens: 20, responseModel: 'm' });
    expect(earlier).toStrictEqual({ inputTokens: 10, outputTokens: 1 });
    const first = mergeUsage(undefined, later);
    expect(first).not.toBe(later);
    expect(first).toEqual(later);
  });
});

describe('the extractors never read text', () => {
  const TEXT_KEYS = [
    'content',
    'text',
    'choices',
    'delta',
    'message_text',
    'output',
    'data',
    'embedding',
    'refusal',
    'arguments',
  ];

  /** Wraps a body so every property read (at any depth) is logged. */
  function watched<T>(value: T, reads: Set<string>): T {
    if (typeof value !== 'object' || value === null) return value;
    return new Proxy(value as object, {
      get(target, key, receiver) {
        if (typeof key === 'string') reads.add(key);
        return watched(Reflect.get(target, key, receiver), reads);
      },
    }) as T;
  }

  it.each([
    ['openAIUsage / chat', openAIUsage, chatCompletion()],
    ['openAIUsage / responses', openAIUsage, responsesBody()],
    ['openAIUsage / embeddings', openAIUsage, embeddings()],
    [
      'openAIUsage / chunk',
      openAIUsage,
      { object: 'chat.completion.chunk', model: 'gpt-4o', choices: [{ delta: { content: 'x' } }], usage: null },
    ],
    ['openAIResponseEventUsage', openAIResponseEventUsage, { type: 'response.completed', response: responsesBody() }],
    ['anthropicUsage', anthropicUsage, anthropicMessage()],
    ['anthropicEventUsage / start', anthropicEventUsage, { type: 'message_start', message: anthropicMessage() }],
    [
      'anthropicEventUsage / delta',
      anthropicEventUsage,
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'secret' } },
    ],
  ] as const)('%s', (_label, extract, body) => {
    const reads = new Set<string>();
    const found = (extract as (b: unknown) => unknown)(watched(body, reads));
    expect([...reads].filter((key) => TEXT_KEYS.includes(key))).toEqual([]);
    expect(JSON.stringify(found ?? {})).not.toContain('secret');
    expect(reads.size).toBeGreaterThan(0);
  });
});
