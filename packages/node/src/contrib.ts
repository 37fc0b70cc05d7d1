import type { RequestOptions } from 'node:http';
import { context, diag } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import { cachePackageVersions } from '@mltel/kit';
import type { ContribInstrumentationName, ResolvedConfig } from './config/types.js';
import { Mysql2Instrumentation } from './contrib-mysql2.js';
import { HttpMetricsInstrumentation } from './http-metrics.js';
import { Starts } from './module-trigger.js';
import { requireEsm } from './require-esm.js';

// The contrib instrumentations of a Node distribution, loaded only when enabled so that a disabled
// one costs nothing at start-up. Synchronously (the hooks must be in place before the application
// loads its modules), and their ES module builds through require(esm): the CommonJS builds pull in
// a second copy of @opentelemetry/core, instrumentation and semantic-conventions beside the ES
// ones mltel runs on (measured on Node 24: the five packages took 55 ms as CommonJS, 18 ms as ES): requireEsm.

type HttpModule = typeof import('@opentelemetry/instrumentation-http');
type UndiciModule = typeof import('@opentelemetry/instrumentation-undici');
type ExpressModule = typeof import('@opentelemetry/instrumentation-express');
type RuntimeModule = typeof import('@opentelemetry/instrumentation-runtime-node');
type PgModule = typeof import('@opentelemetry/instrumentation-pg');
type ContextModule = typeof import('@opentelemetry/context-async-hooks');

/** What {@link startContribInstrumentations} needs to know of the SDK it runs in. */
export interface ContribOptions {
  /** The provider the instrumentations record on (not only the global one: that may be another SDK's). */
  meterProvider: MeterProvider;
  /** The Prometheus endpoint's port once it listens: its scrapes are not counted as requests. */
  prometheusPort: Promise<number | undefined>;
}

/**
 * The instrumentations that record metrics. `redis` and `ioredis` are accepted names but start
 * nothing: their contrib instrumentations record spans only (docs/http-db-runtime.md), and
 * node-redis >= 5 records its own metrics on the global provider when the app calls its
 * `OpenTelemetry.init()`. `mysql2` is mltel's own (./contrib-mysql2.ts): the contrib one records
 * spans only.
 */
const RECORDING: readonly ContribInstrumentationName[] = ['http', 'undici', 'express', 'runtime-node', 'pg', 'mysql2'];

/** The modules each instrumentation patches, as an application imports them. */
const ESM_MODULES: Partial<Record<ContribInstrumentationName, readonly string[]>> = {
  http: ['http', 'https'],
  express: ['express'],
  pg: ['pg', 'pg-pool'],
};

/**
 * The instrumentations that only patch packages (./module-trigger.ts): loaded and started when
 * the application first loads one of them (the first resolution of a file inside it, before it
 * loads), so that an application without Express or PostgreSQL does not pay for them at start-up
 * (about 5 ms each, Node 24). The others start at once: `http`, `mysql2` (a few lines, nothing
 * to load), `undici` (diagnostics channels of the fetch built into Node, used before any import),
 * `runtime-node` (its event-loop and GC readings count from its start).
 */
const ON_FIRST_LOAD: readonly ContribInstrumentationName[] = ['express', 'pg'];

/**
 * The modules the enabled instrumentations need to see when the application imports them as ES
 * modules (import-in-the-middle's `include`, ../esm-hook.ts). An ES `import` of a CommonJS
 * package (express, pg) loads it without the require() that the require hook patches, so those
 * are listed too (measured: without `express` here, an ESM app's routes had no `http.route`).
 * `undici` and `runtime-node` hook no module (diagnostics channels, perf_hooks). `http` lists
 * `http` and `https` even when mltel's own HTTP metrics run (they patch nothing): import-in-the-
 * middle wraps only the modules of its one `include` list, and an application that starts its own
 * SDK after the preload (NodeSDK with instrumentation-http, for its spans) needs `node:http`
 * wrapped for its ES imports (test/integration/prometheus-openmetrics.test.ts failed without).
 */
export function contribEsmModules(config: ResolvedConfig): string[] {
  return config.contribInstrumentations.flatMap((name) => ESM_MODULES[name] ?? []);
}

/**
 * Instruments created by two libraries with different descriptions make the Prometheus exporter
 * warn of conflicting HELP lines: the undici and http instrumentations' `http.client.request.duration`,
 * and the `db.client.operation.duration` of node-redis's own metrics (when the app turns them on)
 * and of the pg instrumentation. One description per family, the upstream instrumentation's.
 */
export function contribViews(config: ResolvedConfig): ViewOptions[] {
  const views: ViewOptions[] = [
    {
      meterName: 'node-redis',
      instrumentName: 'db.client.operation.duration',
      description: 'Duration of database client operations.',
    },
  ];
  if (config.contribInstrumentations.includes('undici')) {
    views.push({
      meterName: '@opentelemetry/instrumentation-undici',
      instrumentName: 'http.client.request.duration',
      description: 'Duration of HTTP client requests.',
    });
  }
  return views;
}

let contextManagerChecked = false;

/**
 * `http.route` (from the Express instrumentation) travels in the active context, so it needs a
 * context manager. mltel registers one (AsyncLocalStorage, as NodeSDK does) only if none is
 * registered when the first request arrives: an SDK the app starts at start-up registers its own
 * first and keeps it, without a "duplicate registration" error.
 */
