export {
  CostMeter,
  MAX_CALL_TOKENS,
  MAX_CALL_USD,
  MAX_COST_SERIES,
  MAX_LABEL_LENGTH,
  MAX_MODELS,
  MAX_OPERATIONS,
  MAX_PROVIDERS,
  SCOPE_NAME,
} from './cost-meter.js';
export type { CostMeterOptions, CostRecord, PricedCall } from './cost-meter.js';
export { BudgetSet } from './budgets/budget-set.js';
export { BudgetExceededError } from './budgets/errors.js';
export type { BudgetConfig, BudgetScope, BudgetWindow, ThresholdEvent } from './budgets/types.js';
export { callCost } from './cost.js';
export { formatUsd, picoToUsd } from './money.js';
export { lookupNames, PriceCatalog } from './prices/catalog.js';
export type { MatchKind, Price, PriceMatch } from './prices/catalog.js';
export { catalogAgeDays, MAX_CATALOG_AGE_DAYS, staleCatalogWarning } from './prices/age.js';
export { DEFAULT_PRICES_DATE, DEFAULT_PRICES_SOURCES } from './prices/default-prices-info.js';
export { fromLiteLLM, providerOfLiteLLM } from './prices/litellm.js';
export {
  displayLocation,
  loadPrices,
  MAX_PRICE_FILE_BYTES,
  PRICE_URL_TIMEOUT_MS,
  PriceFileError,
} from './prices/load.js';
export type { LoadPricesOptions } from './prices/load.js';
export type { Usd } from './money.js';
export type { PriceEntry, PriceTier } from './prices/types.js';
export { currentCostScope, withCostScope } from './scope.js';
export type { CostScope } from './scope.js';
export { FileStore, MAX_BUDGET_STORE_FILE_BYTES } from './stores/file.js';
export { MemoryStore } from './stores/memory.js';
export { RedisStore } from './stores/redis.js';
export type { RedisStoreOptions } from './stores/redis.js';
export type { BudgetStore } from './stores/types.js';
