// HTTP and runtime metrics of the preload (packages/node/src/contrib.ts): an Express 5 server and
// a fetch client in one app under `node --import` / `--require @mltel/node/register`, with exact
// request counts in the scrape, Express routes as `http.route`, the endpoint's own scrapes not
// counted, and the standard switch variables.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, getText, parseExposition, ROOT, spawnChild, until } from './helpers.js';
import type { ScrapedSample } from './helpers.js';

const APPS = join(ROOT, 'test/fixtures/contrib-app');

async function scrapeApp(
  app: string,
  flag: '--import' | '--require',
  env: NodeJS.ProcessEnv = {},
  ready: () => Promise<unknown> = async () => {},
) {
  const port = await freePort();
  const child = spawnChild(process.execPath, [flag, '@mltel/node/register', join(APPS, app)], {
    cwd: ROOT,
    env: { OTEL_LOG_LEVEL: 'warn', OTEL_EXPORTER_PROMETHEUS_PORT: String(port), MLTEL_GPU: 'false', ...env },
  });
  try {
    const appPort = (await child.waitForLine(/^app: ready \d+/)).split(' ')[2]!;
    await ready();
    // Two scrapes: the first must not be counted as a request by the second.
    await getText(`http://127.0.0.1:${port}/metrics`);
    const samples = parseExposition(await getText(`http://127.0.0.1:${port}/metrics`));
    return { samples, appPort, stderr: child.stderr() };
  } finally {
    await child.stop();
  }
}

const counts = (samples: ScrapedSample[], name: string, keys: string[]) =>
  samples
    .filter((s) => s.name === name)
    .map((s) => [...keys.map((k) => s.labels[k] ?? ''), s.value])
    .sort();

describe.each([
  ['http-app.mjs', '--import'],
  ['http-app.cjs', '--require'],
] as const)('%s under %s', (app, flag) => {
  it('counts every server request by route and status, and every fetch call, exactly', async () => {
    const { samples, appPort, stderr } = await scrapeApp(app, flag);
    expect(
      counts(samples, 'http_server_request_duration_seconds_count', [
        'http_request_method',
        'http_route',
        'http_response_status_code',
      ]),
    ).toEqual([
      ['GET', '', '404', 1],
      ['GET', '/users/:id', '200', 3],
      ['POST', '/items', '201', 2],
    ]);
    const client = samples.filter(
      (s) => s.name === 'http_client_request_duration_seconds_count' && s.labels.server_port === appPort,
    );
    expect(
      client.map((s) => [s.labels.http_request_method, s.labels.http_response_status_code, s.value]).sort(),
    ).toEqual([
      ['GET', '200', 3],
      ['GET', '404', 1],
      ['POST', '201', 2],
    ]);
    // The Node runtime metrics are there too, and nothing warned.
    for (const name of [
      'nodejs_eventloop_utilization_ratio',
      'v8js_memory_heap_used_bytes',
      'nodejs_eventloop_time_seconds_total',
    ]) {
      expect(
        samples.some((s) => s.name === name),
        name,
      ).toBe(true);
    }
    expect(stderr).not.toMatch(/Conflicting|mltel:/);
  });
});

describe('the switch variables', () => {
  it('OTEL_NODE_DISABLED_INSTRUMENTATIONS=http,runtime-node leaves only the fetch client counted', async () => {
    const { samples } = await scrapeApp('http-app.mjs', '--import', {
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http,runtime-node',
    });
    expect(samples.filter((s) => s.name.startsWith('http_server_'))).toEqual([]);
    expect(samples.filter((s) => /^(nodejs|v8js)_/.test(s.name))).toEqual([]);
    const client = samples.filter((s) => s.name === 'http_client_request_duration_seconds_count');
    expect(client.reduce((sum, s) => sum + s.value, 0)).toBe(6);
  });

  it('OTEL_NODE_ENABLED_INSTRUMENTATIONS=runtime-node starts the runtime metrics only', async () => {
    const { samples } = await scrapeApp('http-app.mjs', '--import', {
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'runtime-node',
    });
    expect(samples.filter((s) => s.name.startsWith('http_'))).toEqual([]);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_utilization_ratio')).toBe(true);
  });
});

describe("mltel's own OTLP pushes", () => {
  it("are not counted as the application's outgoing requests", async () => {
    let pushes = 0;
    const receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        pushes++;
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    receiver.listen(0, '127.0.0.1');
    await once(receiver, 'listening');
    const receiverPort = (receiver.address() as AddressInfo).port;
    try {
      const { samples } = await scrapeApp(
        'http-app.mjs',
        '--import',
        {
          OTEL_METRICS_EXPORTER: 'prometheus,otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`,
          OTEL_METRIC_EXPORT_INTERVAL: '200',
        },
        () =>
          until(
            async () => pushes,
            (n) => n >= 2,
          ),
      );
      const client = samples.filter((s) => s.name === 'http_client_request_duration_seconds_count');
      expect(client.filter((s) => s.labels.server_port === String(receiverPort))).toEqual([]);
      expect(client.reduce((sum, s) => sum + s.value, 0)).toBe(6);
    } finally {
      receiver.closeAllConnections();
      receiver.close();
    }
  });
});
