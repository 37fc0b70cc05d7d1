import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild } from './helpers.js';
import type { Child, ScrapedSample } from './helpers.js';

// test/fixtures/cluster-app/threads.mjs under `node --import @mltel/node/register`: the preload
// runs in the main thread and in both worker threads; only the main thread serves /metrics.
// Timelines start on the main thread, gain stages in a worker thread, and end on the main thread.
const APP_DIR = join(ROOT, 'test/fixtures/cluster-app');
const JOBS = 40;

describe('worker_threads behind one endpoint', () => {
  let app: Child;
  let samples: ScrapedSample[];

  beforeAll(async () => {
    const metricsPort = await freePort();
    app = spawnChild(process.execPath, ['--import', '@mltel/node/register', 'threads.mjs'], {
      cwd: APP_DIR,
      env: {
        OTEL_LOG_LEVEL: 'warn',
        THREAD_JOBS: String(JOBS),
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
        MLTEL_HOST_METRICS: 'false',
        MLTEL_MULTIPROCESS_PUSH_INTERVAL: '0', // no periodic pushes: answers and goodbyes only
      },
    });
    await app.waitForLine(/^threads-app: done /);
    samples = parseExposition(await getText(`http://127.0.0.1:${metricsPort}/metrics`));
  });

  afterAll(async () => {
    await app?.stop();
  });

  const value = (name: string, labels: Record<string, string> = {}): number[] =>
    samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .map((s) => s.value);

  it('stage timings recorded across the thread boundary land in one histogram', () => {
    expect(value('ml_pipeline_duration_seconds_count')).toEqual([JOBS]);
    for (const stage of ['tokenize', 'ipc_receive', 'inference', 'deserialize']) {
      // One series per stage: the main thread recorded each timeline once, whatever thread added the stage.
      expect(value('ml_pipeline_stage_duration_seconds_count', { ml_pipeline_stage: stage })).toEqual([JOBS]);
    }
  });

  it('metrics recorded inside worker threads are summed in the main thread endpoint, an exited thread included', () => {
    expect(value('ml_inference_duration_seconds_count', { ml_model_name: 'tiny' })).toEqual([JOBS]);
    // The gauge of the live thread is labelled with its slot; the exited thread's gauge is gone.
    expect(samples.filter((s) => s.name === 'ml_queue_size').map((s) => Object.keys(s.labels).sort())).toEqual([
      ['ml_queue_name', 'ml_thread_worker'],
    ]);
  });

  it('opened no port in the threads', () => {
    expect(app.stderr()).not.toMatch(/EADDRINUSE|cannot serve Prometheus/);
  });
});
