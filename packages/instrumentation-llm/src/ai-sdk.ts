import { aiSdkEmbeddingUsage, aiSdkResultUsage, aiSdkUsage } from '@mltel/genai';
import type { ProviderCall, ProviderCallTimer, ProviderMeter, ProviderUsage } from '@mltel/genai';
import { MLTEL_VERSION } from '@mltel/kit';
import { runInFramework } from './framework-scope.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `ai` versions recorded: 7.x, whose global telemetry registry this uses. */
export const AI_SDK_SUPPORTED_VERSIONS = ['>=7.0.0 <8'];

// AI SDK provider ids (`openai.chat`, `google.vertex.chat`, …) by prefix, as OTel names them.
const PROVIDERS: readonly [string, string][] = [
  ['google.vertex', 'gcp.vertex_ai'],
  ['google', 'gcp.gemini'],
  ['vertex', 'gcp.vertex_ai'],
  ['amazon-bedrock', 'aws.bedrock'],
  ['azure', 'azure.ai.openai'],
  ['mistral', 'mistral_ai'],
  ['xai', 'x_ai'],
  ['openai', 'openai'],
  ['anthropic', 'anthropic'],
  ['groq', 'groq'],
  ['cohere', 'cohere'],
  ['deepseek', 'deepseek'],
  ['perplexity', 'perplexity'],
];

/** `gen_ai.provider.name` of an AI SDK provider id: the known ones mapped, others by their first part. */
export function aiSdkProviderName(provider: unknown): string {
  if (typeof provider !== 'string' || provider === '') return 'ai_sdk';
  for (const [prefix, name] of PROVIDERS) {
    if (provider === prefix || provider.startsWith(`${prefix}.`)) return name;
  }
  const first = provider.split('.')[0] ?? '';
  return /^[a-z0-9_-]{1,40}$/i.test(first) ? first.toLowerCase() : 'ai_sdk';
}

interface ModelEvent {
  provider?: unknown;
  modelId?: unknown;
}

function callOf(event: ModelEvent, operation: string): ProviderCall {
  return {
    provider: aiSdkProviderName(event.provider),
    operation,
    model: typeof event.modelId === 'string' && event.modelId !== '' ? event.modelId : undefined,
  };
}

/** The AI SDK's APICallError carries the HTTP status as `statusCode`. */
function failureOf(error: unknown): unknown {
  try {
    const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
    return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599
      ? String(status)
      : error;
  } catch {
    return error;
  }
}

type Part = { type?: unknown; modelId?: unknown; usage?: unknown; error?: unknown };
const OUTPUT_PARTS = new Set(['text-delta', 'reasoning-delta', 'tool-input-delta', 'file']);

/**
 * A stream of the same parts that feeds `timer`: output parts time the chunks, `response-metadata`
 * gives the model, `finish` the usage, an `error` part or a failing read fails the call, and the
 * end (or the consumer's cancel) ends it. Parts pass through unchanged, read on demand.
 */
function observed(stream: ReadableStream<Part>, timer: ProviderCallTimer): ReadableStream<Part> {
  const reader = stream.getReader();
  let usage: ProviderUsage = {};
  const see = (part: Part): void => {
    try {
      const type = part?.type;
      if (typeof type === 'string' && OUTPUT_PARTS.has(type)) timer.chunk();
      else if (type === 'response-metadata' && typeof part.modelId === 'string') {
        usage = { ...usage, responseModel: part.modelId };
      } else if (type === 'finish') usage = { ...usage, ...aiSdkUsage(part.usage) };
      else if (type === 'error') timer.fail(failureOf(part.error), usage);
    } catch {
      // Recording never disturbs the stream.
    }
  };
  return new ReadableStream<Part>({
    async pull(controller) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        // The provider's stream broke (a cut connection): the call failed with what came so far.
        timer.fail(failureOf(error), usage);
        throw error;
      }
      if (next.done) {
        timer.end(usage);
        controller.close();
        return;
      }
      see(next.value);
      controller.enqueue(next.value);
    },
    async cancel(reason) {
      timer.end(usage);
      await reader.cancel(reason);
    },
  });
}

