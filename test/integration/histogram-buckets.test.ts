import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, parseSummary, query, spawnWorker, startPrometheus, tempDir, until } from './helpers.js';
import type { Child, WorkerSummary } from './helpers.js';

// The SDK extension points set from variables under the preload, read by a real Prometheus:
// MLTEL_HISTOGRAM_BUCKETS (the seeds' 0.075/0.75/7.5 s and a 0.6 s SLO boundary) and
// OTEL_NODE_RESOURCE_DETECTORS, with telemetry.sdk.* in target_info.
describe('MLTEL_HISTOGRAM_BUCKETS and OTEL_NODE_RESOURCE_DETECTORS scraped by a real Prometheus', () => {
  const dir = tempDir('mltel-buckets-');
  let worker: Child;
  let prometheus: Child;
  let api: string;
  let summary: WorkerSummary;

  beforeAll(async () => {
    const port = await freePort();
    worker = spawnWorker({
      WORKER_TASKS: '30',
      WORKER_INTERVAL_MS: '5',
      WORKER_SEED: '7',
      WORKER_LINGER_MS: '120000',
      OTEL_SERVICE_NAME: 'buckets-under-test',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      MLTEL_HISTOGRAM_BUCKETS: 'ml.task.duration=0.075,0.6,0.75,7.5',
      OTEL_NODE_RESOURCE_DETECTORS: 'os,serviceinstance',
      MLTEL_GPU: 'false',
    });
    summary = parseSummary(await worker.waitForLine(/^task-worker: done /));
    writeFileSync(
      join(dir.path, 'prometheus.yml'),
      `global: { scrape_interval: 1s, scrape_timeout: 1s }\nscrape_configs:\n  - job_name: mltel\n    file_sd_configs: [{ files: ["targets/*.json"], refresh_interval: 1s }]\n`,
    );
    mkdirSync(join(dir.path, 'targets'));
    writeFileSync(join(dir.path, 'targets/worker.json'), JSON.stringify([{ targets: [`127.0.0.1:${port}`] }]));
    ({ api, child: prometheus } = await startPrometheus(dir.path));
  });

  afterAll(async () => {
    await prometheus?.stop();
    await worker?.stop();
    dir.remove();
  });

  it('ml_task_duration_seconds has exactly the configured buckets, +Inf holding every task', async () => {
    const buckets = await until(
      () => query(api, 'sum by (le) (ml_task_duration_seconds_bucket)'),
      (r) => r.some((s) => s.metric.le === '+Inf' && Number(s.value[1]) === summary.tasks),
    );
    expect(buckets.map((s) => s.metric.le).sort()).toEqual(['+Inf', '0.075', '0.6', '0.75', '7.5']);
    // The SLO ratio is exact at a boundary: tasks under 0.6 s over all tasks, between 0 and 1.
    const ratio = await query(
      api,
      'sum(ml_task_duration_seconds_bucket{le="0.6"}) / sum(ml_task_duration_seconds_count)',
    );
    expect(Number(ratio[0]!.value[1])).toBeGreaterThan(0);
    expect(Number(ratio[0]!.value[1])).toBeLessThanOrEqual(1);
  });

  it('target_info: telemetry.sdk.*, the os detector, and no host detector', async () => {
    const info = await until(
      () => query(api, 'target_info'),
      (r) => r.length === 1,
    );
    const labels = info[0]!.metric;
    expect(labels).toMatchObject({
      service_name: 'buckets-under-test',
      telemetry_sdk_name: 'opentelemetry',
      telemetry_sdk_language: 'nodejs',
      telemetry_distro_name: '@mltel/node',
      os_type: 'linux',
    });
    expect(labels.telemetry_sdk_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(labels.service_instance_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(labels.host_name).toBeUndefined();
    expect(labels.process_pid).toBeUndefined();
  });
});
