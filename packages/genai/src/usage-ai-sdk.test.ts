import { describe, expect, it } from 'vitest';
import { aiSdkEmbeddingUsage, aiSdkResultUsage, aiSdkUsage } from './usage-ai-sdk.js';

describe('aiSdkUsage', () => {
  it('reads the nested V3/V4 usage, totals including cache and reasoning', () => {
    const usage = {
      inputTokens: { total: 1200, noCache: 37, cacheRead: 1163, cacheWrite: 0 },
      outputTokens: { total: 228, text: 36, reasoning: 192 },
    };
    expect(aiSdkUsage(usage)).toEqual({
      inputTokens: 1200,
      outputTokens: 228,
      cacheReadInputTokens: 1163,
      cacheCreationInputTokens: 0,
      reasoningTokens: 192,
    });
  });

  it('reads the flat V2 usage', () => {
    const usage = { inputTokens: 11, outputTokens: 228, totalTokens: 239, reasoningTokens: 192, cachedInputTokens: 0 };
    expect(aiSdkUsage(usage)).toEqual({
      inputTokens: 11,
      outputTokens: 228,
      cacheReadInputTokens: 0,
      reasoningTokens: 192,
    });
  });

  it('reports nothing for missing or bad counts', () => {
    expect(aiSdkUsage({ inputTokens: { total: undefined }, outputTokens: { total: Number.NaN } })).toBeUndefined();
    expect(aiSdkUsage(undefined)).toBeUndefined();
  });
});

describe('aiSdkResultUsage and aiSdkEmbeddingUsage', () => {
  it('a doGenerate result: its usage and the response model', () => {
    const result = {
      usage: { inputTokens: { total: 11 }, outputTokens: { total: 228 } },
      response: { modelId: 'gpt-5-nano-2025-08-07' },
    };
    expect(aiSdkResultUsage(result)).toEqual({
      responseModel: 'gpt-5-nano-2025-08-07',
      inputTokens: 11,
      outputTokens: 228,
    });
    expect(aiSdkResultUsage(null)).toBeUndefined();
  });

  it('embedding usage is input tokens', () => {
    expect(aiSdkEmbeddingUsage({ tokens: 8 })).toEqual({ inputTokens: 8 });
    expect(aiSdkEmbeddingUsage({ tokens: Number.NaN })).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );
    expect(aiSdkEmbeddingUsage(hostile)).toBeUndefined();
    expect(aiSdkUsage(hostile)).toBeUndefined();
  });
});
