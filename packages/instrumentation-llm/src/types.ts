import type { ProviderMeter } from '@mltel/genai';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

/** Configuration of the LLM client instrumentations. */
export interface LlmInstrumentationConfig extends InstrumentationConfig {
  /** The provider meter to record to; default: `@mltel/genai`'s shared default meter. */
  meter?: ProviderMeter;
}
