import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { diag, metrics } from '@opentelemetry/api';
import { DEFAULT_PRICES_DATE, MAX_CATALOG_AGE_DAYS } from '@mltel/cost';
import type { CostMeter } from '@mltel/cost';
import { createProviderMeter } from '@mltel/genai';
import { ML_BUDGET_LIMIT_USD, ML_COST_USD } from '@mltel/semconv';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { captureDiag, sdkProvider, settle, tempDir } from '../test/harness.js';
import { resolveConfig } from './config/env.js';
import { loadBudgets, MAX_BUDGETS_FILE_BYTES, reportsToHub, startCost } from './cost.js';

const CHAT = { provider: 'openai', operation: 'chat', model: 'gpt-4o' } as const;
const CHAT_ATTRS = {
  'gen_ai.provider.name': 'openai',
  'gen_ai.operation.name': 'chat',
  'gen_ai.request.model': 'gpt-4o',
};
const HOURLY = [{ name: 'hourly', limitUsd: '2.5', window: 'hour' }];

let log: ReturnType<typeof captureDiag>;
let tmp: ReturnType<typeof tempDir>;
let sdk: ReturnType<typeof sdkProvider>;
const meters: CostMeter[] = [];
beforeEach(() => {
  log = captureDiag();
  tmp = tempDir('mltel-node-cost-');
  sdk = sdkProvider();
  // startCost records on the global provider, as under the preload.
  metrics.setGlobalMeterProvider(sdk.provider);
});
afterEach(async () => {
  for (const meter of meters.splice(0)) await meter.close();
  metrics.disable();
  diag.disable();
  tmp.remove();
  expect(log.errors).toEqual([]);
});

/** The cost meter `env` configures, on a provider meter of the test provider. */
function start(env: Record<string, string>) {
  const providerMeter = createProviderMeter({ meterProvider: sdk.provider });
  const t0 = performance.now();
  const { config, problems } = resolveConfig({ env });
  const cost = startCost(config, providerMeter);
  const elapsedMs = performance.now() - t0;
  if (cost !== undefined) meters.push(cost);
  return { config, problems, providerMeter, cost, elapsedMs };
}

async function budgetLimits() {
  return (await sdk.collect()).points(ML_BUDGET_LIMIT_USD.name);
}

describe('startCost', () => {
  it('MLTEL_COST=false starts nothing', () => {
    expect(start({ MLTEL_COST: 'false' }).cost).toBeUndefined();
  });

  it('warns once when the built-in price catalog is past its documented age, unless MLTEL_PRICES is set', () => {
    const stale = (message: string) => message.includes('the built-in price catalog is from');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date(`${DEFAULT_PRICES_DATE}T00:00:00Z`));
      start({});
      expect(log.warnings.filter(stale)).toEqual([]);
      vi.setSystemTime(Date.parse(`${DEFAULT_PRICES_DATE}T00:00:00Z`) + (MAX_CATALOG_AGE_DAYS + 1) * 86_400_000);
      start({ MLTEL_PRICES: join(tmp.dir, 'absent.json') });
      expect(log.warnings.filter(stale)).toEqual([]);
      start({});
      expect(log.warnings.filter(stale)).toHaveLength(1);
      expect(log.warnings.find(stale)).toContain('MLTEL_PRICES');
    } finally {
      vi.useRealTimers();
    }
  });

  it('prices the calls of the provider meter it is attached to, on the global provider', async () => {
    const { providerMeter, cost } = start({});
    await cost!.ready;
    providerMeter.record({ ...CHAT, durationSeconds: 1, usage: { inputTokens: 1000, outputTokens: 500 } });
    // 1000 × $0.0000025 + 500 × $0.00001.
    expect((await sdk.collect()).points(ML_COST_USD.name)).toEqual([{ attributes: CHAT_ATTRS, value: 0.0075 }]);
    expect(await budgetLimits()).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  it('keeps inline budgets and logs a crossed threshold by default', async () => {
    const { providerMeter, cost } = start({
      MLTEL_BUDGETS: JSON.stringify([{ name: 'daily', limitUsd: 0.005, window: 'day', thresholds: [1] }]),
    });
    await cost!.ready;
    expect(await budgetLimits()).toEqual([
      { attributes: { 'ml.budget.name': 'daily', 'ml.budget.window': 'day' }, value: 0.005 },
    ]);
    providerMeter.record({ ...CHAT, durationSeconds: 1, usage: { inputTokens: 1000, outputTokens: 500 } });
    await settle();
    expect(log.warnings).toEqual([
      expect.stringMatching(
        /^mltel: budget "daily" is exceeded: \$0\.0075 of \$0\.005 in this day window \(since \d{4}-\d\d-\d\dT00:00:00\.000Z\)\.$/,
      ),
    ]);
  });

  it('a budget store file that cannot be used: one warning with the fix, spend kept in memory', async () => {
    const { cost } = start({ MLTEL_BUDGETS: JSON.stringify(HOURLY), MLTEL_BUDGET_STORE: `file:${tmp.dir}` });
    expect(cost).toBeDefined();
    await cost!.ready;
    expect(log.warnings).toEqual([expect.stringContaining(`mltel: the budget file ${tmp.dir} cannot be used (`)]);
    expect(log.warnings[0]).toContain('Fix: point MLTEL_BUDGET_STORE=file:... at a writable path.');
    expect(await budgetLimits()).toHaveLength(1);
  });
});

