import cluster from 'node:cluster';
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import type { Stats } from 'node:fs';
import { diag } from '@opentelemetry/api';
import type { BudgetConfig, BudgetStore, CostMeter, ThresholdEvent } from '@mltel/cost';
import type { ProviderMeter } from '@mltel/genai';
import { parseBudgets } from './config/budgets.js';
import { requireEsm } from './require-esm.js';
import type { ConfigProblem, ResolvedConfig } from './config/types.js';

/** The largest `MLTEL_BUDGETS` file read: budgets are a short list, never megabytes. */
export const MAX_BUDGETS_FILE_BYTES = 1024 * 1024;

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'something else';
}

function refusal(stats: Stats): string | undefined {
  if (!stats.isFile()) return `not a regular file: ${kindOf(stats)}`;
  if (stats.size > MAX_BUDGETS_FILE_BYTES) return `larger than 1 MiB: ${stats.size} bytes`;
  return undefined;
}

/**
 * The text of a regular file of at most 1 MiB, or why not. Start-up must never wait or fill
 * memory on what the variable names: a FIFO would block the open until a writer comes, and
 * /dev/zero never ends. So: stat first and open only a regular file; open non-blocking and check
 * the descriptor again (the path may have been swapped meanwhile); read at most one byte past
 * the limit (a file may grow, and /proc files report size 0).
 */
function readBudgetsFile(path: string): { text: string } | { why: string } {
  let fd: number | undefined;
  try {
    const before = refusal(statSync(path));
    if (before !== undefined) return { why: before };
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const after = refusal(fstatSync(fd));
    if (after !== undefined) return { why: after };
    const buffer = Buffer.allocUnsafe(MAX_BUDGETS_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_BUDGETS_FILE_BYTES) return { why: 'larger than 1 MiB' };
    return { text: buffer.toString('utf8', 0, length) };
  } catch (error) {
    return { why: (error as { code?: string }).code ?? String(error) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The budgets in force: those given in code or inline, else those of the `MLTEL_BUDGETS` file,
 * read now (safely: see {@link readBudgetsFile}). A file that cannot be used is one warning
 * naming the variable and the fix, and no budgets; never a throw.
 */
export function loadBudgets(config: ResolvedConfig): BudgetConfig[] {
  const path = config.budgetsFile;
  if (path === undefined) return config.budgets;
  const problems: ConfigProblem[] = [];
  const file = readBudgetsFile(path);
  let budgets: BudgetConfig[] = [];
  if ('why' in file) {
    problems.push({
      setting: 'MLTEL_BUDGETS',
      message: `MLTEL_BUDGETS names the file ${path}, which cannot be read (${file.why}); no budgets are kept. Fix: point it at a regular JSON file of at most 1 MiB with an array of budgets, or give the array itself.`,
    });
  } else {
    budgets = parseBudgets(file.text, problems);
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

// @mltel/cost (with its price catalog, most of its load time) is required only when the cost
// meter starts: MLTEL_COST=false loads none of it.
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
