// Bounds of the cost meter against hostile or merely many label values (issue 13, findings 2,
// 6 and 8): spend always reaches budgets whatever the series count, provider and model labels
// are truncated and capped, and absurd amounts are dropped instead of poisoning the totals.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { diag } from '@opentelemetry/api';
import { OTHER_VALUE } from '@mltel/semconv';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  captureDiag,
  COST,
  EXCEEDED,
  OPERATION,
  PROVIDER,
  REFUSED,
  REQUEST_COST,
  REQUEST_MODEL,
  settle,
  setup,
  TASK,
} from '../test/harness.js';
import { BudgetExceededError } from './budgets/errors.js';
import {
  MAX_CALL_TOKENS,
  MAX_CALL_USD,
  MAX_COST_SERIES,
  MAX_LABEL_LENGTH,
  MAX_MODELS,
  MAX_PROVIDERS,
} from './cost-meter.js';
import { withCostScope } from './scope.js';

// A full collection before each heap reading: growth is then what the meter keeps, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  diag.disable();
});

describe('past the series cap (finding 2)', () => {
  it('200 models x 15 tasks: every cent reaches the hard-stop budget, the calls stay fast, extra series go to _OTHER', async () => {
    const { cost, meter, collect } = setup({
      defaultPrices: false,
      prices: Array.from({ length: 200 }, (_, m) => ({ provider: 'acme', model: `m${m}`, request: '0.0002' })),
      budgets: [{ name: 'cap', limitUsd: 0.5, window: 'day', hardStop: true }],
    });
    let completed = 0;
    let refused = 0;
    const started = performance.now();
    for (let t = 0; t < 15; t++) {
      for (let m = 0; m < 200; m++) {
        await withCostScope({ task: `t${t}` }, async () => {
          try {
            await meter.track({ provider: 'acme', operation: 'chat', model: `m${m}` }, async () => ({}));
            completed++;
          } catch (error) {
            if (!(error instanceof BudgetExceededError)) throw error;
            refused++;
          }
        });
      }
    }
    const perCallMs = (performance.now() - started) / 3000;
    // $0.50 at $0.0002 a call: the 2500th call reaches the limit, the 500 after it are refused.
    // Before the fix: the spend stopped at $0.40 (2000 series), 3000 calls went through, 0 refused.
    expect(cost.budgets.spentUsd('cap')).toBe(0.5);
    expect(completed).toBe(2500);
    expect(refused).toBe(500);
    // Generous: 5-13 ms a call before the fix (a stack overflow per call), about 0.1 ms after.
    expect(perCallMs).toBeLessThan(3);
    const c = await collect();
    const points = c.points(COST);
    expect(points.length).toBe(MAX_COST_SERIES + 1);
    const other = points.find((p) => p.attributes[PROVIDER] === OTHER_VALUE);
    expect(other?.attributes).toEqual({ [PROVIDER]: OTHER_VALUE });
    expect(points.reduce((sum, p) => sum + p.value, 0)).toBeCloseTo(0.5, 9);
    // The histogram holds the same series: never the SDK's own overflow set.
    const histograms = c.histograms(REQUEST_COST);
    expect(histograms.length).toBe(MAX_COST_SERIES + 1);
    expect(histograms.some((h) => 'otel.metric.overflow' in h.attributes)).toBe(false);
    expect(c.points(EXCEEDED).map((p) => p.value)).toEqual([1]);
    expect(c.points(REFUSED).map((p) => p.value)).toEqual([500]);
    expect(log.warnings.filter((w) => w.includes('cost series'))).toHaveLength(1);
  });

  it('record() past the cap counts in _OTHER and in the budgets', async () => {
    const { cost, collect } = setup({ budgets: [{ name: 'all', limitUsd: 1000, window: 'day' }] });
    for (let i = 0; i < MAX_COST_SERIES + 500; i++) {
      withCostScope({ task: `t${i % 100}` }, () =>
        cost.record({ provider: 'acme', model: `m${Math.floor(i / 100)}`, operation: 'chat', usd: '0.01' }),
      );
    }
    const points = (await collect()).points(COST);
    expect(points.length).toBe(MAX_COST_SERIES + 1);
    expect(points.reduce((sum, p) => sum + p.value, 0)).toBeCloseTo((MAX_COST_SERIES + 500) * 0.01, 6);
    expect(cost.budgets.spentUsd('all')).toBe((MAX_COST_SERIES + 500) / 100);
  });
});

