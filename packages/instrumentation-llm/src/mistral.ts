import { mistralEventUsage, mistralUsage } from '@mltel/genai';
import type { ProviderCall } from '@mltel/genai';
import { MLTEL_VERSION } from '@mltel/kit';
import { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { instrumentAsync, statusFailure } from './async-method.js';
import type { AsyncCallShape } from './async-method.js';
import { markClientPatched } from './framework-scope.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import { withResponseHeaders } from './mistral-rate-limits.js';
import { rateLimitObserver } from './rate-limit-observer.js';
import { serverOf } from './server.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `@mistralai/mistralai` versions patched: 1.x and the current 2.x. */
export const MISTRAL_SUPPORTED_VERSIONS = ['>=1.0.0 <3'];

function describe(operation: string) {
  return (self: unknown, args: readonly unknown[]): ProviderCall => {
    const model = (args[0] as { model?: unknown } | undefined)?.model;
    const base = (self as { _baseURL?: unknown } | undefined)?._baseURL;
    return {
      provider: 'mistral_ai',
      operation,
      model: typeof model === 'string' && model !== '' ? model : undefined,
      ...serverOf(base instanceof URL ? base.href : base),
    };
  };
}

const hasOutput = (event: unknown): boolean => {
  const choices = (event as { data?: { choices?: { delta?: { content?: unknown } }[] } } | undefined)?.data?.choices;
  return Array.isArray(choices) && choices.some((c) => c?.delta?.content !== undefined && c.delta.content !== '');
};

const COMPLETE: AsyncCallShape<unknown, unknown> = {
  describe: describe('chat'),
  failure: statusFailure,
  usage: mistralUsage,
};
const STREAM: AsyncCallShape<AsyncIterable<unknown>, unknown> = {
  describe: describe('chat'),
  failure: statusFailure,
  stream: { of: (result) => result, options: { usage: mistralEventUsage, isOutputChunk: hasOutput } },
};
const EMBED: AsyncCallShape<unknown, unknown> = {
  describe: describe('embeddings'),
  failure: statusFailure,
  usage: mistralUsage,
};

type Holder = Record<string, unknown>;
type Wrap = (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown;

/**
 * Records the `chat.complete`, `chat.stream` and `embeddings.create` calls of
 * `@mistralai/mistralai`, streaming included. The client's resource classes are not exported: the
 * `Mistral` class's `chat` and `embeddings` getters are wrapped so that the first resource each
 * returns gets its class's methods patched (once per class). The rate-limit headers of each
 * response feed the headroom gauges (through the SDK's response hooks). Never records text or the
 * API key.
 */
export class MistralInstrumentation extends LlmInstrumentation {
  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/mistral', MLTEL_VERSION, config);
  }

  // Mistral's x-ratelimit-* headers (requests per 10 seconds, tokens per minute) of each response.
  private readonly observers = rateLimitObserver(this.rateLimitMeter, 'openai');

  protected init() {
    // Per loaded copy of the module: the getters replaced and the resource prototypes patched.
    const restores = new WeakMap<object, (() => void)[]>();
    return new InstrumentationNodeModuleDefinition(
      '@mistralai/mistralai',
      MISTRAL_SUPPORTED_VERSIONS,
      (exports: unknown) => {
        const client = (exports as { Mistral?: { prototype?: Holder } }).Mistral?.prototype;
        if (client === undefined || restores.has(client)) return exports;
        const wrap =
          (shape: AsyncCallShape<never, unknown>): Wrap =>
          (original) =>
            withResponseHeaders(instrumentAsync(original, this.providerMeter, shape), shape.describe, this.observers);
        markClientPatched('@mistralai/mistralai', true);
        restores.set(client, [
          ...this.resource(client, 'chat', {
            complete: wrap(COMPLETE),
            stream: wrap(STREAM as AsyncCallShape<never, unknown>),
          }),
          ...this.resource(client, 'embeddings', { create: wrap(EMBED) }),
        ]);
        return exports;
      },
      (exports: unknown) => {
        const client = (exports as { Mistral?: { prototype?: Holder } }).Mistral?.prototype;
        if (client === undefined) return;
        for (const restore of restores.get(client) ?? []) restore();
        if (restores.delete(client)) markClientPatched('@mistralai/mistralai', false);
      },
    );
  }

  /**
   * Replaces the getter `name` of the client prototype with one that patches the methods of the
   * resource it returns (its prototype, once). Returns what undoes both.
   */
  private resource(client: Holder, name: string, methods: Record<string, Wrap>): (() => void)[] {
    const descriptor = Object.getOwnPropertyDescriptor(client, name);
    const getter = descriptor?.get;
    if (descriptor === undefined || getter === undefined || descriptor.configurable !== true) return [];
    const patched: Holder[] = [];
    const patchOnce = (resource: unknown): void => {
      if (resource === null || typeof resource !== 'object') return;
      const prototype = Object.getPrototypeOf(resource) as Holder | null;
      if (prototype === null || patched.includes(prototype)) return;
      patched.push(prototype);
      for (const [method, wrap] of Object.entries(methods)) {
        if (typeof prototype[method] === 'function') {
          this._wrap(prototype, method, (original: unknown) => wrap(original as (...args: unknown[]) => unknown));
        }
      }
    };
    Object.defineProperty(client, name, {
      ...descriptor,
      get(this: unknown) {
        const resource: unknown = getter.call(this);
        try {
          patchOnce(resource);
        } catch {
          // Leave the resource unrecorded rather than disturb it.
        }
        return resource;
      },
    });
    return [
      () => {
        Object.defineProperty(client, name, descriptor);
        for (const prototype of patched) {
          for (const method of Object.keys(methods)) {
            if (typeof prototype[method] === 'function') this._unwrap(prototype, method);
          }
        }
      },
    ];
  }
}
