import cluster from 'node:cluster';
import { isMainThread } from 'node:worker_threads';
import { diag, DiagLogLevel, metrics } from '@opentelemetry/api';
import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { announceProviderChange, describeText, reportSuppressedWarnings } from '@mltel/kit';
import { ConsoleMetricExporter, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { IMetricReader, MeterProvider } from '@opentelemetry/sdk-metrics';
import { resolveConfig } from './config/env.js';
import type { ConfigProblem, ResolvedConfig, StartOptions } from './config/types.js';
import { installDiagLogger } from './diag-logger.js';
import { SafeConsoleLogger } from './config/log.js';
import {
  adoptionLine,
  explicitSetting,
  flushProvider,
  foreignMeterProvider,
  logLine,
  oneVersionPerLibrary,
  watchLateRegistration,
} from './coexistence.js';
import { createMeterProvider, registerExtraInstrumentations } from './extensions.js';
import { HistogramAggregationReader } from './histogram-reader.js';
import { createOtlpExporter, OtlpSetupError } from './otlp/exporter.js';
import { QuietFailureExporter } from './otlp/safe-exporter.js';
import { createPrometheusEndpoint } from './prometheus/reader.js';
import type { PrometheusEndpoint } from './prometheus/reader.js';
import { captureExemplars } from './exemplars/capture.js';
import { ExemplarStore } from './exemplars/store.js';
import { startMultiprocess } from './multiprocess/start.js';
import type { Multiprocess } from './multiprocess/start.js';
import type { CostMeter } from '@mltel/cost';
import { startProviderMetering } from './metering.js';
import { llmEsmModules, startLlmInstrumentations } from './llm.js';
import { contribEsmModules, contribViews, startContribInstrumentations } from './contrib.js';
import { registerEsmHook } from './esm-hook.js';
import { startMessagingInstrumentations } from './messaging.js';
import { startGpu } from './gpu.js';
import { startHostMetrics } from './host-metrics.js';
import { buildResource } from './resource.js';

/** A running mltel SDK, as returned by {@link start}. */
export interface MltelSdk {
  /** The resolved configuration it runs with. */
  readonly config: ResolvedConfig;
  /** Start-up problems found (each was logged once). */
  readonly problems: readonly ConfigProblem[];
  /** The provider, also set as the global one. Undefined when disabled or when another SDK's provider was adopted. */
  readonly meterProvider: MeterProvider | undefined;
  /**
   * The global provider another OpenTelemetry SDK registered before mltel started: mltel records
   * into it and starts no exporter of its own (./coexistence.ts). Undefined when mltel's own runs.
   */
  readonly adoptedProvider: ApiMeterProvider | undefined;
  /** The cost meter (prices, budgets); undefined when disabled or MLTEL_COST=false. */
  readonly cost: CostMeter | undefined;
  /** Resolves once the Prometheus endpoint listens (with its port) or failed to (undefined). */
  readonly prometheusPort: Promise<number | undefined>;
  /** The Prometheus exposition text now, without HTTP (undefined without the prometheus exporter). */
  scrape(): Promise<string | undefined>;
  /** Exports pending metrics now (OTLP, console); bounded by `MLTEL_SHUTDOWN_TIMEOUT`. */
  flush(): Promise<void>;
  /** Flushes and stops everything; bounded by `MLTEL_SHUTDOWN_TIMEOUT` (default 5 s). Safe to call twice. */
  shutdown(): Promise<void>;
}

const LOG_LEVELS: Record<string, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

let running: MltelSdk | undefined;

// Waits for `promise` at most `ms`. The timer is ref'd on purpose: mltel's sockets are unref'd
// (./otlp/agent.ts), so during an exit flush this timer is what keeps the process alive until the
// flush is done or the bound is reached; it is cleared as soon as the promise settles.
function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        diag.warn(`mltel: shutdown error: ${error instanceof Error ? error.message : describeText(error)}`);
        resolve();
      },
    );
  });
}

