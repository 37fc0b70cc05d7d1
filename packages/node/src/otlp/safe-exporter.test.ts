import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, InstrumentType } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureDiag, sdkProvider } from '../../test/harness.js';
import { createOtlpExporter } from './exporter.js';
import { MAX_QUEUED_EXPORTS, QuietFailureExporter } from './safe-exporter.js';

// A collector that answers each request with the next status of `statuses` (then 200).
let server: Server;
let url: string;
const statuses: number[] = [];
let requests = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests++;
      const status = statuses.shift() ?? 200;
      response.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{}' : '{"code":3}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

let log: ReturnType<typeof captureDiag>;
beforeEach(() => {
  log = captureDiag();
  statuses.length = 0;
  requests = 0;
});
afterEach(() => diag.disable());

async function metricsToExport(): Promise<ResourceMetrics> {
  const { reader, provider } = sdkProvider();
  provider.getMeter('test').createCounter('ml.tasks').add(1);
  return (await reader.collect()).resourceMetrics;
}

function exportOnce(exporter: PushMetricExporter, metrics: ResourceMetrics): Promise<ExportResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('export did not report within 10 s')), 10_000);
    exporter.export(metrics, (result) => {
      clearTimeout(timer);
      resolve(result);
    });
  });
}

describe('QuietFailureExporter', () => {
  it('the first failure is one warning with the fix; later ones are counted until export works again', async () => {
    const exporter = new QuietFailureExporter(
      createOtlpExporter('http/json', url, {}, 5000),
      url,
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    );
    const metrics = await metricsToExport();
    const exportAndWait = async (): Promise<ExportResult> => {
      const result = await exportOnce(exporter, metrics);
      await exporter.forceFlush();
      return result;
    };
    try {
      statuses.push(400, 400);
      // Failures are reported to the SDK as successes, so it does not log them once per interval.
      expect(await exportAndWait()).toEqual({ code: ExportResultCode.SUCCESS });
      expect(await exportAndWait()).toEqual({ code: ExportResultCode.SUCCESS });
      expect(log.warnings).toHaveLength(1);
      expect(log.warnings[0]).toMatch(
        new RegExp(
          `^mltel: metrics export to "${url.replace(/[.?]/g, '\\$&')}" failed \\(.+\\)\\. The application keeps running; ` +
            'export is retried every interval, and further failures are counted and logged at most once a minute\\. ' +
            'Fix: start a collector there or set OTEL_EXPORTER_OTLP_ENDPOINT to one that runs\\.$',
        ),
      );
      expect(await exportAndWait()).toEqual({ code: ExportResultCode.SUCCESS });
      expect(await exportAndWait()).toEqual({ code: ExportResultCode.SUCCESS });
      expect(log.warnings.slice(1)).toEqual([`mltel: metrics export to "${url}" works again`]);
      statuses.push(400);
      await exportAndWait();
      // The second failure is counted, not logged (at most one line a minute per kind).
      expect(log.warnings).toHaveLength(2);
      expect(requests).toBe(5);
    } finally {
      await exporter.shutdown();
    }
    expect(log.errors).toEqual([]);
  });

  it('an exporter that throws counts as a failure, and reports once', async () => {
    let calls = 0;
    const throwing: PushMetricExporter = {
      export: () => {
        calls++;
        throw new TypeError('bad config');
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const exporter = new QuietFailureExporter(throwing, 'http://collector:4318', 'OTEL_EXPORTER_OTLP_ENDPOINT');
    const metrics = await metricsToExport();
    expect(await exportOnce(exporter, metrics)).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.forceFlush();
    expect(await exportOnce(exporter, metrics)).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.forceFlush();
    expect(calls).toBe(2);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain('mltel: metrics export to "http://collector:4318" failed (bad config).');
  });

  it('an inner exporter that calls back twice is reported once', async () => {
    const twice: PushMetricExporter = {
      export: (_metrics, done) => {
        done({ code: ExportResultCode.FAILED, error: new Error('first') });
        done({ code: ExportResultCode.FAILED, error: new Error('second') });
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const results: ExportResult[] = [];
    const exporter = new QuietFailureExporter(twice, 'x', 'S');
    exporter.export(await metricsToExport(), (result) => results.push(result));
    await exporter.forceFlush();
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(log.warnings).toEqual([expect.stringContaining('failed (first)')]);
  });

  it('answers the reader at once while an export hangs; one in flight, the newest cumulative batch waits', async () => {
    const pending: ((result: ExportResult) => void)[] = [];
    const sent: ResourceMetrics[] = [];
    const hanging: PushMetricExporter = {
      export: (metrics, done) => {
        sent.push(metrics);
        pending.push(done);
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const exporter = new QuietFailureExporter(hanging, 'x', 'S');
    const batches = await Promise.all([metricsToExport(), metricsToExport(), metricsToExport()]);
    for (const batch of batches) expect(await exportOnce(exporter, batch)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(sent).toEqual([batches[0]]);
    pending.shift()!({ code: ExportResultCode.SUCCESS });
    await new Promise((r) => setImmediate(r));
    // The third (cumulative) batch replaced the second: it carries its totals.
    expect(sent).toEqual([batches[0], batches[2]]);
    pending.shift()!({ code: ExportResultCode.SUCCESS });
    await exporter.forceFlush();
    expect(sent).toHaveLength(2);
  });

  it('delta batches wait behind a slow export, at most MAX_QUEUED_EXPORTS, the oldest dropped once said', async () => {
    const pending: ((result: ExportResult) => void)[] = [];
    let sent = 0;
    const slow: PushMetricExporter = {
      export: (_metrics, done) => {
        sent++;
        pending.push(done);
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const delta = (): ResourceMetrics =>
      ({
        scopeMetrics: [{ metrics: [{ aggregationTemporality: AggregationTemporality.DELTA }] }],
      }) as unknown as ResourceMetrics;
    const exporter = new QuietFailureExporter(slow, 'x', 'S');
    for (let i = 0; i < MAX_QUEUED_EXPORTS + 3; i++) await exportOnce(exporter, delta());
    expect(sent).toBe(1);
    expect(log.warnings).toEqual([expect.stringContaining('the oldest waiting delta batch is dropped')]);
    while (pending.length > 0) {
      pending.shift()!({ code: ExportResultCode.SUCCESS });
      await new Promise((r) => setImmediate(r));
    }
    await exporter.forceFlush();
    expect(sent).toBe(1 + MAX_QUEUED_EXPORTS);
  });

  it('never logs the credentials of the endpoint', async () => {
    const failing: PushMetricExporter = {
      export: (_metrics, done) =>
        done({ code: ExportResultCode.FAILED, error: new Error('POST http://u:pw-1@c?api_key=K-2 refused') }),
      forceFlush: async () => {},
      shutdown: async () => {},
    };
    const exporter = new QuietFailureExporter(failing, 'http://u:pw-1@c:4318/v1/metrics?api_key=K-2', 'S');
    await exportOnce(exporter, await metricsToExport());
    await exporter.forceFlush();
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toContain('"http://***@c:4318/v1/metrics?api_key=***"');
    expect(log.warnings[0]).not.toMatch(/pw-1|K-2/);
  });

  it('leaves flush, shutdown and temporality to the wrapped exporter', async () => {
    const calls: string[] = [];
    const inner: PushMetricExporter = {
      export: () => {},
      forceFlush: async () => void calls.push('forceFlush'),
      shutdown: async () => void calls.push('shutdown'),
      selectAggregationTemporality: (type) =>
        type === InstrumentType.COUNTER ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE,
    };
    const exporter = new QuietFailureExporter(inner, url, 'OTEL_EXPORTER_OTLP_ENDPOINT');
    expect(exporter.selectAggregationTemporality(InstrumentType.COUNTER)).toBe(AggregationTemporality.DELTA);
    expect(exporter.selectAggregationTemporality(InstrumentType.HISTOGRAM)).toBe(AggregationTemporality.CUMULATIVE);
    await exporter.forceFlush();
    await exporter.shutdown();
    expect(calls).toEqual(['forceFlush', 'shutdown']);
    // The real OTLP exporter keeps the SDK's default: cumulative.
    const real = new QuietFailureExporter(createOtlpExporter('http/json', url, {}, 5000), url, 'S');
    expect(real.selectAggregationTemporality(InstrumentType.COUNTER)).toBe(AggregationTemporality.CUMULATIVE);
    await real.shutdown();
    expect(requests).toBe(0);
  });
});
