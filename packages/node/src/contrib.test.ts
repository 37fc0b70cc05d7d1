// The contrib instrumentations on a real MeterProvider: the runtime metrics, and node:http server
// requests counted exactly with the endpoint's own port left out.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { diag } from '@opentelemetry/api';
import { METRICS } from '@mltel/semconv';
import type { MetricDefinition } from '@mltel/semconv';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { built, captureDiag, sdkProvider, waitFor } from '../test/harness.js';
import { resolveConfig } from './config/env.js';
import type { ContribInstrumentationName } from './config/types.js';
import {
  contribEsmModules,
  contribViews,
  goesTo,
  httpSpansWanted,
  otlpTarget,
  startContribInstrumentations,
} from './contrib.js';

// Through require(), as an application's CommonJS code loads it: the hook patches that load.
const requireHere = createRequire(import.meta.url);

function configWith(names: ContribInstrumentationName[]) {
  return resolveConfig({ contribInstrumentations: names, env: {} }).config;
}

let log: ReturnType<typeof captureDiag>;
let stop: () => void = () => {};
beforeEach(() => {
  log = captureDiag();
});
afterEach(() => {
  stop();
  stop = () => {};
  diag.disable();
});

describe('contribEsmModules and contribViews', () => {
  it('lists the modules of the enabled instrumentations only', () => {
    expect(contribEsmModules(configWith(['http', 'undici', 'express', 'runtime-node', 'pg']))).toEqual([
      'http',
      'https',
      'express',
      'pg',
      'pg-pool',
    ]);
    expect(contribEsmModules(configWith(['undici', 'runtime-node', 'mysql2']))).toEqual([]);
  });

  it('give shared instruments one description (undici only when it is on)', () => {
    const described = (names: ContribInstrumentationName[]) =>
      contribViews(configWith(names)).map((v) => [v.meterName, v.instrumentName]);
    expect(described(['http'])).toEqual([['node-redis', 'db.client.operation.duration']]);
    expect(described(['undici'])).toEqual([
      ['node-redis', 'db.client.operation.duration'],
      ['@opentelemetry/instrumentation-undici', 'http.client.request.duration'],
    ]);
  });
});