describe('budgets from a file (MLTEL_BUDGETS=/path)', () => {
  it('are read when the cost meter starts, not when the configuration resolves', async () => {
    const file = join(tmp.dir, 'budgets.json');
    writeFileSync(file, '[{"name":"hourly","limitUsd":"2.5","window":"hour"}]');
    const { config, problems, cost } = start({ MLTEL_BUDGETS: file });
    expect(problems).toEqual([]);
    expect(loadBudgets(config)).toEqual([{ name: 'hourly', limitUsd: '2.5', window: 'hour' }]);
    await cost!.ready;
    expect(await budgetLimits()).toEqual([
      { attributes: { 'ml.budget.name': 'hourly', 'ml.budget.window': 'hour' }, value: 2.5 },
    ]);
    expect(log.warnings).toEqual([]);
  });

  it('a file of exactly 1 MiB is read', () => {
    const file = join(tmp.dir, 'budgets.json');
    const text = JSON.stringify(HOURLY);
    writeFileSync(file, text + ' '.repeat(MAX_BUDGETS_FILE_BYTES - text.length));
    const { config } = resolveConfig({ env: { MLTEL_BUDGETS: file } });
    expect(MAX_BUDGETS_FILE_BYTES).toBe(1024 * 1024);
    expect(loadBudgets(config)).toEqual(HOURLY);
    expect(log.warnings).toEqual([]);
  });

  it('a missing file: one warning naming the variable, the file and the fix; no budgets', async () => {
    const { problems, cost } = start({ MLTEL_BUDGETS: '/no/such/budgets.json' });
    expect(problems).toEqual([]);
    await cost!.ready;
    expect(await budgetLimits()).toEqual([]);
    expect(log.warnings).toEqual([
      'mltel: MLTEL_BUDGETS names the file /no/such/budgets.json, which cannot be read (ENOENT); no budgets are kept. ' +
        'Fix: point it at a regular JSON file of at most 1 MiB with an array of budgets, or give the array itself.',
    ]);
  });

  it('a file that is not a JSON array: one warning with the fix; no budgets', async () => {
    const file = join(tmp.dir, 'budgets.json');
    writeFileSync(file, '{"name":"hourly"}');
    const { cost } = start({ MLTEL_BUDGETS: file });
    await cost!.ready;
    expect(await budgetLimits()).toEqual([]);
    expect(log.warnings).toEqual([
      expect.stringMatching(/^mltel: MLTEL_BUDGETS is not a JSON array of budgets \(not an array\); .* Fix: /),
    ]);
  });
});

