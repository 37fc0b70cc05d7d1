import { groqUsage } from '@mltel/genai';
import type { ProviderCall } from '@mltel/genai';
import { MLTEL_VERSION } from '@mltel/kit';
import { instrumentMethod } from './api-promise.js';
import type { CallShape } from './api-promise.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import type { PatchTarget } from './llm-instrumentation.js';
import { rateLimitObserver } from './rate-limit-observer.js';
import { serverOf } from './server.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `groq-sdk` versions patched (Stainless-generated, like openai): 0.x and the current 1.x. */
export const GROQ_SUPPORTED_VERSIONS = ['>=0.5.0 <2'];

function describe(operation: string) {
  return (resource: unknown, params: Record<string, unknown> | undefined): ProviderCall => {
    const client = (resource as { _client?: { baseURL?: unknown } } | undefined)?._client;
    const model = params?.['model'];
    return {
      provider: 'groq',
      operation,
      model: typeof model === 'string' ? model : undefined,
      ...serverOf(client?.baseURL),
    };
  };
}

const hasOutput = (chunk: { choices?: { delta?: { content?: unknown } }[] } | undefined): boolean =>
  Array.isArray(chunk?.choices) &&
  chunk.choices.some((c) => typeof c?.delta?.content === 'string' && c.delta.content !== '');

const CHAT: CallShape<unknown, { choices?: { delta?: { content?: unknown } }[] }> = {
  describe: describe('chat'),
  usage: groqUsage,
  stream: { usage: groqUsage, isOutputChunk: hasOutput },
};
const EMBEDDINGS: CallShape<unknown, unknown> = { describe: describe('embeddings'), usage: groqUsage, stream: {} };

/**
 * Records every chat completion (streamed or not) and embeddings call of `groq-sdk`, ESM and
 * CommonJS. Groq reports a stream's usage in its last chunk's `x_groq.usage`; its OpenAI-style
 * `x-ratelimit-*` response headers feed the rate-limit gauges. Never records text or the API key.
 */
export class GroqInstrumentation extends LlmInstrumentation {
  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/groq', MLTEL_VERSION, config);
  }

  // Groq sends OpenAI's x-ratelimit-* headers (requests per day, tokens per minute).
  private readonly observers = rateLimitObserver(this.rateLimitMeter, 'openai');

  protected init() {
    return this.hookModule('groq-sdk', GROQ_SUPPORTED_VERSIONS, (exports) => {
      const Groq = ((exports as { Groq?: unknown }).Groq ?? (exports as { default?: unknown }).default) as
        | Record<
            string,
            { prototype?: Record<string, unknown>; Completions?: { prototype?: Record<string, unknown> } } | undefined
          >
        | undefined;
      const wrap =
        (shape: CallShape<unknown, never>): PatchTarget['wrap'] =>
        (original) =>
          instrumentMethod(original, this.providerMeter, shape, this.observers);
      return [
        {
          holder: Groq?.['Chat']?.Completions?.prototype,
          method: 'create',
          wrap: wrap(CHAT as CallShape<unknown, never>),
        },
        {
          holder: Groq?.['Embeddings']?.prototype,
          method: 'create',
          wrap: wrap(EMBEDDINGS as CallShape<unknown, never>),
        },
      ];
    });
  }
}