describe('provider and model labels of record() (finding 6)', () => {
  it('a 10 MB model name is truncated to 128 characters', async () => {
    const { cost, collect } = setup();
    const huge = 'x'.repeat(10 * 1024 * 1024);
    cost.record({ provider: huge, model: huge, operation: huge, usd: 1 });
    const [point] = (await collect()).points(COST);
    expect(point?.attributes).toEqual({
      [PROVIDER]: 'x'.repeat(MAX_LABEL_LENGTH),
      [REQUEST_MODEL]: 'x'.repeat(MAX_LABEL_LENGTH),
      [OPERATION]: 'x'.repeat(MAX_LABEL_LENGTH),
    });
    expect(point?.value).toBe(1);
    expect(log.warnings.every((w) => w.length < 1000)).toBe(true);
  });

  it('1M distinct model names and providers: series, heap and warnings bounded', async () => {
    const { cost, collect } = setup({ budgets: [{ name: 'all', limitUsd: 1e6, window: 'day' }] });
    // One warm-up pass so the heap figure below does not count code and caches that load once.
    cost.record({ provider: 'warm', model: 'warm', usd: '0.001' });
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const N = 1_000_000;
    for (let i = 0; i < N; i++) {
      // Unpriced usage too: ml.cost.unpriced and its warnings get the same bound.
      if (i % 2 === 0) cost.record({ provider: `p${i % 1000}`, model: `model-${i}-${'y'.repeat(200)}`, usd: '0.001' });
      else cost.record({ provider: 'openai', model: `unknown-${i}`, usage: { inputTokens: 1 } });
    }
    // The budget store's writes of a synchronous burst settle first.
    await settle();
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    const c = await collect();
    const points = c.points(COST);
    expect(points.length).toBeLessThanOrEqual(MAX_COST_SERIES + 1);
    const models = new Set(points.map((p) => p.attributes[REQUEST_MODEL]));
    expect(models.size).toBeLessThanOrEqual(MAX_MODELS + 2);
    expect(new Set(points.map((p) => p.attributes[PROVIDER])).size).toBeLessThanOrEqual(MAX_PROVIDERS + 1);
    expect([...models].every((m) => m === undefined || String(m).length <= MAX_LABEL_LENGTH)).toBe(true);
    expect(c.points('ml.cost.unpriced').length).toBeLessThanOrEqual(MAX_MODELS + 1);
    expect(points.reduce((sum, p) => sum + p.value, 0)).toBeCloseTo(0.001 + (N / 2) * 0.001, 6);
    // The meter keeps bounded state: a few MB at most, whatever the count of distinct names.
    expect(heapGrowth).toBeLessThan(64 * 1024 * 1024);
    expect(log.warnings.length).toBeLessThan(20);
  }, 120_000);
});

describe('absurd amounts (finding 8)', () => {
  it("usd: '1e400', 1e308 tokens: dropped with one warning each, the total stays finite", async () => {
    const { cost, meter, collect } = setup({ budgets: [{ name: 'all', limitUsd: 100, window: 'day' }] });
    cost.record({ provider: 'openai', usd: 1 });
    for (let i = 0; i < 3; i++) {
      cost.record({ provider: 'openai', usd: '1e400' });
      cost.record({ provider: 'openai', usd: 1e300 });
      cost.record({ provider: 'openai', usd: MAX_CALL_USD * 2 });
      cost.record({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1e308 } });
      meter.record({
        provider: 'openai',
        operation: 'chat',
        model: 'gpt-4o',
        durationSeconds: 1,
        usage: { outputTokens: MAX_CALL_TOKENS + 1 },
      });
    }
    cost.record({ provider: 'openai', usd: MAX_CALL_USD });
    const c = await collect();
    const total = c.points(COST).reduce((sum, p) => sum + p.value, 0);
    expect(total).toBe(1 + MAX_CALL_USD);
    expect(Number.isFinite(c.histograms(REQUEST_COST).reduce((sum, h) => sum + h.sum, 0))).toBe(true);
    expect(cost.budgets.spentUsd('all')).toBe(1 + MAX_CALL_USD);
    const implausible = log.warnings.filter((w) => w.includes('plausible'));
    expect(implausible).toHaveLength(2);
    expect(implausible.join('\n')).toContain(String(MAX_CALL_USD));
  });

  it('keeps the task attribute in its series', async () => {
    const { cost, collect } = setup();
    withCostScope({ task: 'summarize' }, () => cost.record({ provider: 'openai', usd: 2 }));
    expect((await collect()).points(COST)).toEqual([
      { attributes: { [PROVIDER]: 'openai', [TASK]: 'summarize' }, value: 2 },
    ]);
  });
});
