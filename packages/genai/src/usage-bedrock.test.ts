import { describe, expect, it } from 'vitest';
import { bedrockConverseStreamUsage, bedrockConverseUsage, bedrockInvokeUsage } from './usage-bedrock.js';

// Usage parts of captured Bedrock answers (packages/instrumentation-llm/test/fixtures/captures).
describe('bedrockConverseUsage', () => {
  it('reads the Converse usage', () => {
    const output = { stopReason: 'end_turn', usage: { inputTokens: 52, outputTokens: 30, totalTokens: 82 } };
    expect(bedrockConverseUsage(output)).toEqual({ inputTokens: 52, outputTokens: 30 });
  });

  it('adds cache reads and writes to the input, and reports them apart', () => {
    const output = {
      usage: { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 1000, cacheWriteInputTokens: 20 },
    };
    expect(bedrockConverseUsage(output)).toEqual({
      inputTokens: 1030,
      outputTokens: 5,
      cacheReadInputTokens: 1000,
      cacheCreationInputTokens: 20,
    });
  });

  it('reports nothing without usage', () => {
    expect(bedrockConverseUsage({ output: {} })).toBeUndefined();
    expect(bedrockConverseUsage(undefined)).toBeUndefined();
  });
});

describe('bedrockConverseStreamUsage', () => {
  it('reads the metadata event only', () => {
    const metadata = {
      metadata: { metrics: { latencyMs: 638 }, usage: { inputTokens: 52, outputTokens: 36, totalTokens: 88 } },
    };
    expect(bedrockConverseStreamUsage(metadata)).toEqual({ inputTokens: 52, outputTokens: 36 });
    expect(bedrockConverseStreamUsage({ contentBlockDelta: { delta: { text: 'x' } } })).toBeUndefined();
  });
});

describe('bedrockInvokeUsage', () => {
  it('Anthropic: the Messages usage and model', () => {
    const body = { type: 'message', model: 'claude-3-sonnet-20240229', usage: { input_tokens: 16, output_tokens: 19 } };
    expect(bedrockInvokeUsage(body)).toEqual({
      responseModel: 'claude-3-sonnet-20240229',
      inputTokens: 16,
      outputTokens: 19,
    });
    const start = {
      type: 'message_start',
      message: { model: 'claude-3-sonnet-20240229', usage: { input_tokens: 16, output_tokens: 1 } },
    };
    expect(bedrockInvokeUsage(start)).toMatchObject({ inputTokens: 16, outputTokens: 1 });
  });

  it('Meta Llama: prompt and generation token counts', () => {
    expect(bedrockInvokeUsage({ generation: 'x', prompt_token_count: 8, generation_token_count: 35 })).toEqual({
      inputTokens: 8,
      outputTokens: 35,
    });
  });

  it('Amazon Titan text and embeddings, and Nova', () => {
    expect(bedrockInvokeUsage({ inputTextTokenCount: 30, results: [{ tokenCount: 29 }] })).toEqual({
      inputTokens: 30,
      outputTokens: 29,
    });
    expect(bedrockInvokeUsage({ embedding: [0.1], inputTextTokenCount: 7 })).toEqual({ inputTokens: 7 });
    expect(
      bedrockInvokeUsage({
        usage: { inputTokens: 30, outputTokens: 51, cacheReadInputTokenCount: 0, cacheWriteInputTokenCount: 0 },
      }),
    ).toEqual({ inputTokens: 30, outputTokens: 51, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 });
  });

  it('the invocation metrics a streamed answer ends with win', () => {
    const last = {
      type: 'message_stop',
      'amazon-bedrock-invocationMetrics': { inputTokenCount: 16, outputTokenCount: 21, invocationLatency: 738 },
    };
    expect(bedrockInvokeUsage(last)).toEqual({ inputTokens: 16, outputTokens: 21 });
  });

  it('anything else reports nothing, and a hostile body never throws', () => {
    expect(bedrockInvokeUsage({ type: 'content_block_delta' })).toBeUndefined();
    expect(bedrockInvokeUsage('x')).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('boom');
        },
      },
    );
    expect(bedrockInvokeUsage(hostile)).toBeUndefined();
    expect(bedrockConverseUsage(hostile)).toBeUndefined();
  });
});
