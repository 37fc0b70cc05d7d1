import { diag } from '@opentelemetry/api';
import { defaultProviderMeter } from '@mltel/genai';
import { AnthropicInstrumentation, GoogleGenAIInstrumentation, OpenAIInstrumentation } from '@mltel/instrumentation-llm';
import type { LlmInstrumentationConfig } from '@mltel/instrumentation-llm';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { register as registerSyncHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import * as nodeModule from 'node:module';
import type { LlmClientName, ResolvedConfig } from './config/types.js';

// The module each instrumentation hooks; ESM interception is limited to these (import-in-the-middle
// `include`), so no other module of the application is wrapped.
export const LLM_MODULES: Record<LlmClientName, string> = {
  openai: 'openai',
  anthropic: '@anthropic-ai/sdk',
  'google-genai': '@google/genai',
};
const MODULES = LLM_MODULES;

type LlmInstrumentationClass = new (config: LlmInstrumentationConfig) => InstrumentationBase;
const INSTRUMENTATIONS: Record<LlmClientName, LlmInstrumentationClass> = {
  openai: OpenAIInstrumentation,
  anthropic: AnthropicInstrumentation,
  'google-genai': GoogleGenAIInstrumentation,
};

let esmHookRegistered = false;

function registerEsmHook(modules: string[]): void {
  if (esmHookRegistered) return;
  esmHookRegistered = true;
  if (supportsSyncHooks()) {
    // In-thread hooks (Node >= 22.22.3 / 24.11.1).
    registerSyncHooks({ include: modules });
  } else {
    nodeModule.register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include: modules } });
  }
}

/**
 * Starts the LLM client auto-instrumentations named in the configuration, recording through the
 * shared provider meter (configured by start() from MLTEL_GENAI_MODELS and MLTEL_PROVIDER_HEALTH). CommonJS
 * `require()` is hooked at once; ESM `import` through import-in-the-middle's loader hook.
 * Returns the function that disables them. Never throws.
 */
export function startLlmInstrumentations(config: ResolvedConfig): () => void {
  if (config.llmInstrumentations.length === 0) return () => {};
  const instrumentations: InstrumentationBase[] = [];
  try {
    const modules = config.llmInstrumentations.map((name) => MODULES[name]);
    // Synchronously, so the hook is in place before the application's own imports are linked.
    try {
      registerEsmHook(modules);
    } catch (error) {
      diag.warn(
        `mltel: LLM clients imported as ES modules will not be recorded: the import hook failed (${error instanceof Error ? error.message : String(error)}). ` +
          `CommonJS require() is still recorded. Fix: report it, or set OTEL_NODE_DISABLED_INSTRUMENTATIONS=${config.llmInstrumentations.join(',')} to silence this.`,
      );
    }
    // The shared provider meter start() configured (cost and budgets hook it), even when a
    // MeterProvider is later set on an instrumentation.
    const meter = defaultProviderMeter();
    for (const name of config.llmInstrumentations) instrumentations.push(new INSTRUMENTATIONS[name]({ meter }));
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
