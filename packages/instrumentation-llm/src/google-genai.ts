import { googleEmbedUsage, googleGenAIUsage } from '@mltel/genai';
import type { ProviderCall } from '@mltel/genai';
import { MLTEL_VERSION } from '@mltel/kit';
import { instrumentAsync } from './async-method.js';
import type { AsyncCallShape } from './async-method.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import type { PatchTarget } from './llm-instrumentation.js';
import { serverOf } from './server.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `@google/genai` versions patched: 1.x to the current major. */
export const GOOGLE_GENAI_SUPPORTED_VERSIONS = ['>=1.0.0 <4'];

interface ApiClient {
  isVertexAI?(): unknown;
  getBaseUrl?(): unknown;
}

/** The model id without the resource prefixes the API accepts (`models/`, `publishers/google/models/`). */
function modelId(model: unknown): string | undefined {
  if (typeof model !== 'string' || model === '') return undefined;
  return model.replace(/^(projects\/[^/]+\/locations\/[^/]+\/)?(publishers\/[^/]+\/)?(models|tunedModels)\//, '');
}

function describeModels(operation: string) {
  return (self: unknown, args: readonly unknown[]): ProviderCall => {
    const client = (self as { apiClient?: ApiClient } | undefined)?.apiClient;
    const vertex = client?.isVertexAI?.() === true;
    const { serverAddress, serverPort } = serverOf(client?.getBaseUrl?.());
    return {
      provider: vertex ? 'gcp.vertex_ai' : 'gcp.gemini',
      operation,
      model: modelId((args[0] as { model?: unknown } | undefined)?.model),
      serverAddress,
      serverPort,
    };
  };
}

const GENERATE: AsyncCallShape<unknown, unknown> = { describe: describeModels('chat'), usage: googleGenAIUsage };

const hasOutput = (chunk: unknown): boolean => {
  const candidates = (chunk as { candidates?: unknown } | undefined)?.candidates;
  return Array.isArray(candidates) && candidates.length > 0;
};

const GENERATE_STREAM: AsyncCallShape<AsyncIterable<unknown>, unknown> = {
  describe: describeModels('chat'),
  // Each chunk carries the running totals and the model version: the last one wins.
  stream: { of: (result) => result, options: { usage: googleGenAIUsage, isOutputChunk: hasOutput } },
};

const EMBED: AsyncCallShape<unknown, unknown> = { describe: describeModels('embeddings'), usage: googleEmbedUsage };

/**
 * Records every `models.generateContent`, `models.generateContentStream` and `models.embedContent`
 * call of `@google/genai` (Gemini API and Vertex AI; chats too, which call them), one per HTTP
 * request: the client's automatic function calling and continuation make several. Streaming
 * included. The public methods are per-instance arrow functions, so the prototype methods that
 * send each request are wrapped. Never records text or the API key.
 */
export class GoogleGenAIInstrumentation extends LlmInstrumentation {
  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/google-genai', MLTEL_VERSION, config);
  }

  protected init() {
    return this.hookModule('@google/genai', GOOGLE_GENAI_SUPPORTED_VERSIONS, (exports) => {
      const models = (exports as { Models?: { prototype?: Record<string, unknown> } }).Models?.prototype;
      const wrap =
        <R>(shape: AsyncCallShape<R, unknown>) =>
        (original: (...args: unknown[]) => unknown) =>
          instrumentAsync(original, this.providerMeter, shape);
      const targets: PatchTarget[] = [
        { holder: models, method: 'generateContentInternal', wrap: wrap(GENERATE) },
        { holder: models, method: 'generateContentStreamInternal', wrap: wrap(GENERATE_STREAM) },
        { holder: models, method: 'embedContentInternal', wrap: wrap(EMBED) },
      ];
      return targets;
    });
  }
}
