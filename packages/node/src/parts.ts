// mltel's pieces as parts of an OpenTelemetry SDK the application starts itself (NodeSDK, or a
// MeterProvider of its own): the Prometheus reader with mltel's names, the LLM client and GPU
// instrumentations, and the cost meter. Configured by the same variables as the preload.
import { diag, metrics } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import type { CostMeter } from '@mltel/cost';
import type { GpuHostMetrics } from '@mltel/host-metrics-gpu';
import { MLTEL_VERSION } from '@mltel/kit';
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import { resolveConfig } from './config/env.js';
import type { ConfigProblem, GpuSettings, ResolvedConfig, StartOptions } from './config/types.js';
import { startProviderMetering } from './metering.js';
import { registerEsmHook } from './esm-hook.js';
import { startGpu } from './gpu.js';
import { llmEsmModules, startLlmInstrumentations } from './llm.js';
import { createPrometheusEndpoint } from './prometheus/reader.js';
import { listenError } from './sdk.js';

function configOf(options: StartOptions, relevant: (problem: ConfigProblem) => boolean): ResolvedConfig {
  const { config, problems } = resolveConfig(options);
  for (const problem of problems) if (relevant(problem)) diag.warn(`mltel: ${problem.message}`);
  return config;
}

/**
 * mltel's Prometheus reader for another SDK's `metricReaders`: the names and labels of mltel's
 * own endpoint (unit suffixes, `_ratio`, `target_info`; ./prometheus/), served at once on
 * `OTEL_EXPORTER_PROMETHEUS_HOST`:`OTEL_EXPORTER_PROMETHEUS_PORT` (default 127.0.0.1:9464, or
 * `prometheusHost`/`prometheusPort`), stopped when the provider shuts down. A port that cannot be
 * bound is one error line with the fix; the application runs on. One process only: cluster
 * workers are not merged (use the preload for that).
 */
export function mltelPrometheusReader(
  options: Pick<StartOptions, 'prometheusHost' | 'prometheusPort' | 'env'> = {},
): MetricReader {
  const config = configOf(options, (problem) => problem.setting.startsWith('OTEL_EXPORTER_PROMETHEUS'));
  const endpoint = createPrometheusEndpoint();
  endpoint.listen(config.prometheusHost, config.prometheusPort).catch((error: unknown) => {
    diag.error(listenError(config, error));
  });
  const reader = endpoint.reader;
  const shutdownReader = reader.shutdown.bind(reader);
  reader.shutdown = async (shutdownOptions) => {
    try {
      await shutdownReader(shutdownOptions);
    } finally {
      await endpoint.close();
    }
  };
  return reader;
}

/** A started part: how to stop it, and how to move it to another provider (if it binds to one). */
export interface RunningPart {
  stop(): void;
  setMeterProvider?(provider: MeterProvider): void;
}

/**
 * One of mltel's parts as an OpenTelemetry `Instrumentation`, so that NodeSDK (or
 * `registerInstrumentations`) enables, disables and gives it its MeterProvider. `start` starts
 * the part on a provider and returns how to stop it.
 */
export class PartInstrumentation implements Instrumentation {
  readonly instrumentationVersion = MLTEL_VERSION;
  private provider: MeterProvider = metrics.getMeterProvider();
  private running: RunningPart | undefined;
  private config: InstrumentationConfig = { enabled: false };

  constructor(
    readonly instrumentationName: string,
    private readonly start: (provider: MeterProvider) => RunningPart,
  ) {}

  /** Starts the part (idempotent). */
  enable(): void {
    if (this.running !== undefined) return;
    this.running = this.start(this.provider);
    this.config = { ...this.config, enabled: true };
  }

  /** Stops the part (idempotent). */
  disable(): void {
    this.running?.stop();
    this.running = undefined;
    this.config = { ...this.config, enabled: false };
  }

  /** Moves the part to `provider` (NodeSDK gives its own after registering it). */
  setMeterProvider(provider: MeterProvider): void {
    this.provider = provider;
    this.running?.setMeterProvider?.(provider);
  }

  /** mltel's parts record no spans. */
  setTracerProvider(): void {}

  /** Only `enabled` is read, and it follows enable() and disable(). */
  setConfig(config: InstrumentationConfig): void {
    this.config = { ...config, enabled: this.running !== undefined };
  }

  /** The configuration; `enabled` tells whether the part runs. */
  getConfig(): InstrumentationConfig {
    return this.config;
  }
}

function gpuPart(settings: GpuSettings): PartInstrumentation {
  return new PartInstrumentation('@mltel/host-metrics-gpu', (provider) => {
    const gpu: GpuHostMetrics | undefined = startGpu(settings, provider);
    return {
      stop: () => gpu?.disable(),
      setMeterProvider: (next) => gpu?.setMeterProvider(next),
    };
  });
}

function llmPart(config: ResolvedConfig): PartInstrumentation {
  // The import hook now, before the application's imports are linked (ESM `import` of the clients).
  registerEsmHook(llmEsmModules(config));
  // The clients record through the shared provider meter, which follows the global provider.
  return new PartInstrumentation('@mltel/instrumentation-llm', () => ({ stop: startLlmInstrumentations(config) }));
}

/** mltel's parts for an SDK of the application's own, as {@link mltelParts} returns them. */
export interface MltelParts {
  /** mltel's Prometheus reader ({@link mltelPrometheusReader}); undefined when `OTEL_METRICS_EXPORTER` leaves prometheus out. */
  metricReader: MetricReader | undefined;
  /** The LLM client instrumentations (those of `OTEL_NODE_*_INSTRUMENTATIONS`) and the GPU metrics (`MLTEL_GPU`). */
  instrumentations: Instrumentation[];
  /** The cost meter (prices, budgets) on the provider-call metrics; undefined with `MLTEL_COST=false`. */
  cost: CostMeter | undefined;
}

/**
 * mltel's parts for an SDK the application starts itself, configured like the preload (the same
 * variables, or `options`): pass `metricReader` in `metricReaders` and `instrumentations` in
 * `instrumentations` of NodeSDK (docs/opentelemetry.md). The provider-call meter and the cost
 * meter are set up here, before the instrumentations that feed them. Never throws: each part
 * that cannot start is one warning.
 */
export function mltelParts(options: StartOptions = {}): MltelParts {
  const config = configOf(options, () => true);
  const cost = startProviderMetering(config);
  const instrumentations: Instrumentation[] = [];
  if (config.llmInstrumentations.length > 0) instrumentations.push(llmPart(config));
  if (config.gpu.mode !== 'off') instrumentations.push(gpuPart(config.gpu));
  return {
    metricReader: config.exporters.includes('prometheus')
      ? mltelPrometheusReader({ prometheusHost: config.prometheusHost, prometheusPort: config.prometheusPort })
      : undefined,
    instrumentations,
    cost,
  };
}
