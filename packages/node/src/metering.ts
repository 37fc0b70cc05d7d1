// The provider-call metering every way of running mltel sets up first (the preload's start(), and
// mltelParts() for an SDK of the application's own): the shared provider meter, the cost meter
// on it, and the rate-limit headroom gauges; the LLM clients that feed them start after.
import { diag } from '@opentelemetry/api';
import type { CostMeter } from '@mltel/cost';
import { configureDefaultProviderMeter, configureDefaultRateLimitMeter } from '@mltel/genai';
import type { ResolvedConfig } from './config/types.js';
import { startCost } from './cost.js';

/**
 * Configures the shared provider meter (MLTEL_GENAI_MODELS, MLTEL_PROVIDER_HEALTH), starts the
 * cost meter on it and the rate-limit gauges. Returns the cost meter (undefined with
 * MLTEL_COST=false or on failure). Never throws: a failure is one warning.
 */
export function startProviderMetering(config: ResolvedConfig): CostMeter | undefined {
  try {
    const providerMeter = configureDefaultProviderMeter({
      models: config.genAiModels,
      deriveHealth: config.deriveProviderHealth,
    });
    const cost = startCost(config, providerMeter);
    // Rate-limit headroom gauges, their model names bounded like the provider meter's.
    configureDefaultRateLimitMeter({ models: config.genAiModels });
    return cost;
  } catch (error) {
    diag.warn(`mltel: provider-call metering is off (${error instanceof Error ? error.message : String(error)}).`);
    return undefined;
  }
}
