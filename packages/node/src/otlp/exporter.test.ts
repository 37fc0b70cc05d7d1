import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
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

/**
 * A gRPC OTLP metrics receiver: the MetricsService/Export method served by a real @grpc/grpc-js
 * server, keeping each request's metadata and protobuf body, answering an empty (successful)
 * ExportMetricsServiceResponse.
 */
async function startGrpcReceiver() {
  const received: { metadata: Record<string, unknown>; body: Buffer }[] = [];
  const server = new GrpcServer();
  const raw = (buffer: Buffer): Buffer => buffer;
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    },
    {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        received.push({ metadata: call.metadata.getMap(), body: call.request });
        callback(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, port, received };
}

async function metricsToExport(): Promise<ResourceMetrics> {
  const { reader, provider } = sdkProvider();
  provider.getMeter('test').createCounter('ml.tasks').add(3, { 'ml.task.name': 'a' });
  return (await reader.collect()).resourceMetrics;
}

function exportOnce(exporter: PushMetricExporter, metrics: ResourceMetrics): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(metrics, resolve));
}

const required = async (name: string) =>
  ((await import(name)) as { OTLPMetricExporter: new (...args: unknown[]) => PushMetricExporter }).OTLPMetricExporter;

describe('createOtlpExporter', () => {
  it.each([
    ['http/json', '@opentelemetry/exporter-metrics-otlp-http', 'application/json'],
    ['http/protobuf', '@opentelemetry/exporter-metrics-otlp-proto', 'application/x-protobuf'],
  ] as const)('%s: posts to the URL as given, with the headers, in its encoding', async (protocol, kind, type) => {
    received.length = 0;
    const exporter = createOtlpExporter(protocol, `${base}/custom/v1/metrics`, { 'x-tenant': 'ml' }, 5000);
    try {
      expect(exporter).toBeInstanceOf(await required(kind));
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

  it('grpc: the gRPC exporter (required on demand) sends the configured headers as metadata', async () => {
    const receiver = await startGrpcReceiver();
    const exporter = createOtlpExporter(
      'grpc',
      `http://127.0.0.1:${receiver.port}`,
      { 'x-tenant': 'ml', authorization: 'Bearer abc' },
      5000,
    );
    try {
      expect(exporter).toBeInstanceOf(await required('@opentelemetry/exporter-metrics-otlp-grpc'));
      expect((await exportOnce(exporter, await metricsToExport())).code).toBe(ExportResultCode.SUCCESS);
    } finally {
      await exporter.shutdown();
      receiver.server.forceShutdown();
    }
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect([request!.metadata['x-tenant'], request!.metadata.authorization]).toEqual(['ml', 'Bearer abc']);
    expect(request!.body.includes('ml.tasks')).toBe(true);
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
