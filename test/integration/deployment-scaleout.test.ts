import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, query, ROOT, serverBin, spawnChild, tempDir, until } from './helpers.js';
import type { Child } from './helpers.js';

// The scale-out path: the task worker pushes OTLP to vmagent (Debian's VictoriaMetrics package,
// relabeled by collector/vmagent-relabel.yml), which remote-writes into Prometheus
// (--web.enable-remote-write-receiver) and into VictoriaMetrics; the same Prometheus also scrapes
// the worker directly. The dashboards' totals give the same answers on both paths: job "mltel"
// (scrape) and job "task-worker" (OTLP through vmagent), and in VictoriaMetrics.

const DASHBOARDS = join(ROOT, 'collector/grafana/dashboards');

/** Panels whose answer is a total that no longer changes once the bounded load is done. */
const TOTALS: [string, string][] = [
  ['mltel-overview', 'Tasks run since process start'],
  ['mltel-overview', 'Task success ratio since process start'],
  ['mltel-cost', 'Spent since process start'],
  ['mltel-tasks', 'Tasks by name and status'],
];

function panelExpr(uid: string, title: string): string {
  const d = JSON.parse(readFileSync(join(DASHBOARDS, `${uid}.json`), 'utf8')) as {
    panels: { title: string; targets?: { expr: string }[] }[];
  };
  return d.panels.find((p) => p.title === title)!.targets![0]!.expr;
}

const forJob = (expr: string, job: string): string =>
  expr
    .replaceAll('$job', job)
    .replaceAll('$instance', '.+')
    .replace(/\$\{?[a-zA-Z_]\w*\}?/g, '.+');

async function answer(api: string, expr: string): Promise<string[]> {
  const result = await query(api, expr);
  return result
    .map(
      (s) => `${JSON.stringify({ ...s.metric, job: undefined, instance: undefined })}=${Number(s.value[1]).toFixed(9)}`,
    )
    .sort();
}

describe('the dashboards on the scale-out path (OTLP -> vmagent -> remote write)', () => {
  const dir = tempDir('mltel-scaleout-');
  const children: Child[] = [];
  let prom: string;
  let vm: string;
  let tasks = 0;

  beforeAll(async () => {
    const [promPort, vmPort, agentPort, workerPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    prom = `http://127.0.0.1:${promPort}`;
    vm = `http://127.0.0.1:${vmPort}`;
    writeFileSync(
      join(dir.path, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, scrape_timeout: 1s }',
        'scrape_configs:',
        '  - job_name: mltel',
        `    static_configs: [{ targets: ["127.0.0.1:${workerPort}"] }]`,
        '',
      ].join('\n'),
    );
    children.push(
      spawnChild(
        serverBin('prometheus'),
        [
          `--config.file=${join(dir.path, 'prometheus.yml')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          `--storage.tsdb.path=${join(dir.path, 'prom')}`,
          '--web.enable-remote-write-receiver',
          '--log.level=warn',
        ],
        { cwd: dir.path },
      ),
      spawnChild(
        serverBin('victoria-metrics'),
        [
          `-httpListenAddr=127.0.0.1:${vmPort}`,
          `-storageDataPath=${join(dir.path, 'vm')}`,
          '-search.latencyOffset=0s',
          '-loggerLevel=ERROR',
        ],
        { cwd: dir.path },
      ),
      spawnChild(
        join(process.env.MLTEL_SERVERS_DIR ?? join(ROOT, '.cache/servers'), 'root/usr/bin/vmagent'),
        [
          `-httpListenAddr=127.0.0.1:${agentPort}`,
          '-opentelemetry.usePrometheusNaming',
          `-remoteWrite.relabelConfig=${join(ROOT, 'collector/vmagent-relabel.yml')}`,
          `-remoteWrite.url=${prom}/api/v1/write`,
          `-remoteWrite.url=${vm}/api/v1/write`,
          `-remoteWrite.tmpDataPath=${join(dir.path, 'agent')}`,
          '-remoteWrite.flushInterval=500ms',
          '-loggerLevel=ERROR',
        ],
        { cwd: dir.path },
      ),
    );
    await until(
      () => getText(`${prom}/-/ready`),
      (t) => t.includes('Ready'),
      30_000,
    );
    await until(
      () => getText(`${vm}/health`),
      (t) => t.trim() === 'OK',
      30_000,
    );
    await until(
      () => getText(`http://127.0.0.1:${agentPort}/health`),
      (t) => t.trim() === 'OK',
      30_000,
    );
    const worker = spawnChild(process.execPath, ['--import', '@mltel/node/register', 'src/worker.js'], {
      cwd: join(ROOT, 'examples/task-worker'),
      env: {
        OTEL_LOG_LEVEL: 'warn',
        MLTEL_GPU: 'false',
        OTEL_SERVICE_NAME: 'task-worker',
        OTEL_METRICS_EXPORTER: 'prometheus,otlp',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(workerPort),
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${agentPort}/opentelemetry/v1/metrics`,
        OTEL_METRIC_EXPORT_INTERVAL: '500',
        WORKER_TASKS: '40',
        WORKER_INTERVAL_MS: '5',
        WORKER_SEED: '3',
        WORKER_LINGER_MS: '120000',
      },
    });
    children.push(worker);
    const line = await worker.waitForLine(/^task-worker: done /, 60_000);
    tasks = (JSON.parse(line.slice(line.indexOf('{'))) as { tasks: number }).tasks;
    // Both paths hold the final totals.
    for (const [api, job] of [
      [prom, 'mltel'],
      [prom, 'task-worker'],
      [vm, 'task-worker'],
    ] as const) {
      await until(
        () => query(api, `sum(ml_tasks_total{job="${job}"})`),
        (r) => r.length === 1 && Number(r[0]!.value[1]) === tasks,
        30_000,
      );
    }
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    dir.remove();
  });

  it('the OTLP path carries job and instance from the resource (collector/vmagent-relabel.yml)', async () => {
    const otlp = await query(prom, 'count by (job) (ml_tasks_total{job="task-worker",instance=~".+"})');
    expect(otlp).toHaveLength(1);
  });

  it.each(TOTALS)(
    '%s / %s: the same answer on the scrape path, the OTLP path and VictoriaMetrics',
    async (uid, title) => {
      const expr = panelExpr(uid, title);
      const scrape = await answer(prom, forJob(expr, 'mltel'));
      expect(scrape.length, expr).toBeGreaterThan(0);
      expect(await answer(prom, forJob(expr, 'task-worker'))).toEqual(scrape);
      expect(await answer(vm, forJob(expr, 'task-worker'))).toEqual(scrape);
    },
  );
});