function ensureContextManager(): void {
  if (contextManagerChecked) return;
  contextManagerChecked = true;
  if (apiGlobals()?.context !== undefined) return;
  const { AsyncLocalStorageContextManager } = requireEsm<ContextModule>('@opentelemetry/context-async-hooks');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** The OpenTelemetry API's globals: what is registered (a TracerProvider under `trace`). */
function apiGlobals(): { context?: unknown; trace?: unknown } | undefined {
  return (globalThis as Record<symbol, { context?: unknown; trace?: unknown } | undefined>)[
    Symbol.for('opentelemetry.js.api.1')
  ];
}

/**
 * Whether HTTP spans are wanted, so that the `http` name starts the contrib
 * @opentelemetry/instrumentation-http (spans and metrics) rather than mltel's diagnostics-channel
 * metrics (./http-metrics.ts): a TracerProvider is registered when mltel starts (mltel registers
 * none), or `MLTEL_HTTP_INSTRUMENTATION=contrib` asks for it (a TracerProvider registered later).
 */
export function httpSpansWanted(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  if ((env.MLTEL_HTTP_INSTRUMENTATION ?? '').trim().toLowerCase() === 'contrib') return true;
  return apiGlobals()?.trace !== undefined;
}

/** The `host:port` of the OTLP endpoint mltel pushes to over HTTP, or undefined. */
export function otlpTarget(
  config: Pick<ResolvedConfig, 'exporters' | 'otlpEndpoint' | 'otlpProtocol'>,
): string | undefined {
  if (!config.exporters.includes('otlp') || config.otlpProtocol === 'grpc') return undefined;
  try {
    const url = new URL(config.otlpEndpoint);
    return `${url.hostname.replace(/^\[|\]$/g, '')}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return undefined;
  }
}

/** Whether node:http request options go to `target` (`host:port`): mltel's own OTLP pushes are not app traffic. */
export function goesTo(options: RequestOptions, target: string | undefined): boolean {
  if (target === undefined) return false;
  const hostPort = options.hostname === undefined ? /:(\d+)$/.exec(options.host ?? '')?.[1] : undefined;
  const host = (options.hostname ?? (options.host ?? 'localhost').replace(/:\d+$/, '')).replace(/^\[|\]$/g, '');
  // The OTLP exporter passes the URL's port, '' for the scheme's default.
  const given = options.port === '' || options.port === null ? hostPort : (options.port ?? hostPort);
  const port = given ?? options.defaultPort ?? (options.protocol === 'https:' ? 443 : 80);
  return `${host}:${port}` === target;
}

function create(
  name: ContribInstrumentationName,
  ownPort: () => number | undefined,
  exportTarget: string | undefined,
): Instrumentation | undefined {
  switch (name) {
    case 'http': {
      if (!httpSpansWanted()) {
        return new HttpMetricsInstrumentation({
          ignoreIncoming: (request) =>
            request.socket?.localPort !== undefined && request.socket.localPort === ownPort(),
          ignoreOutgoing: (target) => goesTo(target, exportTarget),
        });
      }
      const { HttpInstrumentation } = requireEsm<HttpModule>('@opentelemetry/instrumentation-http');
      return new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => {
          ensureContextManager();
          return request.socket?.localPort !== undefined && request.socket.localPort === ownPort();
        },
        ignoreOutgoingRequestHook: (options) => goesTo(options, exportTarget),
      });
    }
    case 'undici': {
      const { UndiciInstrumentation } = requireEsm<UndiciModule>('@opentelemetry/instrumentation-undici');
      return new UndiciInstrumentation();
    }
    case 'express': {
      const { ExpressInstrumentation } = requireEsm<ExpressModule>('@opentelemetry/instrumentation-express');
      return new ExpressInstrumentation();
    }
    case 'runtime-node': {
      const { RuntimeNodeInstrumentation } = requireEsm<RuntimeModule>('@opentelemetry/instrumentation-runtime-node');
      return new RuntimeNodeInstrumentation();
    }
    case 'pg': {
      const { PgInstrumentation } = requireEsm<PgModule>('@opentelemetry/instrumentation-pg');
      return new PgInstrumentation();
    }
    case 'mysql2':
      return new Mysql2Instrumentation();
    default:
      return undefined;
  }
}

/**
 * Starts the HTTP, runtime and database-client instrumentations the configuration leaves on
 * (`OTEL_NODE_ENABLED_INSTRUMENTATIONS` / `OTEL_NODE_DISABLED_INSTRUMENTATIONS`), recording on
 * the given provider: Express and pg when the application first loads them ({@link ON_FIRST_LOAD}).
 * Returns the function that disables them, those started later included, and cancels the starts
 * still waiting. Never throws: an instrumentation
 * that cannot start is one warning, and the others run.
 */
export function startContribInstrumentations(config: ResolvedConfig, options: ContribOptions): () => void {
  const starts = new Starts();
  let port: number | undefined;
  options.prometheusPort.then(
    (value) => {
      port = value;
    },
    () => {},
  );
  const exportTarget = otlpTarget(config);
  const start = (name: ContribInstrumentationName): Instrumentation | undefined => {
    try {
      const instrumentation = create(name, () => port, exportTarget);
      if (instrumentation === undefined) return undefined;
      // Express and pg: their package.json is read once, not once per file required.
      cachePackageVersions(instrumentation);
      instrumentation.setMeterProvider(options.meterProvider);
      return instrumentation;
    } catch (error) {
      diag.warn(
        `mltel: the ${name} instrumentation is off (${error instanceof Error ? error.message : String(error)}). ` +
          `Fix: reinstall @mltel/node, or set OTEL_NODE_DISABLED_INSTRUMENTATIONS=${name} to silence this.`,
      );
      return undefined;
    }
  };
  for (const name of config.contribInstrumentations) {
    if (!RECORDING.includes(name)) continue;
    const packages = ON_FIRST_LOAD.includes(name) ? ESM_MODULES[name] : undefined;
    if (packages === undefined) starts.now(() => start(name));
    else starts.onFirstLoad(packages, () => start(name));
  }
  return () => starts.stop();
}