/** The line logged when the Prometheus endpoint cannot listen: where, why, and the fix. */
export function listenError(config: Pick<ResolvedConfig, 'prometheusHost' | 'prometheusPort'>, error: unknown): string {
  const code = (error as { code?: string }).code;
  const where = `${config.prometheusHost}:${config.prometheusPort}`;
  const why =
    code === 'EADDRINUSE'
      ? 'the port is already in use'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND'
          ? 'the host is not an address of this machine'
          : error instanceof Error
            ? error.message
            : String(error);
  return (
    `mltel: cannot serve Prometheus metrics on ${where}: ${why}. The application keeps running without ` +
    `a scrape endpoint. Fix: set OTEL_EXPORTER_PROMETHEUS_PORT (and OTEL_EXPORTER_PROMETHEUS_HOST) to a free ` +
    `address, or OTEL_METRICS_EXPORTER=otlp or none.`
  );
}

/**
 * Flush on exit without changing how the process ends:
 * - SIGTERM/SIGINT with no handler of the app: flush (bounded), then re-raise the signal so the
 *   process dies of it as it would without mltel (exit 143/130, `signal` SIGTERM/SIGINT). A second
 *   signal during the flush re-raises at once.
 * - SIGTERM/SIGINT with handlers of the app (`on` or `once`): the app decides when it exits; mltel
 *   only flushes (bounded) and keeps recording through the app's drain. Our listener is
 *   prepended and stays installed, so the app's `once` listeners are still counted when it runs
 *   (a `once` listener of ours was already gone when it asked, and the app was killed mid-drain).
 * - The natural end (`beforeExit`): shut down (bounded); the process then ends by itself.
 * `process.exit()` runs no asynchronous work: what the last interval counted is lost (as on
 * SIGKILL).
 */
function installExitHandlers(flush: () => Promise<void>, shutdown: () => Promise<void>): () => void {
  const flushing = new Set<NodeJS.Signals>();
  const onSignal = (signal: NodeJS.Signals): void => {
    const appListens = process.listeners(signal).some((listener) => listener !== onSignal);
    if (appListens) {
      void flush();
      return;
    }
    if (flushing.has(signal)) {
      reRaise(signal);
      return;
    }
    flushing.add(signal);
    void shutdown().finally(() => reRaise(signal));
  };
  const reRaise = (signal: NodeJS.Signals): void => {
    uninstall();
    // With no listener left, Node applies the default action: the process dies of the signal.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const onBeforeExit = (): void => {
    void shutdown();
  };
  const uninstall = (): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('beforeExit', onBeforeExit);
  };
  process.prependListener('SIGTERM', onSignal);
  process.prependListener('SIGINT', onSignal);
  process.once('beforeExit', onBeforeExit);
  return uninstall;
}

function disabledSdk(config: ResolvedConfig, problems: ConfigProblem[]): MltelSdk {
  return {
    config,
    problems,
    meterProvider: undefined,
    adoptedProvider: undefined,
    cost: undefined,
    prometheusPort: Promise.resolve(undefined),
    scrape: async () => undefined,
    flush: async () => {},
    shutdown: async () => {},
  };
}

/**
 * Starts the metrics SDK: a MeterProvider set as the global one, with the exporters of
 * `OTEL_METRICS_EXPORTER` (default: a Prometheus endpoint on 127.0.0.1:9464), host metrics, and
 * flush on exit. Never throws for configuration or environment problems: each is logged once
 * through `diag` with its fix, and the application runs on. A second call returns the first SDK.
 */
