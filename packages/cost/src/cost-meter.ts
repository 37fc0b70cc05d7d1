import { diag } from '@opentelemetry/api';
import type { Attributes, Counter, Histogram, Meter, MeterProvider, ObservableResult } from '@opentelemetry/api';
import { defaultProviderMeter } from '@mltel/genai';
import type { ProviderCallEvent, ProviderMeter, ProviderUsage } from '@mltel/genai';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_ML_TASK_NAME,
  ML_BUDGET_EXCEEDED,
  ML_BUDGET_LIMIT_USD,
  ML_BUDGET_REFUSED,
  ML_BUDGET_REMAINING_USD,
  ML_BUDGET_SPENT_USD,
  ML_COST_REQUEST_USD,
  ML_COST_UNPRICED,
  ML_COST_USD,
  OTHER_VALUE,
} from '@mltel/semconv';
import { BoundedValues, describeValue, instrumentOptions, MeterCells, ProviderBinding, WarnOnce } from '@mltel/kit';
import type { CallbackRegistry } from '@mltel/kit';
import { BudgetSet } from './budgets/budget-set.js';
import type { BudgetConfig, ChargeContext, ThresholdEvent } from './budgets/types.js';
import { callCost, reportsUsage } from './cost.js';
import { decimal, picoToUsd, toPico } from './money.js';
import type { Pico, Usd } from './money.js';
import type { PriceMatch } from './prices/catalog.js';
import { loadDefaultPrices } from './prices/load-default-prices.js';
import { PriceRoutes, VersionedCatalog } from './price-routes.js';
import { displayLocation, loadPrices, MAX_PRICE_FILE_BYTES, PRICE_URL_TIMEOUT_MS } from './prices/load.js';
import type { PriceEntry } from './prices/types.js';
import { currentCostScope } from './scope.js';
import { MemoryStore } from './stores/memory.js';
import type { BudgetStore } from './stores/types.js';

/** Instrumentation scope of the cost meter. */
export const SCOPE_NAME = '@mltel/cost';
/**
 * The most `ml.cost.usd` / `ml.cost.request.usd` series (provider x model x operation x task);
 * further ones are charged to the one series `{gen_ai.provider.name="_OTHER"}`. Below the SDK's
 * per-instrument cardinality limit (2,000) so the SDK never folds series into its own overflow
 * set, and the observable totals and the histogram always hold the same series.
 */
export const MAX_COST_SERIES = 1000;
/** Provider, model and operation values of `record()` are truncated to this many characters. */
export const MAX_LABEL_LENGTH = 128;
/** Distinct `gen_ai.provider.name` values `record()` admits; further ones are `_OTHER`. */
export const MAX_PROVIDERS = 50;
/** Distinct `gen_ai.request.model` values `record()` admits; further ones are `_OTHER`. */
export const MAX_MODELS = 200;
/** Distinct `gen_ai.operation.name` values `record()` admits; further ones are `_OTHER`. */
export const MAX_OPERATIONS = 50;
/** The most one call may cost, in US dollars: a larger amount is a bug upstream, dropped. */
export const MAX_CALL_USD = 1e6;
/** The most of any usage quantity (tokens, images, seconds, characters) one call may report. */
export const MAX_CALL_TOKENS = 1e12;
const MAX_CALL_PICO = BigInt(MAX_CALL_USD) * 1_000_000_000_000n;
// The model as given, kept for price lookups and budget scopes: longer than any real name.
const MAX_PRICED_MODEL_LENGTH = 256;
// Past this many unpriced models, one line says more exist (each is counted, never logged).
const MAX_UNPRICED_WARNINGS = 10;
const MAX_WAITING = 10_000;
const OVERFLOW_SERIES: Attributes = Object.freeze({ [ATTR_GEN_AI_PROVIDER_NAME]: OTHER_VALUE });
const OVERFLOW_KEY = JSON.stringify(Object.entries(OVERFLOW_SERIES));

