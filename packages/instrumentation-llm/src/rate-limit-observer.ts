import type { ProviderCall, RateLimitHeaderFamily, RateLimitMeter } from '@mltel/genai';
import type { CallObservers } from './api-promise.js';

/**
 * The observer that sends each response's rate-limit headers to the rate-limit meter `meter()`
 * returns at that response (none: the headers are not read), for the call's provider and request
 * model, looking up the headers of `family` only.
 */
export function rateLimitObserver(
  meter: () => RateLimitMeter | undefined,
  family: RateLimitHeaderFamily,
): CallObservers {
  const options = { family };
  return {
    headers: (call: ProviderCall, headers: unknown) => {
      meter()?.recordHeaders(call.provider, call.model, headers, options);
    },
  };
}
