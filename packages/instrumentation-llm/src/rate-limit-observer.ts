import { defaultRateLimitMeter } from '@mltel/genai';
import type { ProviderCall, RateLimitHeaderFamily } from '@mltel/genai';
import type { CallObservers } from './api-promise.js';
import type { LlmInstrumentationConfig } from './types.js';

/**
 * The observer that sends each response's rate-limit headers to the configured rate-limit meter
 * (`config.rateLimits`; default: `@mltel/genai`'s shared one; `false`: headers are not read),
 * for the call's provider and request model, looking up the headers of `family` only.
 * `config()` is read at each response.
 */
export function rateLimitObserver(
  config: () => LlmInstrumentationConfig,
  family: RateLimitHeaderFamily,
): CallObservers {
  const options = { family };
  return {
    headers: (call: ProviderCall, headers: unknown) => {
      const rateLimits = config().rateLimits;
      if (rateLimits === false) return;
      (rateLimits ?? defaultRateLimitMeter()).recordHeaders(call.provider, call.model, headers, options);
    },
  };
}
