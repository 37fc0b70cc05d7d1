import { describe, expect, it } from 'vitest';
import { mistralEventUsage, mistralUsage } from './usage-mistral.js';

describe('mistralUsage', () => {
  it('reads the client shape (camelCase)', () => {
    const response = { model: 'mistral-tiny', usage: { promptTokens: 11, completionTokens: 81, totalTokens: 92 } };
    expect(mistralUsage(response)).toEqual({ responseModel: 'mistral-tiny', inputTokens: 11, outputTokens: 81 });
  });

  it('reads the API shape (snake_case) with cached tokens', () => {
    const body = {
      model: 'mistral-embed',
      usage: { prompt_tokens: 10, completion_tokens: 0, prompt_tokens_details: { cached_tokens: 4 } },
    };
    expect(mistralUsage(body)).toEqual({
      responseModel: 'mistral-embed',
      inputTokens: 10,
      outputTokens: 0,
      cacheReadInputTokens: 4,
    });
  });

  it('a stream event: the chunk under data; a chunk without usage gives the model only', () => {
    expect(
      mistralEventUsage({ data: { model: 'mistral-tiny', usage: { promptTokens: 11, completionTokens: 101 } } }),
    ).toEqual({
      responseModel: 'mistral-tiny',
      inputTokens: 11,
      outputTokens: 101,
    });
    expect(mistralEventUsage({ data: { model: 'mistral-tiny', choices: [] } })).toEqual({
      responseModel: 'mistral-tiny',
    });
    expect(mistralEventUsage({})).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );
    expect(mistralUsage(hostile)).toBeUndefined();
  });
});