/** `ObservableUpDownCounter` → `OBSERVABLE_UP_DOWN_COUNTER`, the SDK's InstrumentType. */
function instrumentType(kind: MetricDefinition['kind']): string {
  return kind.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The catalog entries of `family` not matched by the collected metrics (name, kind, unit, attributes). */
function catalogMismatches(family: MetricDefinition['family'], collected: ReadonlyMap<string, MetricData>): string[] {
  const out: string[] = [];
  for (const definition of METRICS.filter((m) => m.family === family)) {
    const metric = collected.get(definition.name);
    if (metric === undefined) {
      out.push(`${definition.name}: not collected`);
      continue;
    }
    // The SDK's descriptor carries the instrument type at run time; its declared type does not.
    const type = (metric.descriptor as { type?: string }).type;
    if (type !== instrumentType(definition.kind)) out.push(`${definition.name}: ${type}`);
    if (metric.descriptor.unit !== definition.unit) out.push(`${definition.name}: unit ${metric.descriptor.unit}`);
    for (const point of metric.dataPoints as { attributes: Record<string, unknown> }[]) {
      for (const key of Object.keys(point.attributes)) {
        if (!definition.attributes.includes(key)) out.push(`${definition.name}: attribute ${key}`);
      }
    }
  }
  return out;
}

describe("mltel's own OTLP pushes", () => {
  it('are recognised by host and port, the default port included', () => {
    const http = { exporters: ['otlp' as const], otlpProtocol: 'http/protobuf' as const };
    const target = otlpTarget({ ...http, otlpEndpoint: 'http://collector:4318/v1/metrics' });
    expect(target).toBe('collector:4318');
    expect(goesTo({ hostname: 'collector', port: '4318', path: '/v1/metrics' }, target)).toBe(true);
    expect(goesTo({ hostname: 'collector', port: 4318 }, target)).toBe(true);
    expect(goesTo({ host: 'collector:4318' }, target)).toBe(true);
    expect(goesTo({ hostname: 'collector', port: 8080 }, target)).toBe(false);
    expect(goesTo({ hostname: 'api.example.com', port: '4318' }, target)).toBe(false);
    const https = otlpTarget({ ...http, otlpEndpoint: 'https://otlp.example.com/v1/metrics' });
    expect(goesTo({ hostname: 'otlp.example.com', port: '', protocol: 'https:' }, https)).toBe(true);
    expect(
      goesTo({ hostname: '[::1]', port: '4318' }, otlpTarget({ ...http, otlpEndpoint: 'http://[::1]:4318' })),
    ).toBe(true);
    expect(otlpTarget({ ...http, exporters: ['prometheus'], otlpEndpoint: 'http://collector:4318' })).toBeUndefined();
    expect(otlpTarget({ ...http, otlpProtocol: 'grpc', otlpEndpoint: 'http://collector:4317' })).toBeUndefined();
  });
});

describe('httpSpansWanted', () => {
  it('is false without a TracerProvider, true when MLTEL_HTTP_INSTRUMENTATION=contrib asks for the contrib instrumentation', () => {
    expect(httpSpansWanted({})).toBe(false);
    expect(httpSpansWanted({ MLTEL_HTTP_INSTRUMENTATION: ' Contrib ' })).toBe(true);
    expect(httpSpansWanted({ MLTEL_HTTP_INSTRUMENTATION: 'diagnostics' })).toBe(false);
  });

  it('is true once a TracerProvider is registered', async () => {
    const { trace, ProxyTracerProvider } = await import('@opentelemetry/api');
    expect(trace.setGlobalTracerProvider(new ProxyTracerProvider())).toBe(true);
    try {
      expect(httpSpansWanted({})).toBe(true);
    } finally {
      trace.disable();
    }
    expect(httpSpansWanted({})).toBe(false);
  });
});

describe('the standard variables', () => {
  it('enable all by default and honour the enabled and disabled lists', () => {
    expect(resolveConfig({ env: {} }).config.contribInstrumentations).toEqual([
      'http',
      'undici',
      'express',
      'runtime-node',
      'pg',
      'mysql2',
      'redis',
      'ioredis',
    ]);
    const only = { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,openai' };
    expect(resolveConfig({ env: only }).config.contribInstrumentations).toEqual(['http']);
    const off = { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'runtime-node, pg' };
    expect(resolveConfig({ env: off }).config.contribInstrumentations).not.toContain('runtime-node');
    expect(resolveConfig({ env: off }).config.contribInstrumentations).not.toContain('pg');
  });
});

describe('startContribInstrumentations', () => {
  it('records the Node runtime metrics on the given provider', async () => {
    const sdk = sdkProvider();
    stop = startContribInstrumentations(configWith(['runtime-node']), {
      meterProvider: sdk.provider,
      prometheusPort: Promise.resolve(undefined),
    });
    const names = [...(await sdk.collect()).byName.keys()];
    expect(names).toEqual(
      expect.arrayContaining(['nodejs.eventloop.utilization', 'nodejs.eventloop.time', 'v8js.memory.heap.used']),
    );
    // The delay gauges once the event-loop delay histogram has samples (one per 10 ms), the GC
    // histogram once a collection ran: then every catalog entry of the family is checked.
    const collected = await waitFor('event-loop delay and a GC', async () => {
      if (typeof globalThis.gc === 'function') globalThis.gc();
      else new Array(1e6).fill({}).map((x) => ({ x }));
      const collection = await sdk.collect();
      return collection.metric('nodejs.eventloop.delay.p99') && collection.metric('v8js.gc.duration')
        ? collection.byName
        : undefined;
    });
    expect(catalogMismatches('runtime', collected)).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  it('starts nothing for the names whose contrib instrumentation records no metric', async () => {
    const sdk = sdkProvider();
    stop = startContribInstrumentations(configWith(['redis', 'ioredis']), {
      meterProvider: sdk.provider,
      prometheusPort: Promise.resolve(undefined),
    });
    expect([...(await sdk.collect()).byName.keys()]).toEqual([]);
  });

  // The diagnostics-channel metrics by default (no TracerProvider here), the contrib
  // instrumentation when spans are asked for: the same counts either way.
  it.each([
    // The contrib one first: the require hook caches node:http as it first loads it here.
    ['the contrib instrumentation', 'contrib', '@opentelemetry/instrumentation-http'],
    ['the diagnostics-channel metrics', undefined, '@mltel/node/http'],
  ])(
    'counts each node:http server request once, and not those of the own endpoint port: %s',
    async (_name, choice, scope) => {
      const saved = process.env.MLTEL_HTTP_INSTRUMENTATION;
      if (choice === undefined) delete process.env.MLTEL_HTTP_INSTRUMENTATION;
      else process.env.MLTEL_HTTP_INSTRUMENTATION = choice;
      const sdk = sdkProvider();
      let ownPort: (port: number) => void = () => {};
      try {
        stop = startContribInstrumentations(configWith(['http']), {
          meterProvider: sdk.provider,
          prometheusPort: new Promise((resolve) => {
            ownPort = resolve;
          }),
        });
      } finally {
        if (saved === undefined) delete process.env.MLTEL_HTTP_INSTRUMENTATION;
        else process.env.MLTEL_HTTP_INSTRUMENTATION = saved;
      }
      const http = requireHere('node:http') as typeof import('node:http');
      const listen = async (): Promise<Server> => {
        const server = http.createServer((_request, response) => response.end('ok'));
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        return server;
      };
      const app = await listen();
      const endpoint = await listen();
      ownPort((endpoint.address() as AddressInfo).port);
      await new Promise((resolve) => setImmediate(resolve));
      try {
        for (const server of [app, app, app, endpoint]) {
          await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`)).text();
        }
        const collection = await sdk.collect();
        const points = collection.histograms('http.server.request.duration');
        expect(
          points.map((p) => [p.attributes['http.request.method'], p.attributes['http.response.status_code'], p.count]),
        ).toEqual([['GET', 200, 3]]);
        const scopes = (await sdk.reader.collect()).resourceMetrics.scopeMetrics;
        expect(
          scopes
            .filter((s) => s.metrics.some((m) => m.descriptor.name === 'http.server.request.duration'))
            .map((s) => s.scope.name),
        ).toEqual([scope]);
      } finally {
        app.closeAllConnections();
        endpoint.closeAllConnections();
        app.close();
        endpoint.close();
      }
    },
  );
});

// In a child Node process on the build: the first-load trigger registers a resolve hook, which in
// the test process would change how vitest loads modules. A second hook, registered first (so run
// last), records which instrumentation packages are resolved; express and pg are the repository's.
describe('the Express and pg instrumentations', () => {
  it('are loaded only when the application loads their module, and patch that first load', { timeout: 30_000 }, () => {
    const url = (path: string) => JSON.stringify(pathToFileURL(built(path)).href);
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const script = `import { startContribInstrumentations } from ${url('contrib')};
import { resolveConfig } from ${url('config/env')};
import { metrics } from ${JSON.stringify(import.meta.resolve('@opentelemetry/api'))};
import { createRequire, registerHooks } from 'node:module';
const seen = new Set();
registerHooks({ resolve(specifier, context, next) {
  const result = next(specifier, context);
  for (const name of ['express', 'pg']) {
    if (result.url.includes('/@opentelemetry/instrumentation-' + name + '/')) seen.add(name);
    if (result.url.endsWith('/vendor/opentelemetry-instrumentation-' + name + '.js')) seen.add(name);
  }
  return result;
} });
const require = createRequire(${JSON.stringify(`${root}app.cjs`)});
const stop = startContribInstrumentations(resolveConfig({ env: {} }).config, {
  meterProvider: metrics.getMeterProvider(),
  prometheusPort: Promise.resolve(undefined),
});
console.log('started', [...seen].join(',') || 'none');
const express = require('express');
console.log('express', [...seen].join(','), express.application.use.__wrapped === true);
const { Client } = require('pg');
console.log('pg', [...seen].join(','), Client.prototype.query.__wrapped === true);
stop();
console.log('stopped', Client.prototype.query.__wrapped === true);
process.exit(0);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual([
      'started none',
      'express express true',
      'pg express,pg true',
      'stopped false',
    ]);
  });
});
