// The coexistence suites' common parts: a real VictoriaMetrics receiving OTLP, the fixture app
// (fixtures/coexistence/app.mjs) run under mltel's preload next to a real OpenTelemetry
// distribution, and reads of both paths.
import { join } from 'node:path';
import { freePort, getText, ROOT, serverBin, spawnChild, tempDir, until } from './helpers.js';
import type { Child } from './helpers.js';

export const APP_DIR = join(ROOT, 'test/integration/fixtures/coexistence');
export const MLTEL = '@mltel/node/register';
export const AUTO = '@opentelemetry/auto-instrumentations-node/register';
export const EDOT = '@elastic/opentelemetry-node';
/** What the fixture app does: its `done` line repeats these. */
export const APP_COUNTS = { tasks: 5, requests: 3 } as const;

/** A VictoriaMetrics accepting OTLP/protobuf, with Prometheus naming (unit suffixes, `_total`). */
export interface Receiver {
  base: string;
  otlpUrl: string;
  stop(): Promise<void>;
}

export async function startVictoriaMetrics(): Promise<Receiver> {
  const dir = tempDir('mltel-coexist-vm-');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnChild(
    serverBin('victoria-metrics'),
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${join(dir.path, 'data')}`,
      '-opentelemetry.usePrometheusNaming',
      '-search.latencyOffset=0s',
      '-loggerLevel=ERROR',
    ],
    { cwd: dir.path },
  );
  await until(
    () => getText(`${base}/health`),
    (t) => t.trim() === 'OK',
    30_000,
  );
  return {
    base,
    otlpUrl: `${base}/opentelemetry/v1/metrics`,
    stop: async () => {
      await child.stop();
      dir.remove();
    },
  };
}

/** The environment every run shares: both paths on, fast pushes, no traces or logs, no cloud probes. */
export function appEnv(receiver: Receiver, prometheusPort: number, service: string): NodeJS.ProcessEnv {
  return {
    OTEL_SERVICE_NAME: service,
    OTEL_METRICS_EXPORTER: 'otlp,prometheus',
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(prometheusPort),
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.otlpUrl,
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
    OTEL_METRIC_EXPORT_INTERVAL: '500',
    OTEL_METRIC_EXPORT_TIMEOUT: '400',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    // EDOT: no central configuration, no log sending; mltel: no GPU probe.
    ELASTIC_OTEL_OPAMP_ENDPOINT: '',
    MLTEL_GPU: 'false',
    APP_TASKS: String(APP_COUNTS.tasks),
    APP_REQUESTS: String(APP_COUNTS.requests),
  };
}

/** Runs the fixture app (or `script`) with these `--import` preloads, in this order. */
export function runApp(preloads: string[], env: NodeJS.ProcessEnv, script = 'app.mjs'): Child {
  return spawnChild(process.execPath, [...preloads.flatMap((p) => ['--import', p]), script], { cwd: APP_DIR, env });
}

/** The samples of one name in a Prometheus text exposition, with their label sets. */
export function samplesOf(text: string, name: string): { labels: string; value: number }[] {
  const out: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)/.exec(line);
    if (match?.[1] === name) out.push({ labels: match[2] ?? '', value: Number(match[3]) });
  }
  return out;
}

/** A sample line without the scope labels the upstream exporter adds (`otel_scope_*`). */
function withoutScope(line: string): string {
  return line.replace(/,?otel_scope_(name|version|schema_url)="[^"]*"/g, '').replace('{,', '{');
}

/**
 * Series exposed more than once under one name and label set, scope labels left out: the same
 * metric recorded by two instrumentations (or two copies of one) shows up here.
 */
export function duplicateSeries(text: string): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const key = withoutScope(line.slice(0, line.lastIndexOf(' ')));
    if (seen.has(key)) twice.push(key);
    seen.add(key);
  }
  return twice;
}

/** How an exposition names histograms: mltel's (unit suffix, as OTLP backends) or the upstream exporter's. */
export type Naming = 'mltel' | 'upstream';

/** The expected series of the fixture app: name (mltel's naming), a label filter, how many, each value. */
const EXPECTED: { name: string; unit: string; where?: RegExp; series: number; value: number }[] = [
  { name: 'ml_tasks_total', unit: '', where: /ml_task_status="success"/, series: 1, value: APP_COUNTS.tasks },
  { name: 'ml_task_duration_count', unit: '_seconds', series: 1, value: APP_COUNTS.tasks },
  { name: 'gen_ai_client_operation_duration_count', unit: '_seconds', series: 1, value: APP_COUNTS.tasks },
  { name: 'gen_ai_client_token_usage_count', unit: '', series: 2, value: APP_COUNTS.tasks },
  { name: 'ml_cost_request_usd_count', unit: '', series: 1, value: APP_COUNTS.tasks },
  // 5 calls of 10 input and 20 output tokens at claude-sonnet-4's $3 and $15 per million.
  { name: 'ml_cost_usd_total', unit: '', series: 1, value: 0.00165 },
  { name: 'http_server_request_duration_count', unit: '_seconds', series: 1, value: APP_COUNTS.requests },
  // GET only: the POSTs are the OTLP pushes themselves, counted by the HTTP instrumentation.
  {
    name: 'http_client_request_duration_count',
    unit: '_seconds',
    where: /http_request_method="GET"/,
    series: 1,
    value: APP_COUNTS.requests,
  },
];

function named(name: string, unit: string, naming: Naming): string {
  if (naming === 'upstream' || unit === '') return name;
  const at = name.lastIndexOf('_');
  return `${name.slice(0, at)}${unit}${name.slice(at)}`;
}

/** Each expected series of the app, as found in a scrape: `name{filter} -> values`. */
export function scrapedExpected(text: string, naming: Naming): Record<string, number[]> {
  const found: Record<string, number[]> = {};
  for (const { name, unit, where } of EXPECTED) {
    const full = named(name, unit, naming);
    found[full] = samplesOf(text, full)
      .filter((s) => where === undefined || where.test(s.labels))
      .map((s) => s.value);
  }
  return found;
}

/** What {@link scrapedExpected} and {@link receivedExpected} must return: every series once, each value exact. */
export function expectedSeries(naming: Naming): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const { name, unit, series, value } of EXPECTED) {
    out[named(name, unit, naming)] = Array.from({ length: series }, () => value);
  }
  return out;
}

/** Each expected series of the app as VictoriaMetrics holds it for `service` (Prometheus naming). */
export async function receivedExpected(receiver: Receiver, service: string): Promise<Record<string, number[]>> {
  const found: Record<string, number[]> = {};
  for (const { name, unit, where } of EXPECTED) {
    const full = named(name, unit, 'mltel');
    found[full] = (await receivedSeries(receiver, full, service))
      .filter((s) => {
        if (where === undefined) return true;
        const labels = Object.entries(s.metric)
          .map(([k, v]) => `${k}="${v}"`)
          .join(',');
        return where.test(labels);
      })
      .map((s) => s.value);
  }
  return found;
}

/** The series VictoriaMetrics holds under `name` for `service`, each with its last value. */
export async function receivedSeries(
  receiver: Receiver,
  name: string,
  service: string,
): Promise<{ metric: Record<string, string>; value: number }[]> {
  const match = `${name}{service_name="${service}"}`;
  const text = await getText(`${receiver.base}/api/v1/export?match[]=${encodeURIComponent(match)}`);
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { metric: Record<string, string>; values: number[] })
    .map((s) => ({ metric: s.metric, value: s.values.at(-1)! }));
}

/** The lines of the child's output (either stream, or inside another SDK's JSON log) holding `text`. */
export function linesWith(child: Child, text: string): string[] {
  return `${child.stdout()}\n${child.stderr()}`.split('\n').filter((l) => l.includes(text));
}

/** The line mltel logs when it adopts another SDK's provider (./packages/node/src/coexistence.ts). */
export const ADOPTED = 'mltel: another OpenTelemetry SDK set the global MeterProvider first';
/** The line mltel logs when an SDK started after it could not register its provider. */
export const LATE = 'mltel: another OpenTelemetry SDK started after mltel';

/** One run of the fixture app next to another SDK: its output, the scrape and what the receiver holds. */
export interface Outcome {
  app: Child;
  scrape: string;
  received: Record<string, number[]>;
}

/**
 * Runs the app with `preloads` until it is done, waits (bounded) until VictoriaMetrics holds the
 * final counts, then scrapes once: in that order, since the scrape is itself an HTTP request that
 * an HTTP instrumentation may count. The app is left running; stop it with `app.stop()`.
 */
export async function runScenario(
  receiver: Receiver,
  preloads: string[],
  service: string,
  env: NodeJS.ProcessEnv = {},
  script?: string,
): Promise<Outcome> {
  const port = await freePort();
  const app = runApp(preloads, { ...appEnv(receiver, port, service), ...env }, script);
  await app.waitForLine(/^app: done /, 30_000);
  const want = JSON.stringify(expectedSeries('mltel'));
  let received = await receivedExpected(receiver, service);
  try {
    received = await until(
      () => receivedExpected(receiver, service),
      (found) => JSON.stringify(found) === want,
      20_000,
    );
  } catch {
    // Compared (and shown) by the test.
  }
  const scrape = await getText(`http://127.0.0.1:${port}/metrics`);
  return { app, scrape, received };
}
