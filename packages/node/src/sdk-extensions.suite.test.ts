// start() with the SDK extension points (views, readers, instrumentations, the OTLP histogram
// aggregation, resource detectors) and the conventions of its resource and diag logger, each
// through a real MeterProvider and its scrape or export.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instrumentOptions } from '@mltel/kit';
import { GEN_AI_CLIENT_OPERATION_DURATION, ML_TASK_DURATION } from '@mltel/semconv';
import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import { SDK_INFO } from '@opentelemetry/core';
import { MetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { HitInstrumentation } from './extensions.test.js';
import { shutdown, start } from './sdk.js';
import type { StartOptions } from './config/types.js';

afterEach(async () => {
  await shutdown();
  diag.disable();
});

const QUIET: StartOptions = { handleExit: false, hostMetrics: false, gpu: false, cost: false, llmInstrumentations: [] };

async function scrape(options: StartOptions): Promise<string> {
  const sdk = start({ ...QUIET, exporters: ['prometheus'], prometheusPort: 0, ...options });
  const port = await sdk.prometheusPort;
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

function startWith(options: StartOptions) {
  return start({ ...QUIET, exporters: ['prometheus'], prometheusPort: 0, ...options });
}

function bucketLines(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name}_bucket{`));
}

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

describe('views: histogram buckets per instrument', () => {
  it('MLTEL_HISTOGRAM_BUCKETS and the histogramBuckets option set the scraped buckets', async () => {
    const sdk = startWith({
      env: { MLTEL_HISTOGRAM_BUCKETS: 'ml.task.duration=0.075,0.75,7.5;gen_ai.client.operation.duration=1,2' },
      // The option wins per instrument: the 0.6 s SLO boundary.
      histogramBuckets: { 'gen_ai.client.operation.duration': [0.6] },
    });
    expect(sdk.problems).toEqual([]);
    const port = await sdk.prometheusPort;
    const meter = metrics.getMeter('app');
    const task = meter.createHistogram(ML_TASK_DURATION.name, instrumentOptions(ML_TASK_DURATION));
    for (const seconds of [0.05, 0.5, 0.6, 5, 50]) task.record(seconds);
    const call = meter.createHistogram(
      GEN_AI_CLIENT_OPERATION_DURATION.name,
      instrumentOptions(GEN_AI_CLIENT_OPERATION_DURATION),
    );
    for (const seconds of [0.5, 0.7]) call.record(seconds);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(bucketLines(text, 'ml_task_duration_seconds')).toEqual([
      'ml_task_duration_seconds_bucket{le="0.075"} 1',
      'ml_task_duration_seconds_bucket{le="0.75"} 3',
      'ml_task_duration_seconds_bucket{le="7.5"} 4',
      'ml_task_duration_seconds_bucket{le="+Inf"} 5',
    ]);
    expect(bucketLines(text, 'gen_ai_client_operation_duration_seconds')).toEqual([
      'gen_ai_client_operation_duration_seconds_bucket{le="0.6"} 1',
      'gen_ai_client_operation_duration_seconds_bucket{le="+Inf"} 2',
    ]);
  });

  it('a bad value is reported with the setting and the fix; the instrument keeps its buckets', async () => {
    const sdk = startWith({ env: { MLTEL_HISTOGRAM_BUCKETS: 'ml.task.duration=7.5,0.75' } });
    expect(sdk.problems.map((p) => p.setting)).toEqual(['MLTEL_HISTOGRAM_BUCKETS']);
    metrics.getMeter('app').createHistogram(ML_TASK_DURATION.name, instrumentOptions(ML_TASK_DURATION)).record(1);
    expect(bucketLines((await sdk.scrape())!, 'ml_task_duration_seconds')).toHaveLength(
      (ML_TASK_DURATION.buckets?.length ?? 0) + 1,
    );
  });

  it('StartOptions.views are applied (here: a stream renamed)', async () => {
    const text = await (async () => {
      const sdk = startWith({ views: [{ instrumentName: 'app.jobs', name: 'app.renamed_jobs' }] });
      metrics.getMeter('app').createCounter('app.jobs').add(3);
      return (await sdk.scrape())!;
    })();
    expect(text).toMatch(/^app_renamed_jobs_total 3$/m);
    expect(text).not.toContain('app_jobs_total');
  });
});

describe('readers and instrumentations', () => {
  it('a view the SDK refuses does not stop start(): the endpoint serves without it', async () => {
    const sdk = startWith({ views: [{ instrumentName: '*', name: 'everything' }] });
    metrics.getMeter('app').createCounter('app.jobs').add(1);
    expect((await sdk.scrape())!).toMatch(/^app_jobs_total 1$/m);
  });

  it("StartOptions.readers read mltel's provider, next to the Prometheus endpoint", async () => {
    const reader = new Reader();
    const sdk = startWith({ readers: [reader] });
    metrics.getMeter('app').createCounter('app.jobs').add(2);
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'app.jobs');
    expect(metric?.dataPoints.map((p) => p.value)).toEqual([2]);
    expect(resourceMetrics.resource.attributes['telemetry.distro.name']).toBe('@mltel/node');
    expect((await sdk.scrape())!).toMatch(/^app_jobs_total 2$/m);
    await sdk.shutdown();
  });

  it('StartOptions.instrumentations record on mltel provider and stop at shutdown', async () => {
    const hits = new HitInstrumentation();
    const sdk = startWith({ instrumentations: [hits] });
    hits.hit();
    hits.hit();
    expect((await sdk.scrape())!).toMatch(/^app_hits_total 2$/m);
    await sdk.shutdown();
    expect(hits.isEnabled()).toBe(false);
  });
});

describe('OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION', () => {
  async function exportedHistogramKinds(env: Record<string, string>): Promise<string[]> {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const sdk = start({
        ...QUIET,
        env,
        exporters: ['otlp'],
        otlpProtocol: 'http/json',
        otlpEndpoint: `http://127.0.0.1:${port}/v1/metrics`,
        exportIntervalMillis: 3_600_000,
      });
      metrics.getMeter('app').createHistogram(ML_TASK_DURATION.name, instrumentOptions(ML_TASK_DURATION)).record(0.5);
      await sdk.flush();
      await sdk.shutdown();
    } finally {
      server.close();
    }
    const kinds: string[] = [];
    for (const body of bodies) {
      const parsed = JSON.parse(body) as {
        resourceMetrics: { scopeMetrics: { metrics: Record<string, unknown>[] }[] }[];
      };
      for (const m of parsed.resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics)))
        if (m.name === ML_TASK_DURATION.name) kinds.push(Object.keys(m).find((k) => /istogram$/.test(k)) ?? '?');
    }
    return [...new Set(kinds)];
  }

  it('base2_exponential_bucket_histogram: the OTLP export carries an exponential histogram', async () => {
    expect(
      await exportedHistogramKinds({
        OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION: 'base2_exponential_bucket_histogram',
      }),
    ).toEqual(['exponentialHistogram']);
  });

  it('unset: explicit buckets', async () => {
    expect(await exportedHistogramKinds({})).toEqual(['histogram']);
  });
});

