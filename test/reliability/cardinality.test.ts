import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT } from '../integration/helpers.js';
import type { App } from './otlp-receiver.js';
import { runApp } from './otlp-receiver.js';

// Finding 6 of issue 13 (tasks, genai, pipeline, quality; cost has its own test): 1M distinct
// values through every attribute a caller controls, in a real process under the preload. The
// series of each metric stay under the documented caps (task names 100, worker types 20, queue
// names 50, error types 50, providers/operations/servers 50, models 200, server ports 20,
// pipeline stages 20 custom, models 20, model versions 50, classes 100), the scrape stays small,
// and the heap stays bounded. Before: `server.port` and `ml.model.version` were uncapped (2,000
// series each, the SDK's limit, 14 MB scrapes).

const dist = (pkg: string): string => pathToFileURL(join(ROOT, `packages/${pkg}/dist/index.js`)).href;
const N = 1_000_000;

const APP = `
const tasks = await import(process.env.APP_TASKS);
const genai = await import(process.env.APP_GENAI);
const pipeline = await import(process.env.APP_PIPELINE);
const quality = await import(process.env.APP_QUALITY);
const taskMeter = tasks.createTaskMeter();
const providerMeter = genai.createProviderMeter();
const pipelineMeter = pipeline.createPipelineMeter({ pipelineName: 'card', workerPool: { type: 'cpu', size: 8 } });
const monitor = quality.createModelMonitor({ modelName: 'card' });
const n = Number(process.env.APP_N);
const started = Date.now();
for (let i = 0; i < n; i++) {
  const v = 'v' + i;
  taskMeter.record({ name: 'task-' + v, workerType: 'w-' + v, status: 'error', errorType: 'E' + v, durationSeconds: 0.1 });
  taskMeter.recordQueueWait('task-' + v, 'queue-' + v, 0.1);
  providerMeter.record({
    provider: 'p-' + v, operation: 'o-' + v, model: 'm-' + v, serverAddress: 'h-' + v, serverPort: (i % 65535) + 1,
    durationSeconds: 0.1, error: { code: 'E_' + i }, usage: { responseModel: 'r-' + v, inputTokens: 1 },
  });
  pipelineMeter.recordInference({ model: 'm-' + v, modelVersion: v, error: { code: 'E_' + i }, workerId: i % 8, seconds: 0.1 });
  pipelineMeter.recordStage('stage-' + v, 0.1, { workerId: i % 8 });
  pipelineMeter.recordBatch({ model: 'm-' + v, size: 4, realTokens: 10, workerId: i % 8 });
  monitor.recordPrediction({ predictedClass: 'class-' + v, confidence: 0.5, id: v });
}
globalThis.gc?.();
const heapMB = process.memoryUsage().heapUsed / 1e6;
console.log('app: ready ' + JSON.stringify({ heapMB, seconds: (Date.now() - started) / 1000 }));
setTimeout(() => {}, 120_000);
`;

/** Series of each metric family: histogram series counted once (by their `_count` sample). */
function seriesByFamily(text: string): Map<string, number> {
  const families = new Map<string, number>();
  for (const sample of parseExposition(text)) {
    if (sample.name.endsWith('_bucket') || sample.name.endsWith('_sum')) continue;
    const family = sample.name.replace(/_count$/, '');
    families.set(family, (families.get(family) ?? 0) + 1);
  }
  return families;
}

describe('1M distinct values through every caller-controlled attribute (issue 13, finding 6)', () => {
  let app: App;
  let port: number;
  let ready: { heapMB: number; seconds: number };

  beforeAll(async () => {
    port = await freePort();
    app = runApp(APP, {
      APP_TASKS: dist('tasks'),
      APP_GENAI: dist('genai'),
      APP_PIPELINE: dist('pipeline'),
      APP_QUALITY: dist('quality'),
      APP_N: String(N),
      NODE_OPTIONS: '--expose-gc',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      OTEL_LOG_LEVEL: 'error',
    });
    const line = await app.child.waitForLine(/^app: ready /, 110_000);
    ready = JSON.parse(line.slice('app: ready '.length)) as typeof ready;
  }, 120_000);

  afterAll(async () => {
    await app?.child.stop();
    app?.remove();
  });

  it('series per metric under the caps, a small scrape, a bounded heap', async () => {
    const text = await getText(`http://127.0.0.1:${port}/metrics`);
    const series = seriesByFamily(text);
    const report = [...series].filter(([name]) => name.startsWith('ml_') || name.startsWith('gen_ai_'));
    console.log(
      `1M distinct values: heap ${ready.heapMB.toFixed(1)} MB after gc, ${ready.seconds} s, scrape ${(text.length / 1e6).toFixed(2)} MB\n` +
        report.map(([name, count]) => `${name}: ${count}`).join('\n'),
    );
    // The SDK's own limit is 2,000 series per metric: every family stays far under it.
    for (const [name, count] of report) expect(count, name).toBeLessThan(1_000);
    expect(series.get('gen_ai_client_operation_duration_seconds') ?? 0).toBeGreaterThan(0);
    expect(text.length).toBeLessThan(2_000_000);
    expect(ready.heapMB).toBeLessThan(200);
  });
});
