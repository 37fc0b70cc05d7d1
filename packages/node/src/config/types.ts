import type { HostMetricGroup } from './host-metrics.js';
import type { BudgetConfig, PriceEntry, ThresholdEvent } from '@mltel/cost';
import type { GpuExtras } from '@mltel/host-metrics-gpu';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ResourceDetector } from '@opentelemetry/resources';
import type { IMetricReader, ViewOptions } from '@opentelemetry/sdk-metrics';

/** Which metric exporters to run (`OTEL_METRICS_EXPORTER`, a comma list). */
export type ExporterName = 'prometheus' | 'otlp' | 'console';

/** OTLP transport (`OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` / `OTEL_EXPORTER_OTLP_PROTOCOL`). */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** An LLM client auto-instrumentation (`OTEL_NODE_ENABLED_INSTRUMENTATIONS` / `..._DISABLED_...` names). */
export type LlmClientName =
  | 'openai'
  | 'anthropic'
  | 'google-genai'
  | 'bedrock-runtime'
  | 'ai'
  | 'mistral'
  | 'groq'
  | 'cohere'
  | 'ollama'
  | 'fal'
  | 'langchain';

/**
 * A contrib instrumentation of the preload (HTTP, runtime, database clients), named as
 * auto-instrumentations-node names them in `OTEL_NODE_ENABLED_INSTRUMENTATIONS` / `..._DISABLED_...`.
 */
export type ContribInstrumentationName =
  | 'http'
  | 'undici'
  | 'express'
  | 'runtime-node'
  | 'pg'
  | 'mysql2'
  | 'redis'
  | 'ioredis';

/** Histogram bucket boundaries by instrument name (`MLTEL_HISTOGRAM_BUCKETS`; `*` matches any characters). */
export type HistogramBuckets = Record<string, readonly number[]>;

/** The OTLP histogram aggregation (`OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`). */
export type HistogramAggregation = 'explicit_bucket_histogram' | 'base2_exponential_bucket_histogram';

/** A resource detector `OTEL_NODE_RESOURCE_DETECTORS` can name (sdk-node's names). */
export type ResourceDetectorName = 'env' | 'host' | 'os' | 'process' | 'serviceinstance';

/**
 * The resource detectors to run: names, and in code detector objects of the application's own.
 * `default` (`OTEL_NODE_RESOURCE_DETECTORS` unset): env, host, serviceinstance, and the process
 * id and runtime without the rest of the process detector.
 */
export type ResourceDetectorSetting = 'default' | readonly (ResourceDetectorName | ResourceDetector)[];

/** Where budget spend is kept (`MLTEL_BUDGET_STORE`). */
export type BudgetStoreSetting = { kind: 'memory' } | { kind: 'file'; path: string } | { kind: 'redis'; url: string };

