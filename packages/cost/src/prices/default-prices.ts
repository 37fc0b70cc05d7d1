// mltel's built-in price catalog: the prices copied from LiteLLM's map (October 2025, with the
// media prices) under the current prices generated from @pydantic/genai-prices. Where both price a
// model, the current price wins: the catalog keeps the later of two entries of one origin and date.
//
// The entry of `@mltel/cost/default-prices`, kept out of `@mltel/cost`'s main entry: its ~250 KB
// would be compiled at every start of an application that preloads mltel. The cost meter loads it
// at its first price lookup (load-default-prices.ts); its sources and date are in
// default-prices-info.ts.
import { CURRENT_PRICES } from './default-prices-current.js';
import { LITELLM_PRICES } from './default-prices-litellm.js';
import type { PriceEntry } from './types.js';

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
