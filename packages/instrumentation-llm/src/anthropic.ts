import { anthropicEventUsage, anthropicUsage } from '@mltel/genai';
import type { ProviderCall } from '@mltel/genai';
import { MLTEL_VERSION } from '@mltel/kit';
import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { instrumentMethod } from './api-promise.js';
import { markClientPatched } from './framework-scope.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import type { CallShape } from './api-promise.js';
import { rateLimitObserver } from './rate-limit-observer.js';
import { serverOf } from './server.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `@anthropic-ai/sdk` versions patched (Stainless-generated clients, 0.x and current 1.x). */
export const ANTHROPIC_SUPPORTED_VERSIONS = ['>=0.40.0 <2'];

type Prototype = Record<string, unknown>;

function describeMessages(resource: unknown, params: Record<string, unknown> | undefined): ProviderCall {
  const client = (resource as { _client?: { baseURL?: unknown } } | undefined)?._client;
  const { serverAddress, serverPort } = serverOf(client?.baseURL);
  const model = params?.['model'];
  return {
    provider: 'anthropic',
    operation: 'chat',
    model: typeof model === 'string' ? model : undefined,
    serverAddress,
    serverPort,
  };
}

const MESSAGES: CallShape<unknown, { type?: unknown }> = {
  describe: describeMessages,
  usage: anthropicUsage,
  stream: { usage: anthropicEventUsage, isOutputChunk: (event) => event?.type === 'content_block_delta' },
};

/**
 * Records every Messages call of `@anthropic-ai/sdk` (`messages.create`, `messages.stream`, and
 * the beta messages API), streaming included, with the OTel GenAI metrics. Input tokens are
 * normalised to include cache reads and writes. Never records text or the API key.
 */
export class AnthropicInstrumentation extends LlmInstrumentation {
  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/anthropic', MLTEL_VERSION, config);
  }

  protected init() {
    return new InstrumentationNodeModuleDefinition(
      '@anthropic-ai/sdk',
      ANTHROPIC_SUPPORTED_VERSIONS,
      (exports: unknown) => {
        this.patch(exports);
        markClientPatched('@anthropic-ai/sdk', true);
        return exports;
      },
      (exports: unknown) => {
        this.unpatch(exports);
        markClientPatched('@anthropic-ai/sdk', false);
      },
    );
  }

  // The anthropic-ratelimit-* headers of each response, to the rate-limit meter.
  private readonly observers = rateLimitObserver(this.rateLimitMeter, 'anthropic');

  private targets(exports: unknown): (Prototype | undefined)[] {
    const Anthropic = ((exports as { Anthropic?: unknown }).Anthropic ?? (exports as { default?: unknown }).default) as
      | Record<string, { prototype?: Prototype; Messages?: { prototype?: Prototype } } | undefined>
      | undefined;
    return [Anthropic?.['Messages']?.prototype, Anthropic?.['Beta']?.Messages?.prototype];
  }

  private patch(exports: unknown): void {
    for (const prototype of this.targets(exports)) {
      if (prototype === undefined || typeof prototype['create'] !== 'function') continue;
      this._wrap(prototype, 'create', (original: unknown) =>
        instrumentMethod(original as (...args: unknown[]) => unknown, this.providerMeter, MESSAGES, this.observers),
      );
    }
  }

  private unpatch(exports: unknown): void {
    for (const prototype of this.targets(exports)) {
      if (prototype !== undefined) this._unwrap(prototype, 'create');
    }
  }
}
