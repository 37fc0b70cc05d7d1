// Issue 13, finding 10: multi-process budget accounting. A real cluster (a primary and two
// workers, all under `node --import @mltel/node/register`) sharing one budget through a real
// redis-server, scraped on the primary's merged endpoint. One owner per budget series: a
// crossing counts once in ml_budget_exceeded_total (in the process whose increment crossed it),
// and the budget gauges come from the primary alone (it re-reads the shared total). Before the
// fix: one crossing counted 3, each gauge was exported 3 times (primary and per worker), and a
// Redis that was up was reported as "could not connect" at start.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  getText,
  parseExposition,
  ROOT,
  spawnChild,
  startRedis,
  tempDir,
  until,
} from '../integration/helpers.js';
import type { Child, RedisServer, ScrapedSample } from '../integration/helpers.js';

const WORKERS = 2;
const CALLS_PER_WORKER = 10;
/** $0.01 a call: 20 calls are $0.20, the $0.10 budget is crossed once, by one increment. */
const PRICE = '0.01';
const LIMIT_USD = 0.1;

// The primary forks the workers and waits for the end file; each worker makes its calls one at a
// time (its spend reaches Redis), prints `worker done`, and waits to be stopped. Bounded waits.
const APP = `
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
const genai = await import(${JSON.stringify(join(ROOT, 'packages/genai/dist/index.js'))});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
if (cluster.isPrimary) {
  let done = 0;
  for (let i = 0; i < ${WORKERS}; i++) {
    cluster.fork().on('message', (message) => {
      if (message === 'done' && ++done === ${WORKERS}) console.log('app: workers done');
    });
  }
  for (let i = 0; i < 3000 && !existsSync(process.env.END_FILE); i++) await sleep(20);
  for (const worker of Object.values(cluster.workers ?? {})) worker.kill('SIGTERM');
  console.log('app: last line');
} else {
  const meter = genai.defaultProviderMeter();
  for (let i = 0; i < ${CALLS_PER_WORKER}; i++) {
    await meter.track({ provider: 'acme', operation: 'chat', model: 'm' }, async () => {
      await sleep(5);
      return {};
    });
  }
  await sleep(300);
  process.send('done');
  setTimeout(() => {}, 60_000);
}
`;

describe('a cluster sharing a Redis budget', () => {
  let redis: RedisServer;
  let tmp: ReturnType<typeof tempDir>;
  let app: Child;
  let port: number;
  beforeAll(async () => {
    redis = await startRedis();
    tmp = tempDir('mltel-cost-cluster-');
    writeFileSync(join(tmp.path, 'app.mjs'), APP);
    writeFileSync(join(tmp.path, 'prices.json'), JSON.stringify([{ provider: 'acme', model: 'm', request: PRICE }]));
    port = await freePort();
    app = spawnChild(process.execPath, ['--import', '@mltel/node/register', join(tmp.path, 'app.mjs')], {
      cwd: ROOT,
      env: {
        OTEL_LOG_LEVEL: 'warn',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        MLTEL_PRICES: join(tmp.path, 'prices.json'),
        MLTEL_BUDGETS: JSON.stringify([{ name: 'shared', limitUsd: LIMIT_USD, window: 'day' }]),
        MLTEL_BUDGET_STORE: redis.url,
        END_FILE: join(tmp.path, 'end'),
      },
    });
    await app.waitForLine(/^app: workers done/, 60_000);
  });
  afterAll(async () => {
    if (tmp !== undefined) writeFileSync(join(tmp.path, 'end'), '');
    await app?.stop();
    await redis?.stop();
    tmp?.remove();
  });

  const scrape = async (): Promise<ScrapedSample[]> =>
    parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
  const named = (samples: ScrapedSample[], name: string): ScrapedSample[] => samples.filter((s) => s.name === name);
  const sum = (samples: ScrapedSample[], name: string): number =>
    named(samples, name).reduce((total, s) => total + s.value, 0);

  it('one crossing counts once, each budget gauge is one series with the shared total', async () => {
    const spend = WORKERS * CALLS_PER_WORKER * Number(PRICE);
    // Bounded: the workers' snapshots reach the primary, and the primary re-reads Redis (1 s).
    const samples = await until(
      scrape,
      (s) =>
        Math.abs(sum(s, 'ml_cost_usd_total') - spend) < 1e-9 &&
        Math.abs((named(s, 'ml_budget_spent_usd')[0]?.value ?? 0) - spend) < 1e-9,
      20_000,
    ).catch(async () => scrape());
    const report = `\n${named(samples, 'ml_budget_exceeded_total')
      .concat(named(samples, 'ml_budget_spent_usd'))
      .map((s) => JSON.stringify(s))
      .join('\n')}\nstderr:\n${app.stderr()}`;
    expect(sum(samples, 'ml_cost_usd_total'), report).toBeCloseTo(spend, 9);
    expect(await redis.cli('GET', (await redis.cli('--scan', '--pattern', 'mltel:budget:shared:*')).trim())).toBe(
      String(BigInt(Math.round(spend * 100)) * 10_000_000_000n),
    );
    expect(sum(samples, 'ml_budget_exceeded_total'), report).toBe(1);
    for (const gauge of ['ml_budget_limit_usd', 'ml_budget_spent_usd', 'ml_budget_remaining_usd']) {
      expect(named(samples, gauge), `${gauge}${report}`).toHaveLength(1);
      expect(named(samples, gauge)[0]?.labels, report).toMatchObject({
        ml_budget_name: 'shared',
        ml_budget_window: 'day',
      });
    }
    expect(named(samples, 'ml_budget_spent_usd')[0]?.value, report).toBeCloseTo(spend, 9);
    expect(named(samples, 'ml_budget_remaining_usd')[0]?.value, report).toBe(0);
    expect(named(samples, 'ml_budget_limit_usd')[0]?.value, report).toBe(LIMIT_USD);
  });

  it('a Redis that is up is never reported as unreachable', () => {
    expect(
      app
        .stderr()
        .split('\n')
        .filter((l) => /could not connect|budget store .* failed/.test(l)),
    ).toEqual([]);
  });
});
