import { MLTEL_VERSION } from '@mltel/kit';
import { diag } from '@opentelemetry/api';
import { instrumentMethod } from './api-promise.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import { OPENAI_OPERATIONS, operationPrototype } from './openai-operations.js';
import { setProviderHosts } from './provider-hosts.js';
import { rateLimitObserver } from './rate-limit-observer.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `openai` versions patched: v4 to the current major. */
export const OPENAI_SUPPORTED_VERSIONS = ['>=4.0.0 <8'];

/**
 * Records every call of the `openai` client (v4 to current; ESM and CommonJS) with the OTel GenAI
 * metrics, streaming included: Chat Completions and Responses (`chat`), legacy Completions
 * (`text_completion`), Embeddings, Images (`image_generation`, `image_edit`, `image_variation`:
 * images counted), speech (`speech`: input characters counted), transcriptions and translations
 * (`transcription`, `translation`: audio seconds or tokens) and Moderations (`moderation`). The
 * provider comes from the base URL (Groq, Azure OpenAI, ... through this client), and the
 * rate-limit headers of each response feed the rate-limit gauges. Reads the model, the base URL,
 * the reported usage and the rate-limit headers; never a prompt, a response text or the API key.
 */
export class OpenAIInstrumentation extends LlmInstrumentation {
  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/openai', MLTEL_VERSION, config);
    if (config.providers !== undefined) {
      const invalid = setProviderHosts(config.providers);
      if (invalid.length > 0) {
        diag.warn(
          `mltel: provider rules ${JSON.stringify(invalid.slice(0, 5))} are not host=provider; they are ignored. ` +
            'Fix MLTEL_GENAI_PROVIDERS (or the providers option), e.g. api.example.com=groq,:8000=vllm.',
        );
      }
    }
  }

  // Rate-limit headers of each response, to the configured (or the shared) rate-limit meter.
  private readonly observers = rateLimitObserver(this.rateLimitMeter, 'openai');

  protected init() {
    return this.hookModule('openai', OPENAI_SUPPORTED_VERSIONS, (exports) =>
      OPENAI_OPERATIONS.map(({ path, method, shape }) => ({
        holder: operationPrototype(exports, path),
        method,
        wrap: (original) => instrumentMethod(original, this.providerMeter, shape, this.observers),
      })),
    );
  }
}
