import { diag } from '@opentelemetry/api';
import { CostMeter, FileStore, MemoryStore, RedisStore } from '@mltel/cost';
import type { BudgetStore, ThresholdEvent } from '@mltel/cost';
import type { ProviderMeter } from '@mltel/genai';
import type { ResolvedConfig } from './config/types.js';

function logThreshold(event: ThresholdEvent): void {
  const what = event.threshold >= 1 ? 'is exceeded' : `reached ${Math.round(event.threshold * 100)}%`;
  diag.warn(
    `mltel: budget "${event.budget}" ${what}: $${event.spentUsd} of $${event.limitUsd} in this ${event.window} window ` +
      `(since ${event.windowStart.toISOString()}).`,
  );
}

function storeOf(config: ResolvedConfig): BudgetStore {
  const setting = config.budgetStore;
  if (setting.kind === 'file') {
    try {
      return new FileStore(setting.path);
    } catch (error) {
      diag.warn(
        `mltel: the budget file ${setting.path} cannot be used (${error instanceof Error ? error.message : String(error)}); ` +
          'budget spend is kept in memory. Fix: point MLTEL_BUDGET_STORE=file:... at a writable path.',
      );
      return new MemoryStore();
    }
  }
  if (setting.kind === 'redis') return new RedisStore({ url: setting.url });
  return new MemoryStore();
}

/**
 * Starts the cost meter on the shared provider meter: built-in prices, MLTEL_PRICES files,
 * budgets and their store. Returns it (undefined when MLTEL_COST=false). Never throws.
 */
export function startCost(config: ResolvedConfig, providerMeter: ProviderMeter): CostMeter | undefined {
  if (!config.cost) return undefined;
  try {
    const meter = new CostMeter({
      prices: config.prices,
      priceFiles: config.priceFiles,
      budgets: config.budgets,
      store: config.budgets.length > 0 ? storeOf(config) : new MemoryStore(),
      onThreshold: config.onBudgetThreshold ?? logThreshold,
    });
    meter.attach(providerMeter);
    return meter;
  } catch (error) {
    diag.warn(
      `mltel: cost metering is off (${error instanceof Error ? error.message : String(error)}). Fix: set MLTEL_COST=false to silence this.`,
    );
    return undefined;
  }
}