describe('resource: target_info', () => {
  it('carries telemetry.sdk.* and telemetry.distro.*', async () => {
    const info = (await scrape({ env: {} })).split('\n').find((line) => line.startsWith('target_info{'));
    expect(info).toContain('telemetry_sdk_name="opentelemetry"');
    expect(info).toContain('telemetry_sdk_language="nodejs"');
    expect(info).toContain(`telemetry_sdk_version="${SDK_INFO['telemetry.sdk.version']}"`);
    expect(info).toContain('telemetry_distro_name="@mltel/node"');
  });

  it('OTEL_NODE_RESOURCE_DETECTORS=os: os attributes, no host, no OTEL_RESOURCE_ATTRIBUTES (env is off)', async () => {
    const info = (await scrape({ env: { OTEL_NODE_RESOURCE_DETECTORS: 'os', OTEL_RESOURCE_ATTRIBUTES: 'team=ml' } }))
      .split('\n')
      .find((line) => line.startsWith('target_info{'));
    expect(info).toContain('os_type="linux"');
    expect(info).not.toContain('host_name=');
    expect(info).not.toContain('team=');
  });

  it('an unknown detector is a problem naming the setting', async () => {
    const sdk = startWith({ env: { OTEL_NODE_RESOURCE_DETECTORS: 'env,k8s' } });
    expect(sdk.problems.map((p) => p.setting)).toEqual(['OTEL_NODE_RESOURCE_DETECTORS']);
  });
});

describe('diag logger', () => {
  it("keeps the application's own logger: mltel's problems reach it, and it stays installed", async () => {
    const lines: string[] = [];
    const push = (message: string) => lines.push(message);
    diag.setLogger({ error: push, warn: push, info: push, debug: push, verbose: push }, DiagLogLevel.WARN);
    startWith({ env: { OTEL_METRIC_EXPORT_INTERVAL: 'soon' } });
    diag.warn('app: after start');
    expect(lines).toEqual([expect.stringContaining('mltel: OTEL_METRIC_EXPORT_INTERVAL='), 'app: after start']);
  });
});
