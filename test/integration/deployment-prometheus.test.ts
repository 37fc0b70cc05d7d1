import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertExpr, alertRules, DEFAULT_PARAMS, recordingRules } from '../../packages/cli/src/init/index.js';
import { freePort, getText, query, ROOT, spawnChild, tempDir, until, startPrometheus } from './helpers.js';
import type { Child } from './helpers.js';

// The collector deployment end to end: the reference services under `node --import
// @mltel/node/register` with bounded load, the real Prometheus scraping them with the shipped
// configuration and generated rules; every dashboard panel query and every rule expression runs
// on its HTTP API and returns data (except the few listed below, with the reason), and chosen
// panels equal the services' own ground truth.

const PROM_DIR = join(ROOT, 'collector/prometheus');
const DASHBOARDS = join(ROOT, 'collector/grafana/dashboards');
const FAKE_SMI = join(ROOT, 'test/fixtures/fake-nvidia-smi');
const CAPTURE = join(ROOT, 'packages/nvidia-smi-parser/test/fixtures/capture-multi-l40s-driver595.txt');
const SERVERS = process.env.MLTEL_SERVERS_DIR ?? join(ROOT, '.cache/servers');
/** Debian's Alertmanager with its template path moved to a /tmp link (see scripts/fetch-servers.sh). */
const ALERTMANAGER = join(SERVERS, 'root/usr/bin/alertmanager-mltel');
const ALERTMANAGER_SHARE = '/tmp/mltel-alertmanager-templates0';

/** One webhook delivery from Alertmanager (the fields asserted). */
interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Queries that legitimately return nothing with these services, keyed by a fragment of the query. */
const EMPTY: Readonly<Record<string, string>> = {
  ml_gpu_collection_failures_total: 'the fake nvidia-smi never fails here: the series appears with the first failure',
  'ml_alert_severity="warning"':
    'the shifted amount crosses the critical drift level at once: no warning alert is raised',
  db_client_: 'the reference services use no database pool (test/integration/contrib-db.test.ts covers them)',
  ml_provider_rate_limit_:
    'the reference services call no provider that sends rate-limit headers (test/integration/llm-openai-operations.test.ts covers them)',
};

/** Grafana's variables as the "All" selection gives them, or one instance. */
function substitute(expr: string, instance = '.+'): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '10m')
    .replaceAll('$instance', instance)
    .replace(/\$\{?[a-zA-Z_]\w*\}?/g, '.+');
}