/** Options of a cost meter. */
export interface CostMeterOptions {
  /** Provider to record to; default: the global one, followed when it changes. */
  meterProvider?: MeterProvider;
  /** Your prices: they win over the defaults and the files for the same provider and model. */
  prices?: PriceEntry[];
  /** Price files or URLs (LiteLLM `model_prices_and_context_window.json` or mltel entries), loaded at start. */
  priceFiles?: string[];
  /**
   * The built-in catalog of major providers' prices (default true: loaded at the first lookup from
   * `@mltel/cost/default-prices`); false: none. Entries given here stand in for it, with its rank
   * (below price files and prices in code): an application bundled without its node_modules
   * imports `DEFAULT_PRICES` from `@mltel/cost/default-prices` and passes them, so the bundler
   * includes them.
   */
  defaultPrices?: boolean | readonly PriceEntry[];
  /** Named budgets. */
  budgets?: BudgetConfig[];
  /** Where budget spend is kept (default: this process's memory). */
  store?: BudgetStore;
  /** Called once per window per threshold crossed (with a shared store: in the process that crossed it). */
  onThreshold?: (event: ThresholdEvent) => void;
  /**
   * Observe the budget gauges (limit, spent, remaining) in this process (default true). Off in
   * the workers of a cluster that share a store and report to one endpoint: the primary reports
   * the shared total once, where each worker would add a copy of it.
   */
  budgetGauges?: boolean;
  /** The clock (UTC ms), for tests. */
  now?: () => number;
}

/** What a call was priced at. */
export interface PricedCall {
  readonly usd: number;
  readonly pico: Pico;
  readonly match: PriceMatch;
}

/** A cost recorded directly with {@link CostMeter.record}. */
export interface CostRecord {
  provider: string;
  model?: string;
  operation?: string;
  task?: string;
  /** The amount, in US dollars; or give `usage` to have it priced. */
  usd?: Usd;
  usage?: ProviderUsage;
}

interface Series {
  readonly attributes: Attributes;
  pico: Pico;
}

/** The cost meter's synchronous instruments (the totals and budget gauges are observed). */
interface CostInstruments {
  readonly request: Histogram;
  readonly unpriced: Counter;
  readonly exceeded: Counter;
  readonly refused: Counter;
}

/**
 * What every model call costs, and spend against budgets. Attached to a provider meter (the
 * shared default one, which the openai and Anthropic auto-instrumentations record to), it prices
 * each finished call from its reported usage; `ml.cost.usd` holds exact totals (observable,
 * summed in integer pico-dollars), `ml.cost.request.usd` the per-call distribution, and calls of
 * a model with no price count in `ml.cost.unpriced` with one warning per model: never a guess.
 */
export class CostMeter {
  /** The prices in use. */
  readonly catalog = new VersionedCatalog();
  /** The budgets in force. */
  readonly budgets: BudgetSet;
  /** Resolves when the price files are loaded (or reported as not loadable) and a budget file read. */
  readonly ready: Promise<void>;
  private readonly warnings = new WarnOnce();
  private readonly totals = new Map<string, Series>();
  // The series of each set of attribute values seen, found without building the JSON key of
  // `totals` (sorted entries, ~1 µs): bounded like the series themselves, plus the overflow.
  private readonly seriesOf = new Map<string, Series>();
  private overflowSeries: Series | undefined;
  private readonly costAttributesOf = new WeakMap<Attributes, Attributes>();
  private readonly seriesByAttributes = new WeakMap<Attributes, Series>();
  // The `ml.cost.unpriced` set of each prepared (frozen) cost set: what its cells sum by identity.
  private readonly unpricedOf = new WeakMap<Attributes, Attributes>();
  private readonly routes = new PriceRoutes(this.catalog);
  private readonly tasks: BoundedValues;
  private readonly providers: BoundedValues;
  private readonly models: BoundedValues;
  private readonly operations: BoundedValues;
  private readonly unpricedWarned = new Set<string>();
  private readonly store: BudgetStore;
  private readonly now: () => number;
  private readonly binding: ProviderBinding<CostInstruments>;
  private readonly detach: (() => void)[] = [];
  private loaded: boolean;
  private readonly waiting: (() => void)[] = [];
  // Aborts price files or URLs still loading at close(): an exit never waits for a price server.
  private readonly loading = new AbortController();
  private readonly pricesLoaded: Promise<void>;
  private readonly budgetGauges: boolean;

