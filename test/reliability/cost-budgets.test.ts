// Issue 13, findings 2 and 11 through the real preload: a hard-stop budget from MLTEL_BUDGETS
// holds past the cost meter's series cap, and the budget counters are on the first scrape at 0.
// Before the fix (200 models x 15 tasks at $0.0002 a call against $0.50): 3000 calls went
// through ($0.60), the budget stopped counting at $0.40, 0 refused, 5-13 ms a call once past
// 2,000 series; and the first scrape had no ml_budget_* counter series.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild, tempDir } from '../integration/helpers.js';
import type { Child, ScrapedSample } from '../integration/helpers.js';

const MODELS = 200;
const TASKS = 15;
const PRICE = '0.0002';
const LIMIT_USD = 0.5;

// Waits for the `go` file, makes MODELS x TASKS calls (each a new series), prints `done {...}`,
// then waits for the `end` file so the test can scrape the final state. Every wait is bounded.
const APP = `
import { existsSync } from 'node:fs';
import { defaultProviderMeter } from '@mltel/genai';
import { withCostScope } from '@mltel/cost';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function waitFor(path) {
  for (let i = 0; i < 1500 && !existsSync(path); i++) await sleep(20);
}
const meter = defaultProviderMeter();
console.log('app: ready');
await waitFor(process.env.GO_FILE);
let completed = 0;
let refused = 0;
const other = [];
const started = performance.now();
for (let t = 0; t < ${TASKS}; t++) {
  for (let m = 0; m < ${MODELS}; m++) {
    await withCostScope({ task: 't' + t }, async () => {
      try {
        await meter.track({ provider: 'acme', operation: 'chat', model: 'm' + m }, async () => ({}));
        completed++;
      } catch (error) {
        if (error?.name === 'BudgetExceededError') refused++;
        else other.push(String(error));
      }
    });
  }
}
const ms = performance.now() - started;
console.log('app: done ' + JSON.stringify({ completed, refused, other: other.slice(0, 3), ms }));
await waitFor(process.env.END_FILE);
console.log('app: last line');
`;

interface Done {
  completed: number;
  refused: number;
  other: string[];
  ms: number;
}

describe('a hard-stop budget under the preload, past the series cap', () => {
  let tmp: ReturnType<typeof tempDir>;
  let child: Child;
  let port: number;
  beforeAll(async () => {
    tmp = tempDir('mltel-cost-budgets-');
    const prices = Array.from({ length: MODELS }, (_, m) => ({ provider: 'acme', model: `m${m}`, request: PRICE }));
    writeFileSync(join(tmp.path, 'prices.json'), JSON.stringify(prices));
    port = await freePort();
    child = spawnChild(process.execPath, ['--import', '@mltel/node/register', '--input-type=module', '-e', APP], {
      cwd: ROOT,
      env: {
        OTEL_LOG_LEVEL: 'warn',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        MLTEL_PRICES: join(tmp.path, 'prices.json'),
        MLTEL_BUDGETS: JSON.stringify([{ name: 'cap', limitUsd: LIMIT_USD, window: 'day', hardStop: true }]),
        GO_FILE: join(tmp.path, 'go'),
        END_FILE: join(tmp.path, 'end'),
      },
    });
    await child.waitForLine(/^app: ready/, 30_000);
  });
  afterAll(async () => {
    await child?.stop();
    tmp?.remove();
  });

  async function scrape(): Promise<ScrapedSample[]> {
    return parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
  }
  const sum = (samples: ScrapedSample[], name: string): number =>
    samples.filter((s) => s.name === name).reduce((total, s) => total + s.value, 0);

  it('the first scrape already shows the budget counters at 0 (finding 11)', async () => {
    const samples = await scrape();
    for (const name of ['ml_budget_exceeded_total', 'ml_budget_refused_total']) {
      expect(
        samples
          .filter((s) => s.name === name)
          .map((s) => [s.labels.ml_budget_name, s.labels.ml_budget_window, s.value]),
        name,
      ).toEqual([['cap', 'day', 0]]);
    }
  });

  it('200 models x 15 tasks: refusals once the limit is spent, spend at most the limit plus one call, fast', async () => {
    writeFileSync(join(tmp.path, 'go'), '');
    const line = await child.waitForLine(/^app: done /, 60_000);
    const done = JSON.parse(line.slice(line.indexOf('{'))) as Done;
    expect(done.other).toEqual([]);
    expect(done.refused).toBeGreaterThan(0);
    expect(done.completed + done.refused).toBe(MODELS * TASKS);
    // Generous "did not crawl": 3000 calls took about 0.5 s after the fix, 16+ s before.
    expect(done.ms).toBeLessThan(5000);
    const samples = await scrape();
    const spent = sum(samples, 'ml_cost_usd_total');
    expect(spent).toBeLessThanOrEqual(LIMIT_USD + Number(PRICE) + 1e-9);
    expect(spent).toBeGreaterThanOrEqual(LIMIT_USD - 1e-9);
    expect(sum(samples, 'ml_budget_refused_total')).toBe(done.refused);
    expect(sum(samples, 'ml_budget_exceeded_total')).toBe(1);
    expect(samples.find((s) => s.name === 'ml_budget_spent_usd')?.value).toBeCloseTo(spent, 9);
    // The series past the cap are one _OTHER series; the SDK's own overflow set never appears.
    const series = samples.filter((s) => s.name === 'ml_cost_usd_total');
    expect(series.filter((s) => s.labels.gen_ai_provider_name === '_OTHER')).toHaveLength(1);
    expect(samples.some((s) => s.labels.otel_metric_overflow !== undefined)).toBe(false);
    writeFileSync(join(tmp.path, 'end'), '');
    await child.waitForLine(/^app: last line/, 30_000);
    expect(existsSync(join(tmp.path, 'end'))).toBe(true);
  });
});