interface DashboardJson {
  uid: string;
  panels: { title: string; targets?: { expr: string }[] }[];
}
const panelQueries = readdirSync(DASHBOARDS)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => {
    const d = JSON.parse(readFileSync(join(DASHBOARDS, f), 'utf8')) as DashboardJson;
    return d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${d.uid} / ${p.title}`, expr: t.expr })));
  });
const params = { ...DEFAULT_PARAMS };
const recordings = recordingRules(params).flatMap((g) => g.rules);
const alerts = alertRules(params);
/**
 * Runs a query; an empty answer is retried for a few seconds (one scrape that times out on a busy
 * machine leaves stale markers for a moment). Resolves with the samples or the query's error.
 */
async function settledQuery(api: string, expr: string) {
  const deadline = Date.now() + 8_000;
  for (;;) {
    const result = await query(api, expr).catch((error: Error) => error);
    if (result instanceof Error || result.length > 0 || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 500));
  }
}
const emptyReason = (expr: string): string | undefined =>
  Object.entries(EMPTY).find(([fragment]) => expr.includes(fragment))?.[1];

interface Service {
  name: string;
  child: Child;
  port: number;
  done: Record<string, number>;
}

describe('the collector deployment on a real Prometheus with the reference services', () => {
  const dir = tempDir('mltel-deploy-');
  const services: Service[] = [];
  let prometheus: Child;
  let alertmanager: Child;
  let receiver: Server;
  const delivered: WebhookAlert[] = [];
  let api: string;
  const svc = (name: string): Service => services.find((s) => s.name === name)!;

  async function start(name: string, script: string, port: number, env: NodeJS.ProcessEnv): Promise<Service> {
    const child = spawnChild(process.execPath, ['--import', '@mltel/node/register', script], {
      cwd: join(ROOT, 'examples', name),
      env: {
        OTEL_LOG_LEVEL: 'warn',
        OTEL_SERVICE_NAME: name,
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        MLTEL_GPU: 'false',
        ...env,
      },
    });
    const service = { name, child, port, done: {} };
    services.push(service);
    return service;
  }

  beforeAll(async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    // The shipped configuration and rules, at short intervals so the test takes seconds, not
    // minutes (2 s scrapes with a 2 s timeout: a busy machine makes 1 s scrapes of a cluster fail).
    const config = readFileSync(join(PROM_DIR, 'prometheus.yml'), 'utf8')
      .replace('scrape_interval: 15s', 'scrape_interval: 2s\n  scrape_timeout: 2s')
      .replace('evaluation_interval: 15s', 'evaluation_interval: 1s');
    writeFileSync(join(dir.path, 'prometheus.yml'), config);
    mkdirSync(join(dir.path, 'rules'));
    for (const file of readdirSync(join(PROM_DIR, 'rules'))) {
      copyFileSync(join(PROM_DIR, 'rules', file), join(dir.path, 'rules', file));
    }
    mkdirSync(join(dir.path, 'targets'));
    mkdirSync(join(dir.path, 'collectors'));
    const names = ['task-worker', 'inference-server', 'classification-api', 'generation-service', 'ml-producer'];
    writeFileSync(
      join(dir.path, 'targets/services.json'),
      JSON.stringify(names.map((name, i) => ({ targets: [`127.0.0.1:${ports[i]}`], labels: { service: name } }))),
    );
    // A real Alertmanager (Debian bookworm's) with the shipped configuration, delivering to a
    // webhook receiver in this process.
    if (!existsSync(ALERTMANAGER)) throw new Error(`${ALERTMANAGER} is missing: run \`bash scripts/fetch-servers.sh\``);
    if (!existsSync(ALERTMANAGER_SHARE)) {
      symlinkSync(join(SERVERS, 'root/usr/share/prometheus/alertmanager'), ALERTMANAGER_SHARE);
    }
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        delivered.push(...(JSON.parse(body) as { alerts: WebhookAlert[] }).alerts);
        response.writeHead(200).end();
      });
    });
    const hookPort = await freePort();
    await new Promise<void>((resolve) => receiver.listen(hookPort, '127.0.0.1', resolve));
    const amPort = await freePort();
    writeFileSync(
      join(dir.path, 'alertmanager.yml'),
      readFileSync(join(ROOT, 'collector/alertmanager/alertmanager.yml'), 'utf8')
        .replace('http://alert-receiver:9099/alerts', `http://127.0.0.1:${hookPort}/alerts`)
        .replace('group_wait: 30s', 'group_wait: 1s'),
    );
    alertmanager = spawnChild(
      ALERTMANAGER,
      [
        `--config.file=${join(dir.path, 'alertmanager.yml')}`,
        `--storage.path=${join(dir.path, 'am-data')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { cwd: dir.path },
    );
    await until(
      () => getText(`http://127.0.0.1:${amPort}/-/ready`),
      () => true,
      30_000,
    );
    mkdirSync(join(dir.path, 'alertmanagers'));
    writeFileSync(join(dir.path, 'alertmanagers/local.json'), JSON.stringify([{ targets: [`127.0.0.1:${amPort}`] }]));

    ({ api, child: prometheus } = await startPrometheus(dir.path));

    const started = await Promise.all([
      start('task-worker', 'src/worker.js', ports[0]!, {
        WORKER_TASKS: '60',
        WORKER_INTERVAL_MS: '40',
        WORKER_SEED: '7',
        WORKER_LINGER_MS: '600000',
        MLTEL_BUDGETS: JSON.stringify([
          // A rolling hour, not the calendar hour: a run across the top of the hour would see the
          // spend reset before the alert fired (it did, once, in CI at 08:00).
          { name: 'llm-last-hour', limitUsd: 0.01, window: { rollingSeconds: 3600 } },
          { name: 'llm-daily', limitUsd: 5, window: 'day' },
        ]),
      }),
      start('inference-server', 'src/server.js', ports[1]!, {
        SERVER_REQUESTS: '300',
        SERVER_WORKERS: '2',
        MLTEL_GPU: 'auto',
        MLTEL_GPU_EXTRAS: 'clocks,power_limit',
        PATH: `${FAKE_SMI}:${process.env.PATH ?? ''}`,
        FAKE_NVIDIA_SMI_CAPTURE: CAPTURE,
      }),
      start('classification-api', 'src/api.js', ports[2]!, {
        API_REQUESTS: '1000',
        API_PACE_MS: '300',
      }),
      start('generation-service', 'src/service.js', ports[3]!, {
        GEN_REQUESTS: '120',
        GEN_PACE_MS: '20',
      }),
      start('ml-producer', 'src/main.js', ports[4]!, { PRODUCER_TASKS: '150' }),
    ]);
    for (const service of started) {
      const line = await service.child.waitForLine(new RegExp(`^${service.name}: done `), 60_000);
      service.done = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, number>;
    }
    // Every target scraped after the load ended, and the rules evaluated on it.
    await until(
      () => query(api, 'count(up == 1)'),
      (r) => r.length === 1 && Number(r[0]!.value[1]) === 5,
    );
    const settled = Date.now() + 4_000;
    await until(
      () => query(api, 'sum(ml_tasks_total)'),
      (r) =>
        r.length === 1 &&
        Number(r[0]!.value[1]) === svc('task-worker').done.tasks! + svc('ml-producer').done.tasks! &&
        Date.now() > settled,
    );
  });

  afterAll(async () => {
    await Promise.all(services.map((s) => s.child.stop()));
    await prometheus?.stop();
    await alertmanager?.stop();
    receiver?.close();
    dir.remove();
  });

  it('the services ran their bounded load and printed their ground truth', () => {
    expect(svc('task-worker').done).toMatchObject({ tasks: 60 });
    expect(svc('task-worker').done.costUsd).toBeGreaterThan(0);
    expect(svc('inference-server').done).toMatchObject({ requests: 300, ok: 288, failed: 12 });
    expect(svc('classification-api').done).toMatchObject({ requests: 1000, fraud: 500, legit: 500 });
    expect(svc('generation-service').done).toMatchObject({ requests: 120, openai: 20, openaiStream: 20, images: 40 });
    expect(svc('generation-service').done.refused).toBeGreaterThan(0);
    expect(svc('ml-producer').done).toMatchObject({ tasks: 150, published: 150, success: 143, error: 7 });
  });

  it('every dashboard panel query evaluates and returns data (or is listed with its reason)', async () => {
    expect(panelQueries.length).toBeGreaterThan(60);
    const problems: string[] = [];
    for (const { where, expr } of panelQueries) {
      const result = await (emptyReason(expr) === undefined
        ? settledQuery(api, substitute(expr))
        : query(api, substitute(expr)).catch((error: Error) => error));
      if (result instanceof Error) problems.push(`${where}: ${result.message}`);
      else if (result.length === 0 && emptyReason(expr) === undefined) problems.push(`${where}: no data: ${expr}`);
      else if (result.length > 0 && emptyReason(expr) !== undefined && !expr.includes(' or ')) {
        problems.push(`${where}: listed as empty but has data now, update EMPTY: ${expr}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every recording rule evaluates, returns data and is recorded (or is listed)', async () => {
    const problems: string[] = [];
    for (const rule of recordings) {
      const result = await settledQuery(api, rule.expr);
      if (result instanceof Error) problems.push(`${rule.record}: ${result.message}`);
      else if (result.length === 0 && emptyReason(rule.expr) === undefined) problems.push(`${rule.record}: no data`);
      else if (result.length > 0 && (await query(api, `last_over_time(${rule.record}[1m])`)).length === 0) {
        problems.push(`${rule.record}: not recorded by the loaded rules`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every alert evaluates, and its measured value returns data (or is listed)', async () => {
    const problems: string[] = [];
    for (const alert of alerts) {
      const full = await query(api, alertExpr(alert)).catch((error: Error) => error);
      if (full instanceof Error) problems.push(`${alert.alert}: ${full.message}`);
      const value = await settledQuery(api, alert.value);
      if (value instanceof Error) problems.push(`${alert.alert} value: ${value.message}`);
      else if (value.length === 0) {
        // A value read through a recorded series is empty when the recording's input is.
        const source = recordings.find((r) => r.record === alert.value)?.expr ?? alert.value;
        if (emptyReason(source) === undefined) problems.push(`${alert.alert}: no data for ${alert.value}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('panels equal the ground truth: task totals, success ratio and cost', async () => {
    const worker = svc('task-worker').done;
    const producer = svc('ml-producer').done;
    // Every task of the two task services (the worker and the producer's consumers).
    const tasks = worker.tasks! + producer.tasks!;
    const one = async (expr: string, instance = '.+'): Promise<number> => {
      const result = await query(api, substitute(expr, instance));
      expect(result, expr).toHaveLength(1);
      return Number(result[0]!.value[1]);
    };
    const panel = (uid: string, title: string, index = 0): string => {
      const d = JSON.parse(readFileSync(join(DASHBOARDS, `${uid}.json`), 'utf8')) as DashboardJson;
      return d.panels.find((p) => p.title === title)!.targets![index]!.expr;
    };
    expect(await one(panel('mltel-overview', 'Tasks run since process start'))).toBe(tasks);
    expect(await one(panel('mltel-overview', 'Task success ratio since process start'))).toBeCloseTo(
      (worker.success! + producer.success!) / tasks,
      12,
    );
    const producerInstance = `127.0.0.1:${svc('ml-producer').port}`;
    expect(await one(panel('mltel-tasks', 'Tasks run since process start'), producerInstance)).toBe(producer.tasks);
    const workerInstance = `127.0.0.1:${svc('task-worker').port}`;
    expect(await one(panel('mltel-cost', 'Spent since process start'), workerInstance)).toBeCloseTo(worker.costUsd!, 9);
    expect(await one(panel('mltel-tasks', 'Tasks run since process start'))).toBe(tasks);
    const byStatus = await query(api, substitute(panel('mltel-tasks', 'Tasks by name and status')));
    const total = byStatus.reduce((sum, s) => sum + Number(s.value[1]), 0);
    expect(total).toBe(tasks);
    const errors = byStatus
      .filter((s) => s.metric.ml_task_status === 'error')
      .reduce((n, s) => n + Number(s.value[1]), 0);
    expect(errors).toBe(worker.error! + producer.error!);
    const predictions = await query(api, substitute(panel('mltel-quality', 'Predictions since process start')));
    expect(predictions.map((s) => Number(s.value[1]))).toEqual([svc('classification-api').done.requests]);
    expect(await one(panel('mltel-quality', 'Accuracy'))).toBe(0.75);
    expect(await one('sum(ml_pipeline_duration_seconds_count{job=~".+"})')).toBe(svc('inference-server').done.requests);
    // Provider calls by provider (the LLM dashboard's rate panel, as totals): what the clients sent.
    const gen = svc('generation-service').done;
    const genInstance = `127.0.0.1:${svc('generation-service').port}`;
    const calls = await query(
      api,
      `sum by (gen_ai_provider_name, gen_ai_operation_name) (gen_ai_client_operation_duration_seconds_count{instance="${genInstance}"})`,
    );
    const byKey = Object.fromEntries(
      calls.map((s) => [`${s.metric.gen_ai_provider_name} ${s.metric.gen_ai_operation_name}`, Number(s.value[1])]),
    );
    expect(byKey['anthropic chat']).toBe(gen.anthropicOk! + gen.anthropicFailed!);
    expect(byKey['openai chat']).toBe(gen.openai! + gen.openaiStream!);
    expect(byKey['openai image_generation']).toBe(gen.images! / 2);
    expect(await one('sum(ml_gen_ai_images_total)')).toBe(gen.images);
    expect(await one('sum(ml_video_duration_seconds_total)')).toBe(gen.videoSeconds);
  });

  it('the budget alert fires from the load (llm-last-hour is spent) and reaches the webhook through Alertmanager', async () => {
    const firing = await until(
      async () => {
        const body = JSON.parse(await getText(`${api}/api/v1/alerts`)) as {
          data: { alerts: { labels: Record<string, string>; state: string }[] };
        };
        return body.data.alerts.filter((a) => a.labels.alertname === 'MltelBudgetExhausted');
      },
      (list) => list.some((a) => a.state === 'firing'),
      90_000,
    );
    expect(firing.find((a) => a.state === 'firing')!.labels).toMatchObject({
      severity: 'critical',
      job: 'mltel',
      ml_budget_name: 'llm-last-hour',
      ml_budget_window: 'rolling',
    });
    const hook = await until(
      async () => delivered.filter((a) => a.labels.alertname === 'MltelBudgetExhausted'),
      (list) => list.length > 0,
      30_000,
    );
    expect(hook[0]).toMatchObject({
      status: 'firing',
      labels: {
        alertname: 'MltelBudgetExhausted',
        severity: 'critical',
        job: 'mltel',
        ml_budget_name: 'llm-last-hour',
      },
      annotations: {
        summary: 'A budget is spent: calls it guards may be refused.',
        description:
          'Budget llm-last-hour (rolling) in job mltel has reached its limit; hard-stop budgets refuse calls until the window rolls over.',
        runbook_url: 'docs/deployment/runbooks.md#mltelbudgetexhausted',
      },
    });
  });
});
