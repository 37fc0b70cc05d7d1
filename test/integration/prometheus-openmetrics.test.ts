import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, getText, query, ROOT, serverBin, spawnChild, startPrometheus, tempDir, until } from './helpers.js';
import type { Child } from './helpers.js';

// The endpoint's formats against the real tools: a traced app under the preload
// (fixtures/openmetrics/app.mjs), `promtool check metrics` on its text format, and a real
// Prometheus 2.53 (exemplar storage on) scraping it twice, once in each format: OpenMetrics (what
// Prometheus asks for first) and the text format 0.0.4, both gzip-compressed as Prometheus asks.
const run = promisify(execFile);
const OPENMETRICS_ACCEPT =
  'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';

describe('OpenMetrics, exemplars and gzip, checked by promtool and a real Prometheus', () => {
  const dir = tempDir('mltel-openmetrics-');
  let app: Child;
  let prometheus: Child | undefined;
  let api: string;
  let endpoint: string;
  let ready: { traceIds: string[]; jobs: number; serverTraceIds: string[] };

  beforeAll(async () => {
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}/metrics`;
    app = spawnChild(
      process.execPath,
      ['--import', '@mltel/node/register', 'test/integration/fixtures/openmetrics/app.mjs'],
      {
        cwd: ROOT,
        env: {
          OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
          OTEL_SERVICE_NAME: 'openmetrics-under-test',
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_LOG_LEVEL: 'warn',
          APP_JOBS: '6',
        },
      },
    );
    ready = JSON.parse((await app.waitForLine(/^app: ready /)).replace(/^app: ready /, ''));
    await until(
      () => getText(endpoint).catch(() => ''),
      (text) => text.includes('app_jobs_total'),
    );
    writeFileSync(
      join(dir.path, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, scrape_timeout: 1s }',
        'scrape_configs:',
        `  - job_name: openmetrics`,
        `    static_configs: [{ targets: ["127.0.0.1:${port}"] }]`,
        `  - job_name: text`,
        '    scrape_protocols: [PrometheusText0.0.4]',
        `    static_configs: [{ targets: ["127.0.0.1:${port}"] }]`,
        '',
      ].join('\n'),
    );
    ({ api, child: prometheus } = await startPrometheus(dir.path, ['--enable-feature=exemplar-storage']));
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await app?.stop();
    dir.remove();
  });

  it('serves OpenMetrics 1.0 with # EOF and the exemplars of the traced recordings', async () => {
    const response = await fetch(endpoint, { headers: { accept: OPENMETRICS_ACCEPT } });
    expect(response.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    const text = await response.text();
    expect(text.endsWith('\n# EOF\n')).toBe(true);
    expect(text).toContain('# TYPE app_jobs counter\n# HELP app_jobs Jobs done\n');
    expect(text).toContain('# TYPE app_job_duration_seconds histogram\n# UNIT app_job_duration_seconds seconds\n');
    expect(text).toContain('# HELP app_job_duration_seconds Duration of one \\"job\\"\n');
    const exemplars = [
      ...text.matchAll(
        /^app_job_duration_seconds_bucket\{(.*)\} \d+ # \{trace_id="(\w+)",span_id="(\w+)"\} (\S+) \S+$/gm,
      ),
    ];
    expect(exemplars.length).toBeGreaterThanOrEqual(4);
    for (const [, labels, traceId, spanId] of exemplars) {
      expect(ready.traceIds).toContain(traceId);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(labels).not.toContain('untraced');
    }
  });

  it("puts the HTTP server spans' ids on http_server_request_duration_seconds (instrumentation-http)", async () => {
    expect(ready.serverTraceIds).toHaveLength(3);
    const text = await (await fetch(endpoint, { headers: { accept: OPENMETRICS_ACCEPT } })).text();
    const exemplars = [
      ...text.matchAll(
        /^http_server_request_duration_seconds_bucket\{.*\} \d+ # \{trace_id="(\w+)",span_id="(\w+)"\} \S+ \S+$/gm,
      ),
    ];
    expect(exemplars.length).toBeGreaterThanOrEqual(1);
    for (const [, traceId] of exemplars) expect(ready.serverTraceIds).toContain(traceId);
  });

  it('the text format passes promtool check metrics and carries no exemplar', async () => {
    const text = await getText(endpoint);
    expect(text).not.toContain('# EOF');
    expect(text).not.toContain('trace_id');
    const file = join(dir.path, 'scrape.txt');
    writeFileSync(file, text);
    const { stdout, stderr } = await run('sh', ['-c', `"${serverBin('promtool')}" check metrics < "${file}"`], {
      timeout: 60_000,
    }).catch((error: { stdout?: string; stderr?: string; code?: number }) => {
      throw new Error(`promtool check metrics failed (${error.code}):\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    expect(`${stdout}${stderr}`).toBe('');
  });

  it('gzips when asked, the same exposition', async () => {
    const { request } = await import('node:http');
    const url = new URL(endpoint);
    const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>(
      (resolve, reject) => {
        const req = request({
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: { 'accept-encoding': 'gzip' },
        });
        req.on('response', (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      },
    );
    expect(headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(body).toString('utf8')).toMatch(/^app_jobs_total\{app_job_kind="even"\} 3$/m);
  });

  it('a real Prometheus scrapes both formats into the same series, with exemplars from OpenMetrics', async () => {
    const targets = await until(
      async () =>
        JSON.parse(await getText(`${api}/api/v1/targets`)) as {
          data: { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
        },
      (body) => body.data.activeTargets.length === 2 && body.data.activeTargets.every((t) => t.health === 'up'),
    );
    expect(targets.data.activeTargets.map((t) => t.lastError)).toEqual(['', '']);
    const counts = await until(
      () => query(api, 'sum by (job) (app_job_duration_seconds_count)'),
      (r) => r.length === 2,
    );
    expect(Object.fromEntries(counts.map((s) => [s.metric.job, Number(s.value[1])]))).toEqual({
      openmetrics: ready.jobs + 1,
      text: ready.jobs + 1,
    });
    // The same series names in both formats (no _created, no renamed family).
    const names = async (job: string) =>
      (await query(api, `count by (__name__) ({job="${job}", __name__=~"app_.*|target_info"})`))
        .map((s) => s.metric.__name__)
        .sort();
    expect(await names('openmetrics')).toEqual(await names('text'));
    expect(await names('text')).toEqual(
      [
        'app_job_duration_seconds_bucket',
        'app_job_duration_seconds_count',
        'app_job_duration_seconds_sum',
        'app_jobs_total',
        'target_info',
      ].sort(),
    );
    const now = Date.now() / 1000;
    const exemplars = await until(
      async () =>
        JSON.parse(
          await getText(
            `${api}/api/v1/query_exemplars?query=${encodeURIComponent('app_job_duration_seconds_bucket')}&start=${now - 600}&end=${now + 600}`,
          ),
        ) as {
          data: {
            seriesLabels: Record<string, string>;
            exemplars: { labels: Record<string, string>; value: string }[];
          }[];
        },
      (body) => body.data.length > 0,
    );
    const stored = exemplars.data.flatMap((series) =>
      series.exemplars.map((e) => ({ job: series.seriesLabels.job, ...e })),
    );
    expect(stored.length).toBeGreaterThanOrEqual(4);
    for (const exemplar of stored) {
      expect(exemplar.job).toBe('openmetrics');
      expect(ready.traceIds).toContain(exemplar.labels.trace_id);
    }
  }, 60_000);
});
