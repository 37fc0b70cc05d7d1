import type { ProviderMeter, RateLimitMeter } from '@mltel/genai';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** Configuration of the LLM client instrumentations. */
export interface LlmInstrumentationConfig extends InstrumentationConfig {
  /** The provider meter to record to; default: `@mltel/genai`'s shared default meter. */
  meter?: ProviderMeter;
  /**
   * Where the rate-limit headers of the responses are recorded; default: `@mltel/genai`'s shared
   * rate-limit meter. `false`: not read.
   */
  rateLimits?: RateLimitMeter | false;
  /**
   * openai client only: `host=provider` rules for `gen_ai.provider.name`, checked before the
   * built-in table of OpenAI-compatible hosts (`vllm.internal:8000=vllm`, `*.corp.example=azure.ai.openai`,
   * `:8000=vllm`). They apply to every openai client of the process. Default `MLTEL_GENAI_PROVIDERS`
   * under the preload.
   */
  providers?: readonly string[];
}