/** Options of {@link start}. Anything left out comes from the OTEL_* variables, then defaults. */
export interface StartOptions {
  /** Exporters to run; `[]` for none. Default from `OTEL_METRICS_EXPORTER`, else `['prometheus']`. */
  exporters?: ExporterName[];
  /** Prometheus endpoint host. Default `OTEL_EXPORTER_PROMETHEUS_HOST`, else `127.0.0.1`. */
  prometheusHost?: string;
  /** Prometheus endpoint port; 0 picks a free port. Default `OTEL_EXPORTER_PROMETHEUS_PORT`, else 9464. */
  prometheusPort?: number;
  /** Full OTLP metrics URL. Default from the OTLP endpoint variables, else `http://localhost:4318/v1/metrics`. */
  otlpEndpoint?: string;
  /** OTLP transport. Default from the protocol variables, else `http/protobuf`. */
  otlpProtocol?: OtlpProtocol;
  /** Extra OTLP request headers. Default from the OTLP headers variables. */
  otlpHeaders?: Record<string, string>;
  /** Push interval in ms for OTLP and console. Default `OTEL_METRIC_EXPORT_INTERVAL`, else 60000. */
  exportIntervalMillis?: number;
  /** Push timeout in ms. Default `OTEL_METRIC_EXPORT_TIMEOUT`, else 30000 (capped at the interval). */
  exportTimeoutMillis?: number;
  /** `service.name`. Default `OTEL_SERVICE_NAME`, else `unknown_service:node`. */
  serviceName?: string;
  /** Extra resource attributes, merged over `OTEL_RESOURCE_ATTRIBUTES`. */
  resourceAttributes?: Record<string, string>;
  /**
   * Host and process metrics: true (the default groups: CPU and memory of host and process),
   * false, or the groups to collect. Default `MLTEL_HOST_METRICS`, else true.
   */
  hostMetrics?: boolean | readonly HostMetricGroup[];
  /**
   * LLM clients to instrument automatically. Default: both, minus those named in
   * `OTEL_NODE_DISABLED_INSTRUMENTATIONS`; when `OTEL_NODE_ENABLED_INSTRUMENTATIONS` is set, only
   * those it names.
   */
  llmInstrumentations?: LlmClientName[];
  /**
   * HTTP, runtime and database-client instrumentations (docs/http-db-runtime.md). Default: all,
   * filtered by `OTEL_NODE_ENABLED_INSTRUMENTATIONS` / `OTEL_NODE_DISABLED_INSTRUMENTATIONS`.
   */
  contribInstrumentations?: ContribInstrumentationName[];
  /** Model allow-list (exact names or `prefix*`); others become `_OTHER`. Default `MLTEL_GENAI_MODELS`. */
  genAiModels?: string[];
  /**
   * `host=provider` rules for `gen_ai.provider.name` of calls made with the openai client to
   * OpenAI-compatible endpoints, checked before the built-in host table. Default `MLTEL_GENAI_PROVIDERS`.
   */
  genAiProviders?: string[];
  /** Derive `ml.provider.status` from call outcomes. Default: `MLTEL_PROVIDER_HEALTH=outcomes`. */
  deriveProviderHealth?: boolean;
  /** Price provider calls and keep budgets (`MLTEL_COST`, default true). */
  cost?: boolean;
  /** Price files or URLs, LiteLLM or mltel format (`MLTEL_PRICES`, a comma list). */
  priceFiles?: string[];
  /** Prices given in code: they win over files and the built-in catalog. */
  prices?: PriceEntry[];
  /** Budgets (`MLTEL_BUDGETS`: a JSON array, or the path of a JSON file holding one). */
  budgets?: BudgetConfig[];
  /** Where budget spend is kept (`MLTEL_BUDGET_STORE`: `memory`, `file:/path.json`, `redis://...`). */
  budgetStore?: BudgetStoreSetting;
  /** Called once per window per budget threshold crossed; default: one log line. */
  onBudgetThreshold?: (event: ThresholdEvent) => void;
  /**
   * Multi-process Prometheus (cluster workers and worker threads report to the serving primary's
   * endpoint). Default `MLTEL_MULTIPROCESS`, else true.
   */
  multiprocess?: boolean;
  /** How long a scrape waits for each worker (ms). Default `MLTEL_MULTIPROCESS_TIMEOUT`, else 1000. */
  multiprocessTimeoutMillis?: number;
  /** How often workers push a snapshot unasked (ms; 0 never). Default `MLTEL_MULTIPROCESS_PUSH_INTERVAL`, else 5000. */
  multiprocessPushMillis?: number;
  /** GPU metrics from nvidia-smi: `auto` (when found), true, false. Default `MLTEL_GPU`, else `auto`. */
  gpu?: 'auto' | boolean;
  /** The nvidia-smi to run. Default `MLTEL_NVIDIA_SMI`, else `nvidia-smi` on PATH. */
  nvidiaSmiPath?: string;
  /** Opt-in NVIDIA extras. Default `MLTEL_GPU_EXTRAS` (comma list: clocks, power_limit, process_memory). */
  gpuExtras?: GpuExtras;
  /** Loop mode (`nvidia-smi -l N`) for slow hosts. Default `MLTEL_GPU_LOOP_INTERVAL`, else off. */
  gpuLoopIntervalSeconds?: number;
  /** Kill an nvidia-smi run after this many ms. Default `MLTEL_GPU_TIMEOUT_MS`, else 10000. */
  gpuTimeoutMs?: number;
  /**
   * The bound of the exit flush, in ms: shutdown() (and so the flush at SIGTERM, SIGINT and the
   * natural end) never waits longer. Default `MLTEL_SHUTDOWN_TIMEOUT`, else 5000.
   */
  shutdownTimeoutMillis?: number;
  /** Install flush-on-exit handlers (SIGTERM, SIGINT, beforeExit). Default true. */
  handleExit?: boolean;
  /**
   * Histogram buckets by instrument name (seconds for durations), e.g.
   * `{ 'ml.task.duration': [0.075, 0.75, 7.5] }`; merged over `MLTEL_HISTOGRAM_BUCKETS`
   * (`ml.task.duration=0.075,0.75,7.5;...`), this option winning per instrument.
   */
  histogramBuckets?: HistogramBuckets;
  /** More sdk-metrics views for mltel's MeterProvider, after mltel's own. */
  views?: ViewOptions[];
  /** More metric readers for mltel's MeterProvider, besides those of `OTEL_METRICS_EXPORTER`. */
  readers?: IMetricReader[];
  /** More instrumentations, registered with mltel's MeterProvider; disabled by shutdown(). */
  instrumentations?: Instrumentation[];
  /**
   * Histogram aggregation of the OTLP exporter. Default
   * `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`, else `explicit_bucket_histogram`.
   */
  histogramAggregation?: HistogramAggregation;
  /**
   * Resource detectors: names (`env`, `host`, `os`, `process`, `serviceinstance`) and detector
   * objects. Default `OTEL_NODE_RESOURCE_DETECTORS` (also `all`, `none`), else mltel's set.
   */
  resourceDetectors?: (ResourceDetectorName | ResourceDetector)[];
  /** Environment to read; default `process.env`. */
  env?: Record<string, string | undefined>;
}