/** The integration registered with the AI SDK: what it calls around each model call. */
function integrationFor(meter: () => ProviderMeter) {
  // Embedding calls in flight by their id (start and end are separate events), bounded.
  const embeds = new Map<unknown, { timer: ProviderCallTimer; callId: unknown }>();
  return {
    /** Around each language model call (every attempt of generateText/streamText/generate-/streamObject). */
    async executeLanguageModelCall<T>(options: ModelEvent & { execute: () => PromiseLike<T> }): Promise<T> {
      const call = callOf(options, 'chat');
      meter().beforeCall(call);
      const timer = meter().start(call);
      let result: T;
      try {
        // The client underneath (if instrumented too) leaves this call to this record.
        result = await runInFramework('ai', () => options.execute());
      } catch (error) {
        timer.fail(failureOf(error));
        throw error;
      }
      try {
        const value = result as { stream?: unknown };
        if (value?.stream instanceof ReadableStream)
          value.stream = observed(value.stream as ReadableStream<Part>, timer);
        else timer.end(aiSdkResultUsage(result));
      } catch {
        timer.end();
      }
      return result;
    },
    onEmbedStart(event: ModelEvent & { embedCallId?: unknown; callId?: unknown }) {
      if (embeds.size >= 1000) return;
      embeds.set(event.embedCallId, { timer: meter().start(callOf(event, 'embeddings')), callId: event.callId });
    },
    onEmbedEnd(event: { embedCallId?: unknown; usage?: unknown }) {
      const pending = embeds.get(event.embedCallId);
      embeds.delete(event.embedCallId);
      pending?.timer.end(aiSdkEmbeddingUsage(event.usage));
    },
    onError(event: { callId?: unknown; error?: unknown }) {
      for (const [id, pending] of embeds) {
        if (pending.callId !== event.callId) continue;
        embeds.delete(id);
        pending.timer.fail(failureOf(event.error));
      }
    },
  };
}

type Integrations = { AI_SDK_TELEMETRY_INTEGRATIONS?: unknown[] };
const installed = new WeakMap<AiSdkInstrumentation, object>();

/**
 * Records every model call of the Vercel AI SDK (`ai` 7): each language model call of
 * generateText, streamText, generateObject and streamObject (every step and attempt), and each
 * embedding call of embed and embedMany, whatever provider package is behind them, streaming
 * included. It joins the SDK's global telemetry registry (what `registerTelemetry()` does), so no
 * module is patched and ES modules and CommonJS are alike. While a model call runs, the client
 * instrumentations underneath pass through: a provider built on the openai client is counted
 * once. Reads the provider, the model ids and the usage; never a prompt or a response text.
 */
export class AiSdkInstrumentation extends LlmInstrumentation {
  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/ai-sdk', MLTEL_VERSION, config);
  }

  protected init() {
    return [];
  }

  override enable(): void {
    super.enable();
    if (installed.has(this)) return;
    // providerMeter is read at call time: this runs in the base constructor, before the fields exist.
    const integration = integrationFor(() => this.providerMeter());
    installed.set(this, integration);
    const holder = globalThis as Integrations;
    if (!Array.isArray(holder.AI_SDK_TELEMETRY_INTEGRATIONS)) holder.AI_SDK_TELEMETRY_INTEGRATIONS = [];
    holder.AI_SDK_TELEMETRY_INTEGRATIONS.push(integration);
  }

  override disable(): void {
    super.disable();
    const integration = installed.get(this);
    installed.delete(this);
    const list = (globalThis as Integrations).AI_SDK_TELEMETRY_INTEGRATIONS;
    if (integration === undefined || !Array.isArray(list)) return;
    const index = list.indexOf(integration);
    if (index >= 0) list.splice(index, 1);
  }
}