describe('a budgets file that is not a small regular file is refused, never blocking start-up', () => {
  /** Starts the cost meter on `path`; expects one refusal naming `why`, no budgets, and no wait. */
  async function expectRefused(path: string, why: string) {
    const { problems, cost, elapsedMs } = start({ MLTEL_BUDGETS: path });
    expect(elapsedMs).toBeLessThan(1000);
    expect(problems).toEqual([]);
    expect(cost).toBeDefined();
    await cost!.ready;
    expect(await budgetLimits()).toEqual([]);
    expect(log.warnings).toEqual([
      `mltel: MLTEL_BUDGETS names the file ${path}, which cannot be read (${why}); no budgets are kept. ` +
        'Fix: point it at a regular JSON file of at most 1 MiB with an array of budgets, or give the array itself.',
    ]);
  }

  it('a FIFO: refused at once, without opening it', async () => {
    const fifo = join(tmp.dir, 'budgets.fifo');
    const made = spawnSync('mkfifo', [fifo], { timeout: 5000 });
    expect(made.status).toBe(0);
    // A bound for code that would open the FIFO and wait for a writer: this one writes after 3 s.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `setTimeout(() => require('fs').writeFileSync(${JSON.stringify(fifo)}, ${JSON.stringify(JSON.stringify(HOURLY))}), 3000)`,
      ],
      { stdio: 'ignore' },
    );
    try {
      await expectRefused(fifo, 'not a regular file: a FIFO');
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('/dev/zero: refused, not read without end', async () => {
    await expectRefused('/dev/zero', 'not a regular file: a character device');
  });

  it('a directory: refused', async () => {
    const dir = join(tmp.dir, 'budgets.d');
    mkdirSync(dir);
    await expectRefused(dir, 'not a regular file: a directory');
  });

  it('a file over 1 MiB: refused', async () => {
    const file = join(tmp.dir, 'budgets.json');
    const text = JSON.stringify(HOURLY);
    writeFileSync(file, text + ' '.repeat(2 * 1024 * 1024 - text.length));
    await expectRefused(file, 'larger than 1 MiB: 2097152 bytes');
  });
});

describe('one owner per budget gauge in a multi-process service (finding 10)', () => {
  it('the serving process reports budget gauges; a worker that reports to the hub does not', async () => {
    const config = { exporters: ['prometheus'], multiprocess: true } as const;
    expect(reportsToHub({ ...config, exporters: [...config.exporters] })).toBe(false);
    // A worker thread (the built module, as the preload loads it in each thread).
    const inThread = await new Promise<unknown>((resolve, reject) => {
      const worker = new Worker(
        `import(${JSON.stringify(new URL('../dist/cost.js', import.meta.url).href)}).then((m) => require('node:worker_threads').parentPort.postMessage([
          m.reportsToHub({ exporters: ['prometheus'], multiprocess: true }),
          m.reportsToHub({ exporters: ['prometheus'], multiprocess: false }),
          m.reportsToHub({ exporters: ['otlp'], multiprocess: true }),
        ]))`,
        { eval: true },
      );
      worker.once('message', resolve);
      worker.once('error', reject);
      setTimeout(() => reject(new Error('no answer from the worker thread')), 10_000).unref();
    });
    expect(inThread).toEqual([true, false, false]);
  });

  it('with a shared store in such a worker, the budget gauges are not observed; counters still are', async () => {
    const { CostMeter } = await import('@mltel/cost');
    const meter = new CostMeter({
      meterProvider: sdk.provider,
      budgets: [{ name: 'b', limitUsd: 1, window: 'day' }],
      budgetGauges: false,
    });
    meters.push(meter);
    const c = await sdk.collect();
    expect(c.points(ML_BUDGET_LIMIT_USD.name)).toEqual([]);
    expect(c.points('ml.budget.exceeded').map((p) => p.value)).toEqual([0]);
  });
});