  constructor(config: CostMeterOptions = {}) {
    this.now = config.now ?? Date.now;
    this.budgetGauges = config.budgetGauges !== false;
    this.binding = new ProviderBinding(SCOPE_NAME, (meter, callbacks) => this.createInstruments(meter, callbacks), {
      meterProvider: config.meterProvider,
    });
    this.tasks = new BoundedValues(ATTR_ML_TASK_NAME, 100, MAX_LABEL_LENGTH, this.warnings);
    this.providers = new BoundedValues(ATTR_GEN_AI_PROVIDER_NAME, MAX_PROVIDERS, MAX_LABEL_LENGTH, this.warnings);
    this.models = new BoundedValues(ATTR_GEN_AI_REQUEST_MODEL, MAX_MODELS, MAX_LABEL_LENGTH, this.warnings);
    this.operations = new BoundedValues(ATTR_GEN_AI_OPERATION_NAME, MAX_OPERATIONS, MAX_LABEL_LENGTH, this.warnings);
    const defaults = config.defaultPrices;
    if (defaults !== false) this.catalog.addLater(Array.isArray(defaults) ? defaults : loadDefaultPrices, 'default');
    for (const problem of this.catalog.add(config.prices ?? [], 'user')) {
      diag.warn(`mltel: a price given in code is ignored: ${problem}.`);
    }
    this.store = config.store ?? new MemoryStore(this.now);
    this.budgets = new BudgetSet(config.budgets ?? [], {
      store: this.store,
      now: this.now,
      onThreshold: config.onThreshold,
      sink: {
        exceeded: (attributes) => this.binding.get().exceeded.add(1, attributes),
        refused: (attributes) => this.binding.get().refused.add(1, attributes),
      },
    });
    const files = config.priceFiles ?? [];
    this.loaded = files.length === 0;
    // Calls that end while the price files load wait for them (bounded), so they are priced
    // with the prices the user asked for, not with whatever was known first.
    this.pricesLoaded = this.loadFiles(files).then(() => {
      this.loaded = true;
      for (const priceLater of this.waiting.splice(0)) priceLater();
    });
    this.ready = Promise.all([this.pricesLoaded, this.budgets.loaded]).then(() => undefined);
    // The observable totals and budget gauges move to a global provider set later (@mltel/node,
    // or an SDK that does not announce itself) without waiting for a call.
    this.binding.follow();
  }

  /**
   * Prices and budgets the calls of `meter` (default: the shared provider meter). Returns the
   * function that detaches it.
   */
  attach(meter: ProviderMeter = defaultProviderMeter()): () => void {
    // Only hard-stop budgets decide anything before a call: without one, nothing is read or awaited.
    const remove = meter.addHooks({
      beforeCall: (call) => {
        if (this.budgets.hasHardStop) this.budgets.check(this.context(call.provider, call.model));
      },
      prepare: (call) =>
        this.budgets.hasHardStop ? this.budgets.prepare(this.context(call.provider, call.model)) : undefined,
      afterCall: (event) => this.onCall(event),
    });
    this.detach.push(remove);
    return remove;
  }

  /** The price of a call that used `usage`; undefined when the model has no price. */
  price(provider: string, model: string, usage: ProviderUsage | undefined, succeeded = true): PricedCall | undefined {
    const match = this.catalog.lookup(provider, model, this.now());
    if (match === undefined) return undefined;
    const { pico } = callCost(match.price, usage, succeeded);
    return { usd: picoToUsd(pico), pico, match };
  }

