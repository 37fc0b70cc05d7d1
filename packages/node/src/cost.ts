import cluster from 'node:cluster';
import { isMainThread } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import type { BudgetConfig, BudgetStore, CostMeter, ThresholdEvent } from '@mltel/cost';
import type { ProviderMeter } from '@mltel/genai';
import { parseBudgets } from './config/budgets.js';
import { readSmallFile } from './config/file.js';
import { requireEsm } from './require-esm.js';
import type { ConfigProblem, ResolvedConfig } from './config/types.js';

/** The largest `MLTEL_BUDGETS` file read: budgets are a short list, never megabytes. */
export const MAX_BUDGETS_FILE_BYTES = 1024 * 1024;

/**
 * The budgets in force: those given in code or inline, else those of the `MLTEL_BUDGETS` file,
 * read now (safely: a regular file of at most 1 MiB, see {@link readSmallFile}). A file that cannot be used is one warning
 * naming the variable and the fix, and no budgets; never a throw.
 */
export function loadBudgets(config: ResolvedConfig): BudgetConfig[] {
  const path = config.budgetsFile;
  if (path === undefined) return config.budgets;
  const problems: ConfigProblem[] = [];
  const file = readSmallFile(path, MAX_BUDGETS_FILE_BYTES);
  let budgets: BudgetConfig[] = [];
  if ('why' in file) {
    problems.push({
      setting: 'MLTEL_BUDGETS',
      message: `MLTEL_BUDGETS names the file ${path}, which cannot be read (${file.why}); no budgets are kept. Fix: point it at a regular JSON file of at most 1 MiB with an array of budgets, or give the array itself.`,
    });
  } else {
    budgets = parseBudgets(file.data.toString('utf8'), problems);
  }
  for (const problem of problems) diag.warn(`mltel: ${problem.message}`);
  return budgets;
}

function logThreshold(event: ThresholdEvent): void {
  const what = event.threshold >= 1 ? 'is exceeded' : `reached ${Math.round(event.threshold * 100)}%`;
  diag.warn(
    `mltel: budget "${event.budget}" ${what}: $${event.spentUsd} of $${event.limitUsd} in this ${event.window} window ` +
      `(since ${event.windowStart.toISOString()}).`,
  );
}

// @mltel/cost is required only when the cost meter starts: MLTEL_COST=false loads none of it. Its
// built-in prices load later still, at the meter's first price lookup (@mltel/cost/default-prices).
type CostModule = typeof import('@mltel/cost');

function storeOf(config: ResolvedConfig, { FileStore, MemoryStore, RedisStore }: CostModule): BudgetStore {
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
 * budgets (the MLTEL_BUDGETS file is read here) and their store. With a shared store (Redis),
 * the budget gauges come from the serving process only (see {@link reportsToHub}); crossings
 * are counted by the process that made them (BudgetSet). Returns the meter (undefined when
 * MLTEL_COST=false). Never throws.
 */
export function startCost(config: ResolvedConfig, providerMeter: ProviderMeter): CostMeter | undefined {
  if (!config.cost) return undefined;
  try {
    const costModule = requireEsm<CostModule>('@mltel/cost');
    const budgets = loadBudgets(config);
    const store = budgets.length > 0 ? storeOf(config, costModule) : new costModule.MemoryStore();
    const meter = new costModule.CostMeter({
      prices: config.prices,
      priceFiles: config.priceFiles,
      budgets,
      store,
      onThreshold: config.onBudgetThreshold ?? logThreshold,
      budgetGauges: !(store.shared && reportsToHub(config)),
    });
    meter.attach(providerMeter);
    // Once per process: a built-in catalog past its documented age prices new models at nothing.
    const stale = config.priceFiles.length === 0 ? costModule.staleCatalogWarning(Date.now()) : undefined;
    if (stale !== undefined) diag.warn(`mltel: ${stale}`);
    return meter;
  } catch (error) {
    diag.warn(
      `mltel: cost metering is off (${error instanceof Error ? error.message : String(error)}). Fix: set MLTEL_COST=false to silence this.`,
    );
    return undefined;
  }
}

/**
 * Whether this process's metrics reach Prometheus through the multi-process hub (a cluster
 * worker or a worker thread): there gauges are kept per worker, so a budget shared through a
 * store would be exported once per worker; the serving process reports it once.
 */
export function reportsToHub(config: Pick<ResolvedConfig, 'exporters' | 'multiprocess'>): boolean {
  return config.exporters.includes('prometheus') && config.multiprocess && (cluster.isWorker || !isMainThread);
}
