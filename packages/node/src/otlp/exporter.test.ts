import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as HttpJsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as HttpProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkProvider } from '../../test/harness.js';
import { createOtlpExporter, OtlpSetupError, readTlsFiles } from './exporter.js';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server;
let base: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: Buffer.concat(chunks),
      });
      const json = request.headers['content-type'] === 'application/json';
      response
        .writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' })
        .end(json ? '{}' : '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function metricsToExport(): Promise<ResourceMetrics> {
  const { reader, provider } = sdkProvider();
  provider.getMeter('test').createCounter('ml.tasks').add(3, { 'ml.task.name': 'a' });
  return (await reader.collect()).resourceMetrics;
}

function exportOnce(exporter: PushMetricExporter, metrics: ResourceMetrics): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(metrics, resolve));
}

describe('createOtlpExporter', () => {
  it.each([
    ['http/json', HttpJsonExporter, 'application/json'],
    ['http/protobuf', HttpProtoExporter, 'application/x-protobuf'],
  ] as const)('%s: posts to the URL as given, with the headers, in its encoding', async (protocol, kind, type) => {
    received.length = 0;
    const exporter = createOtlpExporter(protocol, `${base}/custom/v1/metrics`, { 'x-tenant': 'ml' }, 5000);
    try {
      expect(exporter).toBeInstanceOf(kind);
      expect((await exportOnce(exporter, await metricsToExport())).code).toBe(ExportResultCode.SUCCESS);
    } finally {
      await exporter.shutdown();
    }
    expect(received).toHaveLength(1);
    const [request] = received;
    expect([request!.method, request!.url, request!.headers['content-type'], request!.headers['x-tenant']]).toEqual([
      'POST',
      '/custom/v1/metrics',
      type,
      'ml',
    ]);
    expect(request!.body.includes('ml.tasks')).toBe(true);
    if (protocol === 'http/json') {
      const body = JSON.parse(request!.body.toString('utf8'));
      const point = body.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.dataPoints[0];
      expect(point.asDouble ?? Number(point.asInt)).toBe(3);
    }
  });

  it('grpc: the gRPC exporter (required on demand)', async () => {
    const grpc = createRequire(import.meta.url)('@opentelemetry/exporter-metrics-otlp-grpc') as {
      OTLPMetricExporter: new (...args: unknown[]) => PushMetricExporter;
    };
    const exporter = createOtlpExporter('grpc', 'http://127.0.0.1:4317', {}, 5000);
    try {
      expect(exporter).toBeInstanceOf(grpc.OTLPMetricExporter);
    } finally {
      await exporter.shutdown();
    }
  });
});

describe('readTlsFiles', () => {
  it('reads regular files; refuses a FIFO (without blocking) or /dev/zero, naming the variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mltel-tls-'));
    try {
      writeFileSync(join(dir, 'ca.pem'), 'PEM');
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      expect(readTlsFiles({ ca: { setting: 'OTEL_EXPORTER_OTLP_CERTIFICATE', path: join(dir, 'ca.pem') } })).toEqual({
        ca: Buffer.from('PEM'),
      });
      for (const path of [join(dir, 'fifo'), '/dev/zero', dir]) {
        expect(() => readTlsFiles({ key: { setting: 'OTEL_EXPORTER_OTLP_CLIENT_KEY', path } })).toThrow(OtlpSetupError);
        expect(() => readTlsFiles({ key: { setting: 'OTEL_EXPORTER_OTLP_CLIENT_KEY', path } })).toThrow(
          /OTEL_EXPORTER_OTLP_CLIENT_KEY names .*not a regular file.*OTLP export is off\. Fix:/,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
