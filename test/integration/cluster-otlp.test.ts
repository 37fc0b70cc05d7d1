import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, spawnChild, until } from './helpers.js';
import type { Child } from './helpers.js';

// The same 4-worker cluster with OTLP push (http/json) to a receiver in this test: no merge,
// each process exports as itself, with its own service.instance.id, and none binds a port.
const APP_DIR = join(ROOT, 'test/fixtures/cluster-app');

interface OtlpBody {
  resourceMetrics?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string; intValue?: string | number } }[] };
  }[];
}

describe('a cluster pushing OTLP', () => {
  let app: Child;
  let receiver: Server;
  const instances = new Map<string, string>(); // service.instance.id -> process.pid

  beforeAll(async () => {
    const otlpPort = await freePort();
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (d: string) => (body += d));
      request.on('end', () => {
        try {
          for (const rm of (JSON.parse(body) as OtlpBody).resourceMetrics ?? []) {
            const attrs = new Map(
              (rm.resource?.attributes ?? []).map((a) => [a.key, a.value.stringValue ?? String(a.value.intValue)]),
            );
            const id = attrs.get('service.instance.id');
            if (id !== undefined) instances.set(id, attrs.get('process.pid') ?? '');
          }
        } catch {
          // not JSON: ignored, the assertions below fail
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(otlpPort, '127.0.0.1', resolve));
    app = spawnChild(process.execPath, ['--import', '@mltel/node/register', 'app.mjs'], {
      cwd: APP_DIR,
      env: {
        OTEL_LOG_LEVEL: 'warn',
        APP_PORT: String(await freePort()),
        CLUSTER_WORKERS: '4',
        OTEL_METRICS_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
        OTEL_METRIC_EXPORT_INTERVAL: '500',
        MLTEL_HOST_METRICS: 'false',
      },
    });
    await app.waitForLine(/^cluster-app: ready/);
  });

  afterAll(async () => {
    await app?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it('each of the 4 workers, and the primary, exports with its own service.instance.id', async () => {
    // The primary records no ML metric and no host metric here (host metrics off), but it is a
    // Node process of its own: it exports its own runtime metrics (event loop, GC, heap).
    await until(
      async () => instances.size,
      (n) => n >= 5,
      30_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(instances.size).toBe(5);
    expect(new Set(instances.values()).size).toBe(5); // five different pids
    expect([...instances.values()]).toContain(String(app.process.pid));
    expect(app.stderr()).not.toMatch(/EADDRINUSE/);
  });
});
