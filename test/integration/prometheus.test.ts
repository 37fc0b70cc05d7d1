import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, parseSummary, query, ROOT, spawnWorker, tempDir, startPrometheus, until } from './helpers.js';
import type { Child, WorkerSummary } from './helpers.js';

// A real Prometheus 2.53 (Debian trixie build) scrapes the example worker started with
// `node --import @mltel/node/register`, using the shipped collector/prometheus/prometheus.yml.
describe('a real Prometheus scraping a preloaded worker', () => {
  const dir = tempDir('mltel-prom-');
  let worker: Child;
  let prometheus: Child;
  let api: string;
  let summary: WorkerSummary;
  let workerPort: number;

  beforeAll(async () => {
    workerPort = await freePort();
    worker = spawnWorker({
      WORKER_TASKS: '40',
      WORKER_INTERVAL_MS: '5',
      WORKER_SEED: '7',
      WORKER_LINGER_MS: '120000',
      OTEL_SERVICE_NAME: 'task-worker-under-test',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(workerPort),
    });
    summary = parseSummary(await worker.waitForLine(/^task-worker: done /));

    // The shipped config, unchanged, beside a targets file pointing at the child.
    copyFileSync(join(ROOT, 'collector/prometheus/prometheus.yml'), join(dir.path, 'prometheus.yml'));
    mkdirSync(join(dir.path, 'targets'));
    writeFileSync(
      join(dir.path, 'targets/worker.json'),
      JSON.stringify([
        {
          targets: [`127.0.0.1:${workerPort}`],
          labels: { service: 'task-worker', __scrape_interval__: '1s', __scrape_timeout__: '1s' },
        },
      ]),
    );
    ({ api, child: prometheus } = await startPrometheus(dir.path));
  });

  afterAll(async () => {
    await prometheus?.stop();
    await worker?.stop();
    dir.remove();
  });

  it('ran a mix of outcomes (the seed gives successes, errors and timeouts)', () => {
    expect(summary.tasks).toBe(40);
    expect(summary.success).toBeGreaterThan(0);
    expect(summary.error + summary.timeout).toBeGreaterThan(0);
  });

  it('counts every task the child ran, by status', async () => {
    const success = await until(
      () => query(api, 'sum(ml_tasks_total{ml_task_status="success"})'),
      (r) => r.length === 1 && Number(r[0]!.value[1]) === summary.success,
    );
    expect(Number(success[0]!.value[1])).toBe(summary.success);
    const byStatus = await query(api, 'sum by (ml_task_status) (ml_tasks_total)');
    const counts = Object.fromEntries(byStatus.map((s) => [s.metric.ml_task_status, Number(s.value[1])]));
    // Every status of a known task exists from its first task on, at 0 until it happens, so
    // increase() and rate() see the first one.
    expect(counts).toEqual({
      success: summary.success,
      error: summary.error,
      timeout: summary.timeout,
      retry: 0,
      cancelled: 0,
    });
  });

  it('has durations, errors, queue wait and queue depth under their OTel-compatible names', async () => {
    const durations = await query(api, 'sum(ml_task_duration_seconds_count)');
    expect(Number(durations[0]!.value[1])).toBe(summary.tasks);
    const errors = await query(api, 'sum(ml_task_errors_total)');
    expect(Number(errors[0]!.value[1])).toBe(summary.error + summary.timeout);
    const timeouts = await query(api, 'sum(ml_task_errors_total{error_type="TimeoutError"})');
    expect(timeouts.length === 0 ? 0 : Number(timeouts[0]!.value[1])).toBe(summary.timeout);
    const waits = await query(api, 'sum(ml_task_queue_duration_seconds_count{ml_queue_name="jobs"})');
    expect(Number(waits[0]!.value[1])).toBe(summary.tasks);
    const depth = await query(api, 'ml_queue_size{ml_queue_name="jobs"}');
    expect(depth.map((s) => Number(s.value[1]))).toEqual([0]);
    const active = await query(api, 'sum(ml_tasks_active)');
    expect(Number(active[0]!.value[1])).toBe(0);
    const buckets = await query(
      api,
      'count(ml_task_duration_seconds_bucket{ml_task_name="summarize",ml_task_status="success"})',
    );
    expect(Number(buckets[0]!.value[1])).toBe(17); // 16 seconds-scale boundaries + Inf
  });

  it('shows the worker identity on target_info and host metrics beside it', async () => {
    const info = await query(api, 'target_info');
    expect(info).toHaveLength(1);
    expect(info[0]!.metric).toMatchObject({
      job: 'mltel',
      instance: `127.0.0.1:${workerPort}`,
      service_name: 'task-worker-under-test',
      process_runtime_name: 'nodejs',
    });
    expect(info[0]!.metric.service_instance_id).toMatch(/^[0-9a-f-]{36}$/);
    const cpu = await query(api, 'count(process_cpu_time_seconds_total)');
    expect(Number(cpu[0]!.value[1])).toBeGreaterThan(0);
    const up = await query(api, 'up{job="mltel"}');
    expect(up.map((s) => s.value[1])).toEqual(['1']);
  });

  it('lets the worker exit promptly on SIGTERM', async () => {
    const { code, signal } = await worker.stop();
    expect(signal === 'SIGTERM' || code === 0).toBe(true);
    expect(worker.stderr()).toBe('');
  });
});
