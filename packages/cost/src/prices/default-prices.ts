// mltel's built-in price catalog: the prices copied from LiteLLM's map (October 2025, with the
// media prices) under the current prices generated from @pydantic/genai-prices. Where both price a
// model, the current price wins: the catalog keeps the later of two entries of one origin and date.
import { CURRENT_PRICES, CURRENT_PRICES_DATE, CURRENT_PRICES_SOURCE } from './default-prices-current.js';
import { LITELLM_PRICES, LITELLM_PRICES_SOURCE } from './default-prices-litellm.js';
import type { PriceEntry } from './types.js';

/** Where the built-in prices come from, oldest first (each entry's `source` names its own page). */
export const DEFAULT_PRICES_SOURCES: readonly string[] = [LITELLM_PRICES_SOURCE, CURRENT_PRICES_SOURCE];

/** The day (UTC, YYYY-MM-DD) of the newest built-in prices: how old the catalog is. */
export const DEFAULT_PRICES_DATE: string = CURRENT_PRICES_DATE;

/**
 * Providers whose every model costs nothing per call: local runtimes on the application's own
 * hardware. Their calls are priced at $0 instead of counted as unpriced (with a warning and the
 * cost-unpriced alert). A price file can still give one of their models a price.
 */
export const FREE_PROVIDER_PRICES: readonly PriceEntry[] = [
  { provider: 'ollama', model: '*', source: 'local models (Ollama): no per-call charge' },
];

/** The built-in prices, keyed by `gen_ai.provider.name` and model. */
export const DEFAULT_PRICES: readonly PriceEntry[] = [...LITELLM_PRICES, ...CURRENT_PRICES, ...FREE_PROVIDER_PRICES];
