// Shared harness of the @mltel/cost unit tests: a real MeterProvider with a manual reader,
// collection helpers, a diag logger that captures warnings, a fake clock and temp directories.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProviderMeter } from '@mltel/genai';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_ML_BUDGET_NAME,
  ATTR_ML_BUDGET_WINDOW,
  ATTR_ML_TASK_NAME,
} from '@mltel/semconv';
import { sdkHarness } from '@mltel/test-kit';
import { CostMeter } from '../src/cost-meter.js';
import type { CostMeterOptions } from '../src/cost-meter.js';

/** Sort key order: provider, operation, model, task, budget name and window, then the rest. */
const ORDER = [
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_ML_TASK_NAME,
  ATTR_ML_BUDGET_NAME,
  ATTR_ML_BUDGET_WINDOW,
];

export type { HistogramPoint, SumPoint } from '@mltel/test-kit';
export const { TestReader, Collection, attributeKey, collect, captureDiag, sdkProvider } = sdkHarness(ORDER);
export type TestReader = InstanceType<typeof TestReader>;
export type Collection = InstanceType<typeof Collection>;

/** A clock the tests move by hand (UTC ms). */
export class FakeClock {
  constructor(public t: number) {}
  readonly now = (): number => this.t;
  set(iso: string): void {
    this.t = Date.parse(iso);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * A cost meter on a real SDK provider, with a fake clock (default 2025-06-15T12:00:00Z) and a
 * provider meter on the same SDK provider that the cost meter is attached to.
 */
export function setup(options: Omit<CostMeterOptions, 'meterProvider'> = {}, start = '2025-06-15T12:00:00.000Z') {
  const sdk = sdkProvider();
  const clock = new FakeClock(Date.parse(start));
  const cost = new CostMeter({ now: clock.now, ...options, meterProvider: sdk.provider });
  const meter = createProviderMeter({ meterProvider: sdk.provider });
  cost.attach(meter);
  return { ...sdk, clock, cost, meter };
}

/** A fresh temporary directory and the function that removes it. */
export function tempDir(prefix = 'mltel-cost-'): {
  dir: string;
  remove: () => void;
  removeSub: (path: string) => void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
    removeSub: (path: string) => {
      if (!path.startsWith(`${dir}/`)) throw new Error(`${path} is not under ${dir}`);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** The LiteLLM price-map excerpt (see test/fixtures/litellm/SOURCES.md). */
export const LITELLM_FIXTURE = join(HERE, 'fixtures', 'litellm', 'model_prices_subset.json');

export const PROVIDER = ATTR_GEN_AI_PROVIDER_NAME;
export const OPERATION = ATTR_GEN_AI_OPERATION_NAME;
export const REQUEST_MODEL = ATTR_GEN_AI_REQUEST_MODEL;
export const TASK = ATTR_ML_TASK_NAME;
export const BUDGET_NAME = ATTR_ML_BUDGET_NAME;
export const BUDGET_WINDOW = ATTR_ML_BUDGET_WINDOW;

export const COST = 'ml.cost.usd';
export const REQUEST_COST = 'ml.cost.request.usd';
export const UNPRICED = 'ml.cost.unpriced';
export const LIMIT = 'ml.budget.limit.usd';
export const SPENT = 'ml.budget.spent.usd';
export const REMAINING = 'ml.budget.remaining.usd';
export const EXCEEDED = 'ml.budget.exceeded';
export const REFUSED = 'ml.budget.refused';

/** The attributes of a budget's series. */
export function budgetAttrs(name: string, window: string) {
  return { [BUDGET_NAME]: name, [BUDGET_WINDOW]: window };
}

/** Lets pending promise callbacks (store writes) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