  /**
   * Records a cost directly: an amount in dollars, or usage to be priced. Never throws. Provider,
   * model and operation are truncated and capped (see {@link MAX_PROVIDERS}); an amount or a usage
   * quantity out of the plausible range ({@link MAX_CALL_USD}, {@link MAX_CALL_TOKENS}) is dropped.
   */
  record(cost: CostRecord): void {
    try {
      if (typeof cost !== 'object' || cost === null || typeof cost.provider !== 'string' || cost.provider === '') {
        this.warnings.warn('record:call', `record() needs { provider, usd or usage }, got ${describeValue(cost)}`);
        return;
      }
      const provider = this.providers.admit(cost.provider);
      if (provider === undefined) return;
      // The names as given (bounded in length) select prices and budgets; the admitted ones label series.
      const givenProvider = cost.provider.slice(0, MAX_LABEL_LENGTH);
      const rawModel = cost.model;
      const model =
        typeof rawModel === 'string' && rawModel !== '' ? rawModel.slice(0, MAX_PRICED_MODEL_LENGTH) : undefined;
      const attributes: Attributes = { [ATTR_GEN_AI_PROVIDER_NAME]: provider };
      if (model !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = this.models.admit(model);
      const operation = cost.operation;
      if (typeof operation === 'string' && operation !== '') {
        attributes[ATTR_GEN_AI_OPERATION_NAME] = this.operations.admit(operation);
      }
      const task = cost.task;
      const context = this.context(givenProvider, model, undefined, typeof task === 'string' ? task : undefined);
      const usd = cost.usd;
      if (usd !== undefined) {
        const amount = decimal(usd);
        if (amount === undefined) {
          this.warnings.warn(
            'record:usd',
            `usd must be a number of dollars >= 0, got ${describeValue(usd)}; it is dropped`,
          );
          return;
        }
        if (amount.gt(MAX_CALL_USD)) {
          this.implausible('usd', `a cost of more than $${MAX_CALL_USD} for one call`);
          return;
        }
        this.charge(attributes, context, toPico(amount));
        return;
      }
      this.priceAndCharge(givenProvider, model, undefined, attributes, context, cost.usage, true);
    } catch {
      this.warnings.warn('record:getter', 'a cost record threw while read; it is dropped');
    }
  }

  /** Stops what runs in the background and flushes the store. */
  async close(): Promise<void> {
    for (const remove of this.detach.splice(0)) remove();
    // Not dispose(): the totals and gauges stay on the provider for its final export, which
    // @mltel/node's shutdown runs after this.
    this.binding.unfollowGlobal();
    // Price files still loading are given up (one warning each); the calls that waited for them
    // are priced with the other prices, so their spend still reaches the budgets below.
    this.loading.abort();
    await this.pricesLoaded;
    // The spend of the last calls is written before the store is closed.
    await this.budgets.close();
    await this.store.close();
  }

  private onCall(event: ProviderCallEvent): void {
    const responseModel = event.usage?.responseModel;
    const context = this.context(event.provider, event.model, responseModel);
    this.priceAndCharge(
      event.provider,
      event.model,
      responseModel,
      this.costAttributes(event.attributes),
      context,
      event.usage,
      event.error === undefined,
    );
  }

