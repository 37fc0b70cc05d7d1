import { ollamaUsage } from '@mltel/genai';
import type { ProviderCall } from '@mltel/genai';
import { MLTEL_VERSION } from '@mltel/kit';
import { instrumentAsync, statusFailure } from './async-method.js';
import type { AsyncCallShape } from './async-method.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import type { PatchTarget } from './llm-instrumentation.js';
import { serverOf } from './server.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `ollama` (ollama-js) versions patched. */
export const OLLAMA_SUPPORTED_VERSIONS = ['>=0.5.0 <1'];

function describe(operation: string) {
  return (self: unknown, args: readonly unknown[]): ProviderCall => {
    const host = (self as { config?: { host?: unknown } } | undefined)?.config?.host;
    const model = (args[0] as { model?: unknown } | undefined)?.model;
    return {
      provider: 'ollama',
      operation,
      model: typeof model === 'string' && model !== '' ? model : undefined,
      ...serverOf(host),
    };
  };
}

/** A streamed answer is the client's AbortableAsyncIterator (async iterable, with `abort()`). */
function streamOf(result: unknown): AsyncIterable<unknown> | undefined {
  const r = result as { abort?: unknown; [Symbol.asyncIterator]?: unknown } | undefined;
  return typeof r?.abort === 'function' && typeof r[Symbol.asyncIterator] === 'function'
    ? (r as AsyncIterable<unknown>)
    : undefined;
}

const hasOutput = (chunk: unknown): boolean => {
  const c = chunk as { message?: { content?: unknown }; response?: unknown } | undefined;
  const content = c?.message?.content ?? c?.response;
  return typeof content === 'string' && content !== '';
};

const streamable = (operation: string): AsyncCallShape<unknown, unknown> => ({
  describe: describe(operation),
  failure: statusFailure,
  usage: ollamaUsage,
  stream: { of: streamOf, options: { usage: ollamaUsage, isOutputChunk: hasOutput } },
});
const EMBED: AsyncCallShape<unknown, unknown> = {
  describe: describe('embeddings'),
  failure: statusFailure,
  usage: ollamaUsage,
};

const SHAPES: [string, AsyncCallShape<unknown, unknown>][] = [
  ['chat', streamable('chat')],
  ['generate', streamable('text_completion')],
  ['embed', EMBED],
  ['embeddings', EMBED],
];

/**
 * Records the `chat`, `generate` (streamed or not), `embed` and `embeddings` calls of the
 * `ollama` client (its `Ollama` class and default instance), ESM and CommonJS. Ollama reports
 * `prompt_eval_count` and `eval_count` in the final answer or chunk. Never records text.
 */
export class OllamaInstrumentation extends LlmInstrumentation {
  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/ollama', MLTEL_VERSION, config);
  }

  protected init() {
    return this.hookModule('ollama', OLLAMA_SUPPORTED_VERSIONS, (exports) => {
      // The Node class extends the browser one, which holds these methods.
      let prototype = (exports as { Ollama?: { prototype?: object } }).Ollama?.prototype as
        | Record<string, unknown>
        | undefined;
      while (prototype !== undefined && prototype !== null && !Object.hasOwn(prototype, 'chat')) {
        prototype = Object.getPrototypeOf(prototype) as Record<string, unknown> | undefined;
      }
      return SHAPES.map(
        ([method, shape]): PatchTarget => ({
          holder: prototype ?? undefined,
          method,
          wrap: (original) => instrumentAsync(original, this.providerMeter, shape),
        }),
      );
    });
  }
}