export function start(options: StartOptions = {}): MltelSdk {
  if (running !== undefined) {
    diag.warn('mltel: start() was called again; the running SDK is kept. Call shutdown() first to restart.');
    return running;
  }
  const { config, problems } = resolveConfig(options);
  // mltel's console logger at OTEL_LOG_LEVEL, unless the application has set its own (kept).
  // Wrapped: an SDK started after mltel gets one line saying what to do (./coexistence.ts).
  installDiagLogger(LOG_LEVELS[config.logLevel] ?? DiagLogLevel.WARN, watchLateRegistration(new SafeConsoleLogger()));
  for (const problem of problems) diag.warn(`mltel: ${problem.message}`);
  if (config.disabled) return disabledSdk(config, problems);

  // Another SDK registered the global provider first: mltel records into it and starts none of
  // its own exporters (./coexistence.ts).
  const foreign = foreignMeterProvider();
  const exporters = foreign === undefined ? config.exporters : [];
  const readers: IMetricReader[] = [];
  // Histogram exemplars (trace and span ids), served in OpenMetrics scrapes of the endpoint.
  const exemplars = new ExemplarStore();
  let prometheus: PrometheusEndpoint | undefined;
  // Cluster workers and worker threads serve nothing: they report to the serving main thread.
  let multiprocess: Multiprocess | undefined;
  if (exporters.includes('prometheus')) {
    prometheus = createPrometheusEndpoint({
      merge: async (resourceMetrics) => (multiprocess ? multiprocess.merge(resourceMetrics) : resourceMetrics),
      exemplars,
    });
    readers.push(prometheus.reader);
    if (config.multiprocess) {
      const reader = prometheus.reader;
      multiprocess = startMultiprocess(() => reader.collect(), {
        timeoutMs: config.multiprocessTimeoutMillis,
        pushMs: config.multiprocessPushMillis,
      });
    }
  }
  if (exporters.includes('otlp')) {
    try {
      const exporter = createOtlpExporter(
        config.otlpProtocol,
        config.otlpEndpoint,
        config.otlpHeaders,
        config.exportTimeoutMillis,
        config.otlpTlsFiles,
      );
      readers.push(
        new HistogramAggregationReader({
          exporter: new QuietFailureExporter(exporter, config.otlpEndpoint, 'OTEL_EXPORTER_OTLP_ENDPOINT'),
          exportIntervalMillis: config.exportIntervalMillis,
          exportTimeoutMillis: config.exportTimeoutMillis,
          histogramAggregation: config.histogramAggregation,
        }),
      );
    } catch (error) {
      diag.warn(
        error instanceof OtlpSetupError
          ? `mltel: ${error.message}`
          : `mltel: cannot create the OTLP exporter (${error instanceof Error ? error.message : describeText(error)}); ` +
              `OTLP export is off. Fix: check OTEL_EXPORTER_OTLP_PROTOCOL and OTEL_EXPORTER_OTLP_ENDPOINT.`,
      );
    }
  }
  if (exporters.includes('console')) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new ConsoleMetricExporter(),
        exportIntervalMillis: config.exportIntervalMillis,
        exportTimeoutMillis: config.exportTimeoutMillis,
      }),
    );
  }

  // With the application's readers and views (StartOptions), when the SDK accepts them.
  const meterProvider = createMeterProvider({
    resource: buildResource(config.serviceName, config.resourceAttributes, config.resourceDetectors),
    readers,
    builtInViews: contribViews(config),
    buckets: config.histogramBuckets,
    extraReaders: options.readers ?? [],
    extraViews: options.views ?? [],
  });
  if (prometheus) captureExemplars(meterProvider, exemplars);
  // The provider mltel's parts record into: its own, or the one another SDK registered first.
  const provider: ApiMeterProvider = foreign ?? meterProvider;
  const hostMetricsHere =
    foreign === undefined || explicitSetting(options.hostMetrics, 'MLTEL_HOST_METRICS', options.env);
  if (foreign !== undefined) {
    logLine(
      adoptionLine({
        exporters: config.exporters,
        exportersExplicit: explicitSetting(options.exporters, 'OTEL_METRICS_EXPORTER', options.env),
        hostMetrics: hostMetricsHere,
        extensions: (options.readers?.length ?? 0) + (options.views?.length ?? 0) > 0,
      }),
    );
  } else {
    // An SDK started later hands mltel's provider its own copies of the same instrumentations.
    oneVersionPerLibrary(meterProvider);
    if (metrics.setGlobalMeterProvider(meterProvider)) announceProviderChange();
    else
      diag.warn(
        'mltel: the global MeterProvider could not be set (an incompatible @opentelemetry/api registered one); mltel metrics are recorded only where the instruments were given a provider. Fix: use one @opentelemetry/api 1.x in the application.',
      );
  }

  // Host and process metrics: only groups that spawn no process, host-wide ones once per host.
  const hostMetrics = startHostMetrics(hostMetricsHere ? config.hostMetrics : false, provider);

  // GPU metrics from nvidia-smi (MLTEL_GPU=auto: only when it is found; never throws). One
  // reader per host is enough: a cluster worker or a worker thread would run nvidia-smi again
  // and report the same GPUs once per worker, so only the main thread of a process that is not
  // a cluster worker (the primary, or a plain process) runs the plugin.
  const gpu = isMainThread && !cluster.isWorker ? startGpu(config.gpu, provider) : undefined;

  // The shared provider meter first, then the cost meter on it, then the clients that feed it.
  const cost = startProviderMetering(config);
  // One ESM loader hook for every instrumentation, before any of them starts (./esm-hook.ts).
  registerEsmHook([...llmEsmModules(config), ...contribEsmModules(config)]);
  const stopLlmInstrumentations = startLlmInstrumentations(config);
  const stopMessagingInstrumentations = startMessagingInstrumentations();
  const stopExtraInstrumentations = registerExtraInstrumentations(options.instrumentations ?? [], provider);

  const prometheusPort: Promise<number | undefined> =
    prometheus && multiprocess?.serves !== false
      ? prometheus.listen(config.prometheusHost, config.prometheusPort).then(
          (port) => port,
          (error: unknown) => {
            diag.error(listenError(config, error));
            return undefined;
          },
        )
      : Promise.resolve(undefined);
  // HTTP, runtime and database clients (./contrib.ts); the endpoint's own scrapes are not counted.
  // Not next to another SDK: it instruments HTTP and the runtime itself (they would count twice).
  const stopContribInstrumentations =
    foreign === undefined ? startContribInstrumentations(config, { meterProvider, prometheusPort }) : () => {};

  // One bound for the whole shutdown (MLTEL_SHUTDOWN_TIMEOUT): each step gets what is left of it.
  let shuttingDown: Promise<void> | undefined;
  let uninstallExit: () => void = () => {};
  const shutdown = (): Promise<void> => {
    shuttingDown ??= (async () => {
      uninstallExit();
      const deadline = performance.now() + config.shutdownTimeoutMillis;
      const left = (): number => deadline - performance.now();
      hostMetrics?.disable();
      gpu?.disable();
      stopLlmInstrumentations();
      stopMessagingInstrumentations();
      stopExtraInstrumentations();
      stopContribInstrumentations();
      if (cost !== undefined) await withTimeout(cost.close(), left());
      if (multiprocess !== undefined) {
        await withTimeout(multiprocess.flush(), Math.min(config.multiprocessTimeoutMillis, left()));
        multiprocess.stop();
      }
      // An adopted provider is the other SDK's to shut down: mltel only flushes what it recorded.
      await withTimeout(foreign === undefined ? meterProvider.shutdown() : flushProvider(foreign), left());
      await withTimeout(prometheus?.close() ?? Promise.resolve(), left());
      if (metrics.getMeterProvider() === meterProvider) metrics.disable();
      if (running === sdk) running = undefined;
      // Problems counted but not yet logged (kit's WarnOnce logs a kind at most once a minute).
      reportSuppressedWarnings();
    })();
    return shuttingDown;
  };
  const flush = (): Promise<void> =>
    withTimeout(
      foreign === undefined ? meterProvider.forceFlush() : flushProvider(foreign),
      config.shutdownTimeoutMillis,
    );
  const sdk: MltelSdk = {
    config,
    problems,
    meterProvider: foreign === undefined ? meterProvider : undefined,
    adoptedProvider: foreign,
    cost,
    prometheusPort,
    scrape: async () => prometheus?.scrape(),
    flush,
    shutdown,
  };
  if (config.handleExit) uninstallExit = installExitHandlers(flush, shutdown);
  running = sdk;
  return sdk;
}

/** Stops the SDK started by {@link start}, flushing first. Resolves at once when none runs. */
export function shutdown(): Promise<void> {
  return running?.shutdown() ?? Promise.resolve();
}

/** The SDK started by {@link start}, if one runs. */
export function current(): MltelSdk | undefined {
  return running;
}