  /**
   * The cost series' attributes of a call: provider, operation, request model. Kept per prepared
   * (frozen) call attribute set of the provider meter, so a call of a known series builds none
   * and finds its series by identity.
   */
  private costAttributes(call: Attributes): Attributes {
    const frozen = Object.isFrozen(call);
    if (frozen) {
      const kept = this.costAttributesOf.get(call);
      if (kept !== undefined) return kept;
    }
    const attributes: Attributes = {
      [ATTR_GEN_AI_PROVIDER_NAME]: call[ATTR_GEN_AI_PROVIDER_NAME],
      [ATTR_GEN_AI_OPERATION_NAME]: call[ATTR_GEN_AI_OPERATION_NAME],
    };
    const requestModel = call[ATTR_GEN_AI_REQUEST_MODEL];
    if (requestModel !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = requestModel;
    if (frozen) this.costAttributesOf.set(call, Object.freeze(attributes));
    return attributes;
  }

  private priceAndCharge(...args: Parameters<CostMeter['priceNow']>): void {
    if (this.loaded) {
      this.priceNow(...args);
      return;
    }
    if (this.waiting.length < MAX_WAITING) {
      this.waiting.push(() => this.priceNow(...args));
      return;
    }
    this.warnings.warn(
      'waiting',
      `more than ${MAX_WAITING} calls ended before the price files were loaded; later ones are priced at once`,
    );
    this.priceNow(...args);
  }

  private priceNow(
    provider: string,
    model: string | undefined,
    responseModel: string | undefined,
    attributes: Attributes,
    context: ChargeContext,
    usage: ProviderUsage | undefined,
    succeeded: boolean,
  ): void {
    if (!plausibleUsage(usage)) {
      this.implausible(
        'usage',
        `a usage quantity above ${MAX_CALL_TOKENS} (tokens, images, seconds or characters) in one call`,
      );
      return;
    }
    // The model that answered is the one billed; the requested one is the fallback.
    const match = this.routes.lookup(provider, model, responseModel, this.now());
    if (match === undefined) {
      if (!reportsUsage(usage)) return;
      this.binding.get().unpriced.add(1, this.unpricedAttributes(attributes));
      this.warnUnpriced(provider, responseModel ?? model ?? '(no model)');
      return;
    }
    const cost = callCost(match.price, usage, succeeded);
    for (const unit of cost.unpricedUnits) {
      this.warnings.warn(
        `unit:${provider}:${match.model}:${unit}`,
        `the price of ${provider}/${match.model} has no ${unit} rate: that part of its calls is not charged. Fix: add the rate to its price.`,
      );
    }
    if (cost.pico === 0n && !reportsUsage(usage)) return;
    if (cost.pico > MAX_CALL_PICO) {
      this.implausible('usd', `a cost of more than $${MAX_CALL_USD} for one call`);
      return;
    }
    this.charge(attributes, context, cost.pico);
  }

  /** Provider and request model of a cost set: kept per prepared (frozen) set, else a new object. */
  private unpricedAttributes(attributes: Attributes): Attributes {
    const frozen = Object.isFrozen(attributes);
    const kept = frozen ? this.unpricedOf.get(attributes) : undefined;
    if (kept !== undefined) return kept;
    const unpriced: Attributes = { [ATTR_GEN_AI_PROVIDER_NAME]: attributes[ATTR_GEN_AI_PROVIDER_NAME] };
    if (attributes[ATTR_GEN_AI_REQUEST_MODEL] !== undefined)
      unpriced[ATTR_GEN_AI_REQUEST_MODEL] = attributes[ATTR_GEN_AI_REQUEST_MODEL];
    if (frozen) this.unpricedOf.set(attributes, Object.freeze(unpriced));
    return unpriced;
  }

  // One line per kind of implausible value: it is a bug upstream, and one bad value must never
  // turn a total into +Inf for the life of the process.
  private implausible(kind: 'usd' | 'usage', what: string): void {
    this.warnings.warn(
      `implausible:${kind}`,
      `${what} is outside the plausible range (a call costs at most $${MAX_CALL_USD}, reports at most ` +
        `${MAX_CALL_TOKENS} of any unit); it is dropped, not counted. Fix: check the value passed to mltel`,
    );
  }

  // Named once per model, for the first few models: each is a price to add. Past those, one line
  // says more exist; every call is still counted in ml.cost.unpriced.
  private warnUnpriced(provider: string, name: string): void {
    const key = `${provider.slice(0, MAX_LABEL_LENGTH)}\u0000${name.slice(0, MAX_LABEL_LENGTH)}`;
    if (this.unpricedWarned.has(key)) return;
    if (this.unpricedWarned.size >= MAX_UNPRICED_WARNINGS) {
      this.warnings.warn(
        'unpriced:more',
        `more than ${MAX_UNPRICED_WARNINGS} models have no price; their calls count in ml.cost.unpriced ` +
          '(by gen_ai.request.model), not in ml.cost.usd. Fix: add their prices (MLTEL_PRICES)',
      );
      return;
    }
    this.unpricedWarned.add(key);
    diag.warn(
      `mltel: no price for model ${JSON.stringify(name.slice(0, MAX_LABEL_LENGTH))} at ${provider.slice(0, MAX_LABEL_LENGTH)}: its calls count in ml.cost.unpriced, not in ml.cost.usd. ` +
        'Fix: add its price (the prices option, or a price file in MLTEL_PRICES).',
    );
  }

  // Spend always reaches the budgets, whatever the series count: past MAX_COST_SERIES a call's
  // series is the overflow one, which is never refused (it is created outside the cap).
  private charge(attributes: Attributes, context: ChargeContext, pico: Pico): void {
    const task = context.task === undefined ? undefined : this.tasks.admit(context.task);
    const total = this.series(attributes, task);
    total.pico += pico;
    this.binding.get().request.record(picoToUsd(pico), total.attributes);
    this.budgets.charge(context, pico);
  }

  /** The series of these attributes and task: its total and the attribute set it records with. */
  private series(attributes: Attributes, task: string | undefined): Series {
    // A kept (frozen) set without a task: its series by identity.
    const byIdentity = task === undefined && Object.isFrozen(attributes);
    if (byIdentity) {
      const known = this.seriesByAttributes.get(attributes);
      if (known !== undefined) return known;
    }
    const found = this.seriesByKey(attributes, task);
    if (byIdentity) this.seriesByAttributes.set(attributes, found);
    return found;
  }

  private seriesByKey(attributes: Attributes, task: string | undefined): Series {
    const provider = attributes[ATTR_GEN_AI_PROVIDER_NAME];
    const model = attributes[ATTR_GEN_AI_REQUEST_MODEL];
    const operation = attributes[ATTR_GEN_AI_OPERATION_NAME];
    // Values are strings (admitted) or absent (\u0001). A value holding \u0000 could share a key
    // with another set: the hit is checked against the series' own attributes.
    const key = `${provider}\u0000${model ?? '\u0001'}\u0000${operation ?? '\u0001'}\u0000${task ?? '\u0001'}`;
    const known = this.seriesOf.get(key);
    if (known !== undefined && (known === this.overflowSeries || sameSeries(known.attributes, attributes, task))) {
      return known;
    }
    const found = this.findSeries(attributes, task);
    if (this.seriesOf.size < 2 * MAX_COST_SERIES) this.seriesOf.set(key, found);
    return found;
  }

  private findSeries(attributes: Attributes, task: string | undefined): Series {
    const series = task === undefined ? attributes : { ...attributes, [ATTR_ML_TASK_NAME]: task };
    const key = JSON.stringify(Object.entries(series).sort());
    let total = this.totals.get(key);
    if (total !== undefined) return total;
    if (this.totals.size >= MAX_COST_SERIES) {
      this.warnings.warn(
        'series',
        `more than ${MAX_COST_SERIES} cost series (provider x model x operation x task); further ones are recorded as ` +
          `${ATTR_GEN_AI_PROVIDER_NAME}="${OTHER_VALUE}" (budgets count them as usual)`,
      );
      total = this.totals.get(OVERFLOW_KEY);
      if (total === undefined) {
        total = { attributes: OVERFLOW_SERIES, pico: 0n };
        this.totals.set(OVERFLOW_KEY, total);
      }
      this.overflowSeries = total;
      return total;
    }
    total = { attributes: Object.freeze(series), pico: 0n };
    this.totals.set(key, total);
    return total;
  }

  private context(provider: string, model: string | undefined, responseModel?: string, task?: string): ChargeContext {
    const scope = currentCostScope();
    return { provider, model, responseModel, task: task ?? scope?.task, tenant: scope?.tenant };
  }

  private async loadFiles(locations: readonly string[]): Promise<void> {
    for (const location of locations) {
      try {
        const problems = this.catalog.add(await loadPrices(location, { signal: this.loading.signal }), 'file');
        if (problems.length > 0) {
          diag.warn(
            `mltel: ${problems.length} entries of the price file ${displayLocation(location)} are ignored, the first: ${problems[0]}.`,
          );
        }
      } catch (error) {
        diag.warn(
          `mltel: ${error instanceof Error ? error.message : String(error)}. Calls are priced with the other prices ` +
            `(built-in and in code). Fix: check MLTEL_PRICES (or priceFiles): each entry a regular JSON file of at most ` +
            `${MAX_PRICE_FILE_BYTES / (1024 * 1024)} MiB, or an http(s) URL that answers within ${PRICE_URL_TIMEOUT_MS / 1000} s.`,
        );
      }
    }
  }

  private observeTotals = (result: ObservableResult): void => {
    for (const series of this.totals.values()) result.observe(picoToUsd(series.pico), series.attributes);
  };

  private createInstruments(meter: Meter, callbacks: CallbackRegistry): CostInstruments {
    const total = meter.createObservableCounter(ML_COST_USD.name, instrumentOptions(ML_COST_USD));
    callbacks.observe(total, this.observeTotals);
    const limit = meter.createObservableGauge(ML_BUDGET_LIMIT_USD.name, instrumentOptions(ML_BUDGET_LIMIT_USD));
    const spent = meter.createObservableGauge(ML_BUDGET_SPENT_USD.name, instrumentOptions(ML_BUDGET_SPENT_USD));
    const remaining = meter.createObservableGauge(
      ML_BUDGET_REMAINING_USD.name,
      instrumentOptions(ML_BUDGET_REMAINING_USD),
    );
    callbacks.observeBatch(
      (result) => {
        if (!this.budgetGauges) return;
        this.budgets.observe(
          { observe: (value, attributes) => result.observe(limit, value, attributes) },
          { observe: (value, attributes) => result.observe(spent, value, attributes) },
          { observe: (value, attributes) => result.observe(remaining, value, attributes) },
        );
      },
      [limit, spent, remaining],
    );
    const exceeded = meter.createCounter(ML_BUDGET_EXCEEDED.name, instrumentOptions(ML_BUDGET_EXCEEDED));
    const refused = meter.createCounter(ML_BUDGET_REFUSED.name, instrumentOptions(ML_BUDGET_REFUSED));
    // The budgets are a closed set: their counters exist at 0 from the first export, so the
    // first crossing is an increase that increase()/rate() see (a series born at 1 is not).
    for (const attributes of this.budgets.series) {
      exceeded.add(0, attributes);
      refused.add(0, attributes);
    }
    // Buffered in kit's cells, handed to the SDK at each collection from the totals' callback.
    const cells = new MeterCells(callbacks, total);
    return {
      request: cells.histogram(meter.createHistogram(ML_COST_REQUEST_USD.name, instrumentOptions(ML_COST_REQUEST_USD))),
      unpriced: cells.counter(meter.createCounter(ML_COST_UNPRICED.name, instrumentOptions(ML_COST_UNPRICED))),
      exceeded,
      refused,
    };
  }
}

/** Whether `series` (a cost series' attributes) is the one of `attributes` and `task`. */
function sameSeries(series: Attributes, attributes: Attributes, task: string | undefined): boolean {
  return (
    series[ATTR_GEN_AI_PROVIDER_NAME] === attributes[ATTR_GEN_AI_PROVIDER_NAME] &&
    series[ATTR_GEN_AI_REQUEST_MODEL] === attributes[ATTR_GEN_AI_REQUEST_MODEL] &&
    series[ATTR_GEN_AI_OPERATION_NAME] === attributes[ATTR_GEN_AI_OPERATION_NAME] &&
    series[ATTR_ML_TASK_NAME] === task
  );
}

function plausibleUsage(usage: ProviderUsage | undefined): boolean {
  if (usage === undefined || usage === null || typeof usage !== 'object') return true;
  for (const value of [
    usage.inputTokens,
    usage.outputTokens,
    usage.cacheReadInputTokens,
    usage.cacheCreationInputTokens,
    usage.reasoningTokens,
    usage.images,
    usage.audioSeconds,
    usage.videoSeconds,
    usage.characters,
  ]) {
    if (typeof value === 'number' && value > MAX_CALL_TOKENS) return false;
  }
  return true;
}
