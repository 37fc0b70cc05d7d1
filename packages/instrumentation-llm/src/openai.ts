import { openAIResponseEventUsage, openAIUsage } from '@mltel/genai';
import type { ProviderCall } from '@mltel/genai';
import { MLTEL_VERSION } from '@mltel/kit';
import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { instrumentMethod } from './api-promise.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import type { CallShape } from './api-promise.js';
import { openAIProviderOf, serverOf } from './server.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `openai` versions patched: v4 to the current major. */
export const OPENAI_SUPPORTED_VERSIONS = ['>=4.0.0 <8'];

type Prototype = Record<string, unknown>;

function describeOpenAI(operation: string) {
  return (resource: unknown, params: Record<string, unknown> | undefined): ProviderCall => {
    const client = (resource as { _client?: { baseURL?: unknown } } | undefined)?._client;
    const { serverAddress, serverPort } = serverOf(client?.baseURL);
    const model = params?.['model'];
    return {
      provider: openAIProviderOf(client, serverAddress),
      operation,
      model: typeof model === 'string' ? model : undefined,
      serverAddress,
      serverPort,
    };
  };
}

const CHAT: CallShape<unknown, { choices?: unknown[] }> = {
  describe: describeOpenAI('chat'),
  usage: openAIUsage,
  // The last chunk of a stream with `stream_options.include_usage` carries usage and no choices.
  stream: { usage: openAIUsage, isOutputChunk: (chunk) => Array.isArray(chunk?.choices) && chunk.choices.length > 0 },
};

const RESPONSES: CallShape<unknown, { type?: unknown }> = {
  describe: describeOpenAI('chat'),
  usage: openAIUsage,
  stream: {
    usage: openAIResponseEventUsage,
    isOutputChunk: (event) => typeof event?.type === 'string' && event.type.endsWith('.delta'),
  },
};

const EMBEDDINGS: CallShape<unknown, unknown> = {
  describe: describeOpenAI('embeddings'),
  usage: openAIUsage,
  stream: {},
};

/**
 * Records every Chat Completions, Responses and Embeddings call of the `openai` client (v4 to
 * current; ESM and CommonJS) with the OTel GenAI metrics, streaming included. Reads the model,
 * the base URL and the reported usage; never a prompt, a response text or the API key.
 */
export class OpenAIInstrumentation extends LlmInstrumentation {
  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/openai', MLTEL_VERSION, config);
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(
      'openai',
      OPENAI_SUPPORTED_VERSIONS,
      (exports: unknown) => {
        this.patch(exports);
        return exports;
      },
      (exports: unknown) => {
        this.unpatch(exports);
      },
    );
  }

  private targets(exports: unknown): [Prototype | undefined, string, CallShape<unknown, never>][] {
    const OpenAI = ((exports as { OpenAI?: unknown }).OpenAI ?? (exports as { default?: unknown }).default) as
      | Record<string, { prototype?: Prototype; Completions?: { prototype?: Prototype } } | undefined>
      | undefined;
    return [
      [OpenAI?.['Chat']?.Completions?.prototype, 'create', CHAT as CallShape<unknown, never>],
      [OpenAI?.['Responses']?.prototype, 'create', RESPONSES as CallShape<unknown, never>],
      [OpenAI?.['Embeddings']?.prototype, 'create', EMBEDDINGS as CallShape<unknown, never>],
    ];
  }

  private patch(exports: unknown): void {
    for (const [prototype, method, shape] of this.targets(exports)) {
      if (prototype === undefined || typeof prototype[method] !== 'function') continue;
      this._wrap(prototype, method, (original: unknown) =>
        instrumentMethod(original as (...args: unknown[]) => unknown, this.providerMeter, shape),
      );
    }
  }

  private unpatch(exports: unknown): void {
    for (const [prototype, method] of this.targets(exports)) {
      if (prototype !== undefined) this._unwrap(prototype, method);
    }
  }
}
