import { describe, expect, it } from 'vitest';
import { langChainUsage } from './usage-langchain.js';

describe('langChainUsage', () => {
  it('reads the message usage_metadata and the model name', () => {
    const result = {
      generations: [
        [
          {
            text: 'not read',
            message: {
              usage_metadata: {
                input_tokens: 1167,
                output_tokens: 202,
                input_token_details: { cache_read: 1163, cache_creation: 0 },
                output_token_details: { reasoning: 0 },
              },
              response_metadata: { model_name: 'gpt-5-nano-2025-08-07' },
            },
          },
        ],
      ],
    };
    expect(langChainUsage(result)).toEqual({
      responseModel: 'gpt-5-nano-2025-08-07',
      inputTokens: 1167,
      outputTokens: 202,
      cacheReadInputTokens: 1163,
      cacheCreationInputTokens: 0,
      reasoningTokens: 0,
    });
  });

  it('falls back to llmOutput.tokenUsage', () => {
    const result = {
      generations: [[{ text: 'x' }]],
      llmOutput: { tokenUsage: { promptTokens: 11, completionTokens: 228 } },
    };
    expect(langChainUsage(result)).toEqual({ inputTokens: 11, outputTokens: 228 });
  });

  it('reports nothing without counts, and never throws', () => {
    expect(langChainUsage({ generations: [] })).toBeUndefined();
    expect(langChainUsage(null)).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );
    expect(langChainUsage(hostile)).toBeUndefined();
  });
});