/** A file named by a variable: the variable, for messages, and the path. */
export interface SettingFile {
  setting: string;
  path: string;
}

/** The OTLP TLS files: root certificate, client certificate chain, client private key. */
export interface OtlpTlsFiles {
  ca?: SettingFile;
  cert?: SettingFile;
  key?: SettingFile;
}

/** The configuration {@link start} runs with, after variables and defaults are applied. */
export interface ResolvedConfig {
  disabled: boolean;
  exporters: ExporterName[];
  prometheusHost: string;
  prometheusPort: number;
  otlpEndpoint: string;
  otlpProtocol: OtlpProtocol;
  otlpHeaders: Record<string, string>;
  exportIntervalMillis: number;
  exportTimeoutMillis: number;
  serviceName: string | undefined;
  resourceAttributes: Record<string, string>;
  hostMetrics: boolean | readonly HostMetricGroup[];
  llmInstrumentations: LlmClientName[];
  contribInstrumentations: ContribInstrumentationName[];
  genAiModels: string[] | undefined;
  genAiProviders: string[] | undefined;
  deriveProviderHealth: boolean;
  cost: boolean;
  priceFiles: string[];
  prices: PriceEntry[];
  /** The budgets given in code or inline in `MLTEL_BUDGETS` (empty when they come from a file). */
  budgets: BudgetConfig[];
  /** `MLTEL_BUDGETS` naming a file: read when the cost meter starts, not while resolving. */
  budgetsFile: string | undefined;
  budgetStore: BudgetStoreSetting;
  onBudgetThreshold: ((event: ThresholdEvent) => void) | undefined;
  multiprocess: boolean;
  multiprocessTimeoutMillis: number;
  multiprocessPushMillis: number;
  shutdownTimeoutMillis: number;
  /** The OTLP TLS files named by the OTEL_EXPORTER_OTLP_*CERTIFICATE / *CLIENT_KEY variables. */
  otlpTlsFiles: OtlpTlsFiles;
  handleExit: boolean;
  logLevel: string;
  /** Histogram buckets by instrument (`MLTEL_HISTOGRAM_BUCKETS` and the option), validated. */
  histogramBuckets: HistogramBuckets;
  /** The OTLP reader's histogram aggregation. */
  histogramAggregation: HistogramAggregation;
  /** The resource detectors (`OTEL_NODE_RESOURCE_DETECTORS`). */
  resourceDetectors: ResourceDetectorSetting;
  gpu: GpuSettings;
}

/** A start-up configuration problem: the setting, what was wrong, and what mltel did instead. */
export interface ConfigProblem {
  /** The variable or option at fault, e.g. `OTEL_EXPORTER_PROMETHEUS_PORT`. */
  setting: string;
  /** One sentence naming the problem and the fix. */
  message: string;
}

/** The GPU plugin settings (`MLTEL_GPU*`, `MLTEL_NVIDIA_SMI`). */
export interface GpuSettings {
  /** `auto`: on when nvidia-smi is found; `on`: warn when it is not; `off`. */
  mode: 'auto' | 'on' | 'off';
  nvidiaSmiPath: string | undefined;
  extras: GpuExtras;
  loopIntervalSeconds: number | undefined;
  timeoutMs: number;
}
