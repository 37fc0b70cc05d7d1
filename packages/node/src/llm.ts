import { diag } from '@opentelemetry/api';
import { defaultProviderMeter, defaultRateLimitMeter } from '@mltel/genai';
import type * as LlmPackage from '@mltel/instrumentation-llm';
import type { LlmInstrumentationConfig } from '@mltel/instrumentation-llm';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LlmClientName, ResolvedConfig } from './config/types.js';
import { Starts } from './module-trigger.js';
import { requireEsm } from './require-esm.js';

// The modules each instrumentation hooks; ESM interception is limited to these (import-in-the-middle
// `include`), so no other module of the application is wrapped. The AI SDK needs none: it joins
// the SDK's global telemetry registry.
export const LLM_MODULES: Record<LlmClientName, readonly string[]> = {
  openai: ['openai'],
  anthropic: ['@anthropic-ai/sdk'],
  'google-genai': ['@google/genai'],
  'bedrock-runtime': ['@aws-sdk/client-bedrock-runtime'],
  ai: [],
  mistral: ['@mistralai/mistralai'],
  groq: ['groq-sdk'],
  cohere: ['cohere-ai'],
  ollama: ['ollama'],
  // CommonJS only: an ESM import loads it through require(), which is hooked at once.
  fal: [],
  // Its callbacks module is imported relatively inside @langchain/core: see langChainEsmFiles().
  langchain: [],
};
const MODULES = LLM_MODULES;

/**
 * The packages whose first load starts each instrumentation (./module-trigger.ts): those it
 * patches, and for the AI SDK `ai` itself, which reads its global telemetry registry at each call
 * (never at its load), so joining it when `ai` loads misses no call.
 */
const FIRST_LOAD: Record<LlmClientName, readonly string[]> = {
  ...MODULES,
  ai: ['ai'],
  fal: ['@fal-ai/client'],
  langchain: ['@langchain/core'],
};

type LlmInstrumentationClass = new (config: LlmInstrumentationConfig) => InstrumentationBase;
type LlmPackageExports = typeof LlmPackage;
const INSTRUMENTATIONS: Record<LlmClientName, (exports: LlmPackageExports) => LlmInstrumentationClass> = {
  openai: (exports) => exports.OpenAIInstrumentation,
  anthropic: (exports) => exports.AnthropicInstrumentation,
  'google-genai': (exports) => exports.GoogleGenAIInstrumentation,
  'bedrock-runtime': (exports) => exports.BedrockRuntimeInstrumentation,
  ai: (exports) => exports.AiSdkInstrumentation,
  mistral: (exports) => exports.MistralInstrumentation,
  groq: (exports) => exports.GroqInstrumentation,
  cohere: (exports) => exports.CohereInstrumentation,
  ollama: (exports) => exports.OllamaInstrumentation,
  fal: (exports) => exports.FalInstrumentation,
  langchain: (exports) => exports.LangChainInstrumentation,
};

/** The modules the configured LLM instrumentations hook, for the one ESM hook (../esm-hook.ts). */
export function llmEsmModules(config: ResolvedConfig): string[] {
  const modules = config.llmInstrumentations.flatMap((name) => MODULES[name]);
  return config.llmInstrumentations.includes('langchain') ? [...modules, ...langChainEsmFiles()] : modules;
}

/**
 * The file of @langchain/core's callbacks module that the application resolves (from its working
 * directory), as a file URL: the ESM hook's `include` matches it (the package imports it by
 * a relative path, which no package name matches). None when @langchain/core is not installed.
 */
export function langChainEsmFiles(cwd: string = process.cwd()): string[] {
  try {
    const cjs = createRequire(join(cwd, '__mltel_resolve__.js')).resolve('@langchain/core/callbacks/manager');
    return [pathToFileURL(realpathSync(cjs.replace(/\.cjs$/, '.js'))).href];
  } catch {
    return [];
  }
}

/**
 * Starts the LLM client auto-instrumentations named in the configuration, recording through the
 * shared provider meter (configured by start() from MLTEL_GENAI_MODELS and MLTEL_PROVIDER_HEALTH).
 * Each starts when the application first loads its package ({@link FIRST_LOAD}, by require() or
 * import, before the package's code runs), and @mltel/instrumentation-llm is loaded only then: an
 * application that calls no model client does not pay for it at start-up. CommonJS `require()`
 * is hooked as the instrumentation starts; ESM `import` through the loader hook that start()
 * registers first with {@link llmEsmModules} (../esm-hook.ts).
 * Returns the function that disables them, those started later included, and cancels the starts
 * still waiting. Never throws: a failure is one warning, and never reaches the application's
 * require() or import.
 */
export function startLlmInstrumentations(config: ResolvedConfig): () => void {
  if (config.llmInstrumentations.length === 0) return () => {};
  const starts = new Starts();
  let warned = false;
  const warn = (error: unknown): void => {
    if (warned) return;
    warned = true;
    diag.warn(
      `mltel: LLM client instrumentation is off (${error instanceof Error ? error.message : String(error)}). ` +
        `Fix: set OTEL_NODE_DISABLED_INSTRUMENTATIONS=${config.llmInstrumentations.join(',')} to silence this.`,
    );
  };
  try {
    // The shared provider meter start() configured (cost and budgets hook it), even when a
    // MeterProvider is later set on an instrumentation: now, as the application records through it too.
    const meter = defaultProviderMeter();
    // Likewise the shared rate-limit meter (its model names bounded by MLTEL_GENAI_MODELS).
    const rateLimits = defaultRateLimitMeter();
    // MLTEL_GENAI_PROVIDERS: host=provider rules of the openai client's OpenAI-compatible endpoints.
    const providers = config.genAiProviders;
    const instrumentationConfig: LlmInstrumentationConfig =
      providers === undefined ? { meter, rateLimits } : { meter, rateLimits, providers };
    const start = (name: LlmClientName): InstrumentationBase | undefined => {
      try {
        const exports = requireEsm<LlmPackageExports>('@mltel/instrumentation-llm');
        const Instrumentation = INSTRUMENTATIONS[name](exports);
        return new Instrumentation(instrumentationConfig);
      } catch (error) {
        warn(error);
        return undefined;
      }
    };
    for (const name of config.llmInstrumentations) starts.onFirstLoad(FIRST_LOAD[name], () => start(name));
  } catch (error) {
    warn(error);
  }
  return () => starts.stop();
}
