// What the built-in price catalog is: its sources and its date, read at start-up (the catalog's
// age, staleCatalogWarning). The prices themselves (default-prices.ts, @mltel/cost/default-prices,
// 250 KB) load only at the first lookup.
import { CURRENT_PRICES_DATE, CURRENT_PRICES_SOURCE } from './default-prices-current-info.js';

/** The LiteLLM price map (file and commit) that the LiteLLM part of the catalog was copied from. */
export const LITELLM_PRICES_SOURCE =
  'https://github.com/BerriAI/litellm/blob/19a1f629eb6fafde70968ef4815463eb08143aac/model_prices_and_context_window.json';

/** Where the built-in prices come from, oldest first (each entry's `source` names its own page). */
export const DEFAULT_PRICES_SOURCES: readonly string[] = [LITELLM_PRICES_SOURCE, CURRENT_PRICES_SOURCE];

/** The day (UTC, YYYY-MM-DD) of the newest built-in prices: how old the catalog is. */
export const DEFAULT_PRICES_DATE: string = CURRENT_PRICES_DATE;
