import { langChainUsage } from '@mltel/genai';
import type { ProviderCall, ProviderCallTimer, ProviderMeter } from '@mltel/genai';
import { MLTEL_VERSION } from '@mltel/kit';
import { InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import { statusFailure } from './async-method.js';
import { isClientPatched } from './framework-scope.js';
import { LlmInstrumentation } from './llm-instrumentation.js';
import type { LlmInstrumentationConfig } from './types.js';

/** The `@langchain/core` versions hooked. */
export const LANGCHAIN_SUPPORTED_VERSIONS = ['>=0.3.0 <2'];

// LangChain's `ls_provider` of a chat model: its `gen_ai.provider.name` and the client package it
// calls (when mltel instruments that package, the call is left to the client's own record).
const PROVIDERS: Record<string, readonly [string, string | undefined]> = {
  openai: ['openai', 'openai'],
  azure: ['azure.ai.openai', 'openai'],
  azure_openai: ['azure.ai.openai', 'openai'],
  deepseek: ['deepseek', 'openai'],
  xai: ['x_ai', 'openai'],
  anthropic: ['anthropic', '@anthropic-ai/sdk'],
  mistral: ['mistral_ai', '@mistralai/mistralai'],
  mistralai: ['mistral_ai', '@mistralai/mistralai'],
  groq: ['groq', 'groq-sdk'],
  cohere: ['cohere', 'cohere-ai'],
  ollama: ['ollama', 'ollama'],
  amazon_bedrock: ['aws.bedrock', '@aws-sdk/client-bedrock-runtime'],
  bedrock: ['aws.bedrock', '@aws-sdk/client-bedrock-runtime'],
  google_genai: ['gcp.gemini', undefined],
  google_vertexai: ['gcp.vertex_ai', undefined],
};

/** `[gen_ai.provider.name, client module]` of a LangChain `ls_provider`. */
export function langChainProvider(lsProvider: unknown): readonly [string, string | undefined] {
  if (typeof lsProvider !== 'string' || lsProvider === '') return ['langchain', undefined];
  const key = lsProvider.toLowerCase();
  const known = Object.hasOwn(PROVIDERS, key) ? PROVIDERS[key] : undefined;
  if (known !== undefined) return known;
  return [/^[a-z0-9_-]{1,40}$/.test(key) ? key : 'langchain', undefined];
}

type Metadata = { ls_provider?: unknown; ls_model_name?: unknown } | undefined;
type ExtraParams = { invocation_params?: { model?: unknown; model_name?: unknown } } | undefined;

const MAX_RUNS = 1000;

/**
 * A LangChain.js callbacks handler that records each chat model and LLM run with the GenAI
 * metrics: duration with `error.type`, tokens from the run's usage metadata, and the time to the
 * first and between streamed tokens. A run whose model calls a client mltel instruments (the
 * openai package behind ChatOpenAI, …) is left to that client's record, so nothing is counted
 * twice. Reads the provider, the model names and the counts; never a prompt or a response.
 * Add it as `callbacks: [handler]`, or let `LangChainInstrumentation` add it to every run.
 */
export class MltelLangChainHandler {
  readonly name = 'mltel_genai';
  // Awaited, so a run's start is timed when the model call starts, not when a queue gets to it.
  readonly awaitHandlers = true;
  readonly raiseError = false;
  readonly ignoreLLM = false;
  readonly ignoreChain = true;
  readonly ignoreAgent = true;
  readonly ignoreRetriever = true;
  readonly ignoreCustomEvent = true;
  readonly ignoreRetry = true;
  private readonly runs = new Map<unknown, ProviderCallTimer>();

  constructor(private readonly meter: () => ProviderMeter) {}

  /** Handlers are copied into child run managers; one instance keeps every run's state. */
  copy(): this {
    return this;
  }

  handleChatModelStart(
    _llm: unknown,
    _messages: unknown,
    runId: unknown,
    _parentRunId?: unknown,
    extraParams?: Record<string, unknown>,
    _tags?: unknown,
    metadata?: Record<string, unknown>,
  ): void {
    this.start(runId, 'chat', metadata as Metadata, extraParams as ExtraParams);
  }

  handleLLMStart(
    _llm: unknown,
    _prompts: unknown,
    runId: unknown,
    _parentRunId?: unknown,
    extraParams?: Record<string, unknown>,
    _tags?: unknown,
    metadata?: Record<string, unknown>,
  ): void {
    this.start(runId, 'text_completion', metadata as Metadata, extraParams as ExtraParams);
  }

  handleLLMNewToken(_token: unknown, _index: unknown, runId: unknown): void {
    this.runs.get(runId)?.chunk();
  }

  handleLLMEnd(output: unknown, runId: unknown): void {
    const timer = this.runs.get(runId);
    if (timer === undefined) return;
    this.runs.delete(runId);
    timer.end(langChainUsage(output));
  }

  handleLLMError(error: unknown, runId: unknown): void {
    const timer = this.runs.get(runId);
    if (timer === undefined) return;
    this.runs.delete(runId);
    timer.fail(statusFailure(error));
  }

  private start(runId: unknown, operation: string, metadata: Metadata, extraParams: ExtraParams): void {
    try {
      const [provider, client] = langChainProvider(metadata?.ls_provider);
      if (client !== undefined && isClientPatched(client)) return;
      if (this.runs.size >= MAX_RUNS) return;
      const model =
        metadata?.ls_model_name ?? extraParams?.invocation_params?.model ?? extraParams?.invocation_params?.model_name;
      const call: ProviderCall = {
        provider,
        operation,
        model: typeof model === 'string' && model !== '' ? model : undefined,
      };
      this.runs.set(runId, this.meter().start(call));
    } catch {
      // Recording never disturbs the run.
    }
  }
}

type CallbackManagerClass = {
  _configureSync?: (...args: unknown[]) => unknown;
  new (): { addHandler(handler: unknown, inherit?: boolean): void; handlers?: { name?: unknown }[] };
};

/**
 * Adds an {@link MltelLangChainHandler} to every LangChain.js run (`@langchain/core` 0.3 and
 * 1.x): its `CallbackManager` configuration is wrapped in the package's callbacks module (the ES
 * module and the CommonJS file), so chat models and LLMs of any integration package are recorded,
 * each model call once.
 */
export class LangChainInstrumentation extends LlmInstrumentation {
  constructor(config: LlmInstrumentationConfig = {}) {
    super('@mltel/instrumentation-llm/langchain', MLTEL_VERSION, config);
  }

  protected init() {
    const handler = new MltelLangChainHandler(() => this.providerMeter());
    const file = (path: string) =>
      new InstrumentationNodeModuleFile(
        path,
        LANGCHAIN_SUPPORTED_VERSIONS,
        (exports: unknown) => {
          const Manager = (exports as { CallbackManager?: CallbackManagerClass }).CallbackManager;
          if (typeof Manager?._configureSync !== 'function') return exports;
          this._wrap(Manager, '_configureSync', (original: unknown) =>
            withHandler(original as Configure, Manager, handler),
          );
          return exports;
        },
        (exports: unknown) => {
          const Manager = (exports as { CallbackManager?: CallbackManagerClass }).CallbackManager;
          if (typeof Manager?._configureSync === 'function') this._unwrap(Manager, '_configureSync');
        },
      );
    return new InstrumentationNodeModuleDefinition(
      '@langchain/core',
      LANGCHAIN_SUPPORTED_VERSIONS,
      undefined,
      undefined,
      [file('@langchain/core/dist/callbacks/manager.cjs'), file('@langchain/core/dist/callbacks/manager.js')],
    );
  }
}

type Configure = (...args: unknown[]) => unknown;

/**
 * `_configureSync` with `handler` among the inheritable handlers: added to the handler list the
 * caller gave (or as the only one), or to the manager it returns, so LangChain still adds the
 * run's tags and metadata (the `ls_provider` and `ls_model_name` the handler reads).
 */
function withHandler(original: Configure, _Manager: CallbackManagerClass, handler: MltelLangChainHandler): Configure {
  return function configure(this: unknown, ...args: unknown[]): unknown {
    const [inheritable] = args;
    if (inheritable === undefined || inheritable === null) args[0] = [handler];
    else if (Array.isArray(inheritable) && !inheritable.includes(handler)) args[0] = [...inheritable, handler];
    const manager = original.apply(this, args) as InstanceType<CallbackManagerClass> | undefined;
    try {
      if (manager !== undefined && !manager.handlers?.some((h) => h?.name === handler.name))
        manager.addHandler(handler, true);
    } catch {
      // Leave the run unrecorded rather than disturb it.
    }
    return manager;
  };
}
