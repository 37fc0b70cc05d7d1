import { diag } from '@opentelemetry/api';
import { defaultProviderMeter, defaultRateLimitMeter } from '@mltel/genai';
import {
  AiSdkInstrumentation,
  AnthropicInstrumentation,
  BedrockRuntimeInstrumentation,
  CohereInstrumentation,
  FalInstrumentation,
  GoogleGenAIInstrumentation,
  GroqInstrumentation,
  LangChainInstrumentation,
  MistralInstrumentation,
  OllamaInstrumentation,
  OpenAIInstrumentation,
} from '@mltel/instrumentation-llm';
import type { LlmInstrumentationConfig } from '@mltel/instrumentation-llm';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LlmClientName, ResolvedConfig } from './config/types.js';

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

type LlmInstrumentationClass = new (config: LlmInstrumentationConfig) => InstrumentationBase;
const INSTRUMENTATIONS: Record<LlmClientName, LlmInstrumentationClass> = {
  openai: OpenAIInstrumentation,
  anthropic: AnthropicInstrumentation,
  'google-genai': GoogleGenAIInstrumentation,
  'bedrock-runtime': BedrockRuntimeInstrumentation,
  ai: AiSdkInstrumentation,
  mistral: MistralInstrumentation,
  groq: GroqInstrumentation,
  cohere: CohereInstrumentation,
  ollama: OllamaInstrumentation,
  fal: FalInstrumentation,
  langchain: LangChainInstrumentation,
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
 * shared provider meter (configured by start() from MLTEL_GENAI_MODELS and MLTEL_PROVIDER_HEALTH). CommonJS
 * `require()` is hooked at once; ESM `import` through the loader hook that start() registers first
 * with {@link llmEsmModules} (../esm-hook.ts).
 * Returns the function that disables them. Never throws.
 */
export function startLlmInstrumentations(config: ResolvedConfig): () => void {
  if (config.llmInstrumentations.length === 0) return () => {};
  const instrumentations: InstrumentationBase[] = [];
  try {
    // The shared provider meter start() configured (cost and budgets hook it), even when a
    // MeterProvider is later set on an instrumentation.
    const meter = defaultProviderMeter();
    // Likewise the shared rate-limit meter (its model names bounded by MLTEL_GENAI_MODELS).
    const rateLimits = defaultRateLimitMeter();
    // MLTEL_GENAI_PROVIDERS: host=provider rules of the openai client's OpenAI-compatible endpoints.
    const providers = config.genAiProviders;
    for (const name of config.llmInstrumentations) {
      instrumentations.push(
        new INSTRUMENTATIONS[name](providers === undefined ? { meter, rateLimits } : { meter, rateLimits, providers }),
      );
    }
  } catch (error) {
    diag.warn(
      `mltel: LLM client instrumentation is off (${error instanceof Error ? error.message : String(error)}). ` +
        `Fix: set OTEL_NODE_DISABLED_INSTRUMENTATIONS=${config.llmInstrumentations.join(',')} to silence this.`,
    );
  }
  return () => {
    for (const instrumentation of instrumentations) instrumentation.disable();
  };
}
