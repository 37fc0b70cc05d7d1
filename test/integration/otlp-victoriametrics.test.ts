import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  getText,
  parseExposition,
  parseSummary,
  serverBin,
  spawnChild,
  spawnWorker,
  tempDir,
  until,
} from './helpers.js';
import type { Child, ScrapedSample, WorkerSummary } from './helpers.js';

interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
}

// The same child, pushing OTLP/protobuf to a real VictoriaMetrics 1.112 (Debian trixie build,
// -opentelemetry.usePrometheusNaming) while also serving /metrics: every series must carry the
// same name and the same data-point labels on both paths.
describe('OTLP push to a real VictoriaMetrics equals the scrape', () => {
  const dir = tempDir('mltel-vm-');
  let vm: Child;
  let worker: Child;
  let vmBase: string;
  let workerPort: number;
  let summary: WorkerSummary;

  beforeAll(async () => {
    const vmPort = await freePort();
    vmBase = `http://127.0.0.1:${vmPort}`;
    vm = spawnChild(
      serverBin('victoria-metrics'),
      [
        `-httpListenAddr=127.0.0.1:${vmPort}`,
        `-storageDataPath=${join(dir.path, 'data')}`,
        '-opentelemetry.usePrometheusNaming',
        '-search.latencyOffset=0s',
        '-loggerLevel=ERROR',
      ],
      { cwd: dir.path },
    );
    await until(
      () => getText(`${vmBase}/health`),
      (t) => t.trim() === 'OK',
      30_000,
    );

    workerPort = await freePort();
    worker = spawnWorker({
      WORKER_TASKS: '30',
      WORKER_INTERVAL_MS: '5',
      WORKER_SEED: '11',
      WORKER_LINGER_MS: '120000',
      OTEL_SERVICE_NAME: 'task-worker-otlp',
      OTEL_METRICS_EXPORTER: 'prometheus,otlp',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(workerPort),
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${vmBase}/opentelemetry/v1/metrics`,
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      // Host metrics change between the push and the scrape; their names are compared, the
      // task metrics' values too.
    });
    summary = parseSummary(await worker.waitForLine(/^task-worker: done /));
  });

  afterAll(async () => {
    await worker?.stop();
    await vm?.stop();
    dir.remove();
  });

  async function exported(): Promise<ExportedSeries[]> {
    const text = await getText(`${vmBase}/api/v1/export?match[]=${encodeURIComponent('{__name__!=""}')}`);
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as ExportedSeries);
  }

  function key(name: string, labels: Record<string, string>): string {
    return `${name}{${Object.keys(labels)
      .sort()
      .map((k) => `${k}=${JSON.stringify(labels[k])}`)
      .join(',')}}`;
  }

  it('stores every scraped series under the same name and data-point labels', async () => {
    // Wait until VictoriaMetrics holds the final task totals (pushed after the work ended).
    await until(
      () => getText(`${vmBase}/api/v1/query?query=${encodeURIComponent('sum(ml_tasks_total)')}`),
      (t) => (JSON.parse(t).data.result[0]?.value[1] ?? '0') === String(summary.tasks),
    );
    const scraped = parseExposition(await getText(`http://127.0.0.1:${workerPort}/metrics`));
    const targetInfo = scraped.find((s) => s.name === 'target_info');
    expect(targetInfo?.labels.service_name).toBe('task-worker-otlp');
    const resourceLabels = new Set(Object.keys(targetInfo!.labels));

    const series = await exported();
    // On the OTLP path resource attributes arrive as labels on every series: strip exactly those.
    const pushed = new Map<string, ExportedSeries>();
    for (const s of series) {
      const { __name__: name, ...labels } = s.metric;
      expect(labels.service_name, name).toBe('task-worker-otlp');
      for (const l of resourceLabels) delete labels[l];
      pushed.set(key(name!, labels), s);
    }
    const scrapedSeries = scraped.filter((s: ScrapedSample) => s.name !== 'target_info');
    const scrapedKeys = new Set(scrapedSeries.map((s) => key(s.name, s.labels)));
    expect(scrapedSeries.length).toBeGreaterThan(100);
    // Same set of names.
    expect([...new Set([...pushed.values()].map((s) => s.metric.__name__))].sort()).toEqual(
      [...new Set(scrapedSeries.map((s) => s.name))].sort(),
    );
    // Same series (name + data-point labels), both ways. Host network series may appear
    // between the push and the scrape, so compare ML series exactly and all names above.
    const ml = (k: string): boolean => k.startsWith('ml_') || k.startsWith('gen_ai_');
    expect([...pushed.keys()].filter(ml).sort()).toEqual([...scrapedKeys].filter(ml).sort());
    // The provider-call family is among them (the worker's simulated provider calls).
    const genAiNames = new Set(
      [...scrapedSeries].filter((x) => ml(x.name) && !x.name.startsWith('ml_task')).map((x) => x.name),
    );
    for (const name of [
      'gen_ai_client_operation_duration_seconds_count',
      'gen_ai_client_token_usage_sum',
      'ml_gen_ai_token_detail_total',
      'ml_audio_duration_seconds_total',
    ]) {
      expect(genAiNames.has(name), name).toBe(true);
    }
    // Every other scraped series was pushed too, except the Node runtime's active resources by
    // type: which types exist changes from moment to moment (the scrape's own socket is a
    // TCPSocketWrap), so a type may appear between the push and the scrape.
    const momentary = (k: string): boolean => k.startsWith('v8js_resource_active{');
    for (const k of [...scrapedKeys].filter((k) => !momentary(k))) expect(pushed.has(k), k).toBe(true);
  });

  it('carries the same task values on both paths', async () => {
    const scraped = parseExposition(await getText(`http://127.0.0.1:${workerPort}/metrics`));
    const series = await exported();
    const resourceKeys = new Set(Object.keys(scraped.find((s) => s.name === 'target_info')!.labels));
    const last = new Map<string, number>();
    for (const s of series) {
      const { __name__: name, ...labels } = s.metric;
      for (const l of resourceKeys) delete labels[l];
      last.set(key(name!, labels), s.values.at(-1)!);
    }
    const checked = scraped.filter(
      (s) =>
        (s.name.startsWith('ml_task') ||
          s.name.startsWith('gen_ai_client_token_usage') ||
          s.name.startsWith('ml_gen_ai')) &&
        !s.name.endsWith('_seconds_sum') &&
        s.name !== 'ml_tasks_active',
    );
    expect(checked.length).toBeGreaterThan(20);
    for (const s of checked) expect(last.get(key(s.name, s.labels)), key(s.name, s.labels)).toBe(s.value);
    const successes = scraped
      .filter((s) => s.name === 'ml_tasks_total' && s.labels.ml_task_status === 'success')
      .reduce((sum, s) => sum + s.value, 0);
    expect(successes).toBe(summary.success);
  });
});
