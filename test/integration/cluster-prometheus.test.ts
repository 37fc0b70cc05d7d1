import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, query, ROOT, spawnChild, tempDir, until, startPrometheus } from './helpers.js';
import type { Child } from './helpers.js';

// A real cluster of 4 workers (test/fixtures/cluster-app, a simulated cross-encoder) under
// `node --import @mltel/node/register`, loaded over 127.0.0.1 and scraped every second by the
// real Prometheus. Only the primary serves /metrics; it merges the workers at scrape time.
const APP_DIR = join(ROOT, 'test/fixtures/cluster-app');
const METRIC = 'ml_pipeline_duration_seconds_count';
// The fake nvidia-smi (replaying the real L40S capture) first on PATH: the GPU plugin must run in
// the primary only, not once per worker.
const FAKE_NVIDIA_SMI_DIR = join(ROOT, 'test/fixtures/fake-nvidia-smi');
const L40S_CAPTURE = join(ROOT, 'packages/nvidia-smi-parser/test/fixtures/capture-multi-l40s-driver595.txt');

/** One POST-less GET /rerank on a fresh connection: true for a 200. */
function rerank(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/rerank', agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode === 200));
      res.once('error', () => resolve(false));
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * A bounded request loop: `count` requests, `concurrency` at a time, stopping early at the
 * deadline. `onDone` sees the number finished so far. Resolves with sent and 200 counts.
 */
async function load(port: number, count: number, concurrency: number, onDone?: (finished: number) => void) {
  const deadline = Date.now() + 60_000;
  let next = 0;
  let ok = 0;
  let finished = 0;
  const lane = async (): Promise<void> => {
    while (next < count && Date.now() < deadline) {
      next++;
      if (await rerank(port)) ok++;
      onDone?.(++finished);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return { sent: next, ok };
}

async function total(api: string, promql = `sum(${METRIC})`): Promise<number> {
  const result = await query(api, promql);
  return result.length === 0 ? Number.NaN : Number(result[0]!.value[1]);
}

describe('a cluster of 4 workers behind one Prometheus endpoint', () => {
  const dir = tempDir('mltel-cluster-');
  let app: Child;
  let prometheus: Child;
  let api: string;
  let appPort: number;
  let completed = 0;

  beforeAll(async () => {
    appPort = await freePort();
    const metricsPort = await freePort();
    app = spawnChild(process.execPath, ['--import', '@mltel/node/register', 'app.mjs'], {
      cwd: APP_DIR,
      env: {
        OTEL_LOG_LEVEL: 'warn',
        OTEL_SERVICE_NAME: 'cluster-app',
        APP_PORT: String(appPort),
        CLUSTER_WORKERS: '4',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
        MLTEL_MULTIPROCESS_PUSH_INTERVAL: '300',
        PATH: `${FAKE_NVIDIA_SMI_DIR}:${process.env.PATH ?? ''}`,
        FAKE_NVIDIA_SMI_CAPTURE: L40S_CAPTURE,
        FAKE_NVIDIA_SMI_LOG: join(dir.path, 'nvidia-smi.log'),
      },
    });
    await app.waitForLine(/^cluster-app: ready/);
    writeFileSync(
      join(dir.path, 'prometheus.yml'),
      [
        'global:',
        // 2 s, not 1 s: a scrape of four workers on a loaded 2-core machine can take over 1 s.
        '  scrape_interval: 2s',
        '  scrape_timeout: 2s',
        'scrape_configs:',
        '  - job_name: cluster-app',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${metricsPort}']`,
        '',
      ].join('\n'),
    );
    ({ api, child: prometheus } = await startPrometheus(dir.path));
    await until(
      () => total(api, 'up'),
      (v) => v === 1,
      30_000,
    );
  });

  afterAll(async () => {
    await prometheus?.stop();
    await app?.stop();
    dir.remove();
  });

  it('sums the workers: sum(ml_pipeline_duration_seconds_count) equals the requests sent', async () => {
    const { sent, ok } = await load(appPort, 200, 8);
    expect(sent).toBe(200);
    expect(ok).toBe(200);
    completed += ok;
    expect(
      await until(
        () => total(api),
        (v) => v === completed,
        30_000,
      ),
    ).toBe(200);
    // Gauges are kept per worker (one ml.queue.size series per worker slot), never summed.
    const queues = await query(api, 'ml_queue_size{ml_queue_name="model"}');
    expect(queues.map((s) => s.metric.ml_cluster_worker).sort()).toEqual(['0', '1', '2', '3']);
    // Every worker served a share: four ml.worker.id series.
    expect((await query(api, `${METRIC} > 0`)).length).toBe(4);
    expect(app.stderr()).not.toMatch(/EADDRINUSE/);
  });

  it('reads the GPUs once per host: nvidia-smi runs in the primary only, one series per GPU', async () => {
    const power = await until(
      () => query(api, 'hw_power_watts'),
      (r) => r.length > 0,
      30_000,
    );
    expect(power.map((s) => [s.metric.hw_model, s.metric.ml_cluster_worker, Number(s.value[1])])).toEqual([
      ['NVIDIA L40S', undefined, 110.23],
    ]);
    const starts = readFileSync(join(dir.path, 'nvidia-smi.log'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { event: string; ppid?: number; overlap: boolean })
      .filter((e) => e.event === 'start');
    expect(starts.length).toBeGreaterThan(0);
    expect(new Set(starts.map((s) => s.ppid))).toEqual(new Set([app.process.pid]));
    expect(starts.some((s) => s.overlap)).toBe(false);
  });

  it('a worker killed mid-run and replaced: the total equals the requests completed, with no counter reset', async () => {
    const start = completed;
    const runStartedAt = Date.now();
    let killed = false;
    const { ok } = await load(appPort, 400, 8, (finished) => {
      if (finished === 100 && !killed) {
        killed = true;
        app.process.kill('SIGUSR2'); // the primary gracefully kills worker slot 0 and forks a new one
      }
    });
    await app.waitForLine(/^cluster-app: replaced 0/);
    completed += ok;
    expect(ok).toBeGreaterThan(300);
    expect(
      await until(
        () => total(api),
        (v) => v === completed,
        30_000,
      ),
    ).toBe(completed);
    // A scrape that went backwards would show up as a reset: there must be none.
    expect(await total(api, `sum(resets(${METRIC}[10m]))`)).toBe(0);
    // The increase over the run (now minus just before it started; increase() itself extrapolates
    // to the window's edges, so the exact form is the difference) is exactly the 200s counted.
    const at = (runStartedAt / 1000).toFixed(3);
    expect(await total(api, `sum(${METRIC}) - sum(${METRIC} @ ${at})`)).toBe(ok);
    expect(start).toBe(200);
  });

  it('a worker SIGKILLed after its last push loses nothing: the retired counts stay in the total', async () => {
    const { ok } = await load(appPort, 100, 8);
    completed += ok;
    await new Promise((r) => setTimeout(r, 1_000)); // > MLTEL_MULTIPROCESS_PUSH_INTERVAL
    const line = app
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('cluster-app: worker 2 '))
      .at(-1)!;
    process.kill(Number(line.split(' ')[3]), 'SIGKILL');
    await app.waitForLine(/^cluster-app: replaced 2/);
    await new Promise((r) => setTimeout(r, 2_500)); // scrapes after the kill
    expect(
      await until(
        () => total(api),
        (v) => v === completed,
        30_000,
      ),
    ).toBe(completed);
    expect(await total(api, `sum(resets(${METRIC}[10m]))`)).toBe(0);
  });
});
