import { describe, expect, it } from 'vitest';
import { googleEmbedUsage, googleGenAIUsage } from './usage-google.js';

// The usage parts of captured Gemini responses (packages/instrumentation-llm/test/fixtures/captures).
const GENERATE = {
  candidates: [{ content: { parts: [{ text: 'not read' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
  usageMetadata: {
    promptTokenCount: 9,
    candidatesTokenCount: 29,
    totalTokenCount: 320,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: 9 }],
    thoughtsTokenCount: 282,
  },
  modelVersion: 'gemini-3-pro-preview',
  responseId: 'YH6LaZT7ENmPxN8P-r2J8Aw',
};

describe('googleGenAIUsage', () => {
  it('reads a generateContent response: thinking tokens are output, counted apart too', () => {
    expect(googleGenAIUsage(GENERATE)).toEqual({
      responseModel: 'gemini-3-pro-preview',
      inputTokens: 9,
      outputTokens: 311,
      reasoningTokens: 282,
    });
  });

  it('adds tool-use prompt tokens to the input and reports cached ones apart', () => {
    const body = {
      usageMetadata: {
        promptTokenCount: 100,
        toolUsePromptTokenCount: 20,
        cachedContentTokenCount: 64,
        candidatesTokenCount: 5,
      },
    };
    expect(googleGenAIUsage(body)).toEqual({ inputTokens: 120, outputTokens: 5, cacheReadInputTokens: 64 });
  });

  it('a chunk with the model only, or nothing it knows, reports what it has', () => {
    expect(googleGenAIUsage({ modelVersion: 'gemini-2.5-flash' })).toEqual({ responseModel: 'gemini-2.5-flash' });
    expect(googleGenAIUsage({ candidates: [] })).toBeUndefined();
    expect(googleGenAIUsage({ usageMetadata: { promptTokenCount: -1, candidatesTokenCount: 'x' } })).toBeUndefined();
    expect(googleGenAIUsage(null)).toBeUndefined();
  });

  it('never throws on a hostile body', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    expect(googleGenAIUsage(hostile)).toBeUndefined();
    expect(googleEmbedUsage(hostile)).toBeUndefined();
  });
});

describe('googleEmbedUsage', () => {
  it('reads the Gemini API usageMetadata', () => {
    const body = { embeddings: [{ values: [0.5, 0.8] }], usageMetadata: { promptTokenCount: 12 } };
    expect(googleEmbedUsage(body)).toEqual({ inputTokens: 12 });
  });

  it('sums the Vertex AI per-embedding token counts', () => {
    const body = {
      embeddings: [{ values: [], statistics: { tokenCount: 13, truncated: false } }, { statistics: { tokenCount: 7 } }],
      metadata: { billableCharacterCount: 112 },
    };
    expect(googleEmbedUsage(body)).toEqual({ inputTokens: 20 });
  });

  it('reports nothing when no count is given', () => {
    expect(googleEmbedUsage({ embeddings: [{ values: [1] }] })).toBeUndefined();
    expect(googleEmbedUsage({})).toBeUndefined();
    expect(googleEmbedUsage('x')).toBeUndefined();
  });
});
