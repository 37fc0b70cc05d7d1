import { describeText, redactUrl } from '@mltel/kit';
import { parseHistogramAggregation } from './aggregation.js';
import { budgetsOf } from './budgets.js';
import { detectsEnv, parseResourceDetectors } from './detectors.js';
import { resolveGpuSettings } from './gpu.js';
import { DEFAULT_HOST_METRIC_GROUPS, HOST_METRIC_GROUPS, parseHostMetricGroups } from './host-metrics.js';
import type { HostMetricGroup } from './host-metrics.js';
import { read } from './read.js';
import type { Env } from './read.js';
import { parseHistogramBuckets, validateHistogramBuckets } from './views.js';
import type {
  BudgetStoreSetting,
  ConfigProblem,
  ContribInstrumentationName,
  ExporterName,
  LlmClientName,
  OtlpProtocol,
  OtlpTlsFiles,
  ResolvedConfig,
  StartOptions,
} from './types.js';

/** Defaults used when neither an option nor a variable says otherwise. */
export const DEFAULTS = {
  exporters: ['prometheus'] as ExporterName[],
  prometheusHost: '127.0.0.1',
  prometheusPort: 9464,
  otlpBase: 'http://localhost:4318',
  otlpGrpc: 'http://localhost:4317',
  otlpProtocol: 'http/protobuf' as OtlpProtocol,
  exportIntervalMillis: 60_000,
  exportTimeoutMillis: 30_000,
  shutdownTimeoutMillis: 5_000,
  logLevel: 'warn',
} as const;

const EXPORTERS: readonly string[] = ['prometheus', 'otlp', 'console', 'none'];
const PROTOCOLS: readonly string[] = ['http/protobuf', 'http/json', 'grpc'];
const LOG_LEVELS: readonly string[] = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'];

function parseInteger(
  env: Env,
  name: string,
  fallback: number,
  problems: ConfigProblem[],
  { min, max }: { min: number; max: number },
): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push({
      setting: name,
      message: `${name}=${describeText(raw)} is not an integer from ${min} to ${max}; using ${fallback}. Fix: set ${name} to such a number or unset it.`,
    });
    return fallback;
  }
  return value;
}

function parseBoolean(env: Env, name: string, fallback: boolean, problems: ConfigProblem[]): boolean {
  const raw = read(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  problems.push({
    setting: name,
    message: `${name}=${describeText(raw)} is not true or false; using ${fallback}. Fix: set ${name}=true or ${name}=false.`,
  });
  return fallback;
}

const LLM_CLIENTS: readonly LlmClientName[] = [
  'openai',
  'anthropic',
  'google-genai',
  'bedrock-runtime',
  'ai',
  'mistral',
  'groq',
  'cohere',
  'ollama',
  'fal',
  'langchain',
];
const CONTRIB_INSTRUMENTATIONS: readonly ContribInstrumentationName[] = [
  'http',
  'undici',
  'express',
  'runtime-node',
  'pg',
  'mysql2',
  'redis',
  'ioredis',
];

function listOf(env: Env, name: string): string[] | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

// The auto-instrumentations-node convention: names without the package prefix; other names in
// the lists belong to other instrumentations of the process and are not ours to check.
function instrumentationsOf<Name extends string>(env: Env, names: readonly Name[]): Name[] {
  const enabled = listOf(env, 'OTEL_NODE_ENABLED_INSTRUMENTATIONS');
  const disabled = new Set(listOf(env, 'OTEL_NODE_DISABLED_INSTRUMENTATIONS') ?? []);
  return names.filter((name) => (enabled === undefined || enabled.includes(name)) && !disabled.has(name));
}

function llmInstrumentationsOf(env: Env): LlmClientName[] {
  return instrumentationsOf(env, LLM_CLIENTS);
}

function providerHealthOf(env: Env, problems: ConfigProblem[]): boolean {
  const raw = read(env, 'MLTEL_PROVIDER_HEALTH')?.toLowerCase();
  if (raw === undefined || raw === 'manual') return false;
  if (raw === 'outcomes') return true;
  problems.push({
    setting: 'MLTEL_PROVIDER_HEALTH',
    message: `MLTEL_PROVIDER_HEALTH=${describeText(raw)} is not manual or outcomes; using manual. Fix: set MLTEL_PROVIDER_HEALTH=outcomes to derive ml.provider.status from call outcomes, or unset it.`,
  });
  return false;
}

function budgetStoreOf(env: Env, problems: ConfigProblem[]): BudgetStoreSetting {
  const raw = read(env, 'MLTEL_BUDGET_STORE');
  if (raw === undefined || raw === 'memory') return { kind: 'memory' };
  if (raw.startsWith('file:') && raw.length > 5) return { kind: 'file', path: raw.slice(5) };
  if (/^rediss?:\/\//.test(raw)) return { kind: 'redis', url: raw };
  problems.push({
    setting: 'MLTEL_BUDGET_STORE',
    message: `MLTEL_BUDGET_STORE=${describeText(redactUrl(raw), 200)} is not memory, file:/path or redis://host:port; budget spend is kept in memory. Fix: set one of those.`,
  });
  return { kind: 'memory' };
}

/** Parses `k1=v1,k2=v2` (values URL-encoded) as the OTel spec describes for headers and resources. */
export function parseKeyValueList(
  raw: string | undefined,
  setting: string,
  problems: ConfigProblem[],
): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (key === '') {
      problems.push({
        setting,
        message: `${setting} has an entry without "key=value"; it is ignored. Fix: write ${setting} as key1=value1,key2=value2.`,
      });
      continue;
    }
    try {
      out[key] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      problems.push({
        setting,
        message: `${setting} entry ${describeText(key)} has a badly URL-encoded value; it is ignored. Fix: percent-encode the value.`,
      });
    }
  }
  return out;
}

function parseExporters(env: Env, problems: ConfigProblem[]): ExporterName[] {
  const raw = read(env, 'OTEL_METRICS_EXPORTER');
  if (raw === undefined) return [...DEFAULTS.exporters];
  const names = raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  const out: ExporterName[] = [];
  for (const name of names) {
    if (!EXPORTERS.includes(name)) {
      problems.push({
        setting: 'OTEL_METRICS_EXPORTER',
        message: `OTEL_METRICS_EXPORTER names ${describeText(name)}, which mltel does not know; it is ignored. Fix: use a comma list of prometheus, otlp, console, or none.`,
      });
      continue;
    }
    if (name !== 'none' && !out.includes(name as ExporterName)) out.push(name as ExporterName);
  }
  if (names.includes('none')) return [];
  return out;
}

function validUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function otlpEndpoint(env: Env, protocol: OtlpProtocol, problems: ConfigProblem[]): string {
  const specific = read(env, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT');
  const generic = read(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  const fallbackBase = protocol === 'grpc' ? DEFAULTS.otlpGrpc : DEFAULTS.otlpBase;
  const withPath = (base: string): string => (protocol === 'grpc' ? base : `${base.replace(/\/+$/, '')}/v1/metrics`);
  if (specific !== undefined) {
    if (validUrl(specific)) return specific;
    problems.push({
      setting: 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
      message: `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=${describeText(redactUrl(specific), 200)} is not an http(s) URL; using ${withPath(fallbackBase)}. Fix: set a full URL such as http://collector:4318/v1/metrics.`,
    });
  } else if (generic !== undefined) {
    if (validUrl(generic)) return withPath(generic);
    problems.push({
      setting: 'OTEL_EXPORTER_OTLP_ENDPOINT',
      message: `OTEL_EXPORTER_OTLP_ENDPOINT=${describeText(redactUrl(generic), 200)} is not an http(s) URL; using ${fallbackBase}. Fix: set a base URL such as http://collector:4318.`,
    });
  }
  return withPath(fallbackBase);
}

function otlpProtocol(env: Env, problems: ConfigProblem[]): OtlpProtocol {
  for (const name of ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL']) {
    const raw = read(env, name);
    if (raw === undefined) continue;
    if (PROTOCOLS.includes(raw)) return raw as OtlpProtocol;
    problems.push({
      setting: name,
      message: `${name}=${describeText(raw)} is not one of ${PROTOCOLS.join(', ')}; using ${DEFAULTS.otlpProtocol}. Fix: set one of those or unset it.`,
    });
    return DEFAULTS.otlpProtocol;
  }
  return DEFAULTS.otlpProtocol;
}

// The OTLP TLS files (a path each; the metrics-specific variable wins). They are read when the
// exporter is created (../otlp/exporter.ts), with the regular-file and size checks.
function otlpTlsFilesOf(env: Env): OtlpTlsFiles {
  const files: OtlpTlsFiles = {};
  for (const [field, suffix] of [
    ['ca', 'CERTIFICATE'],
    ['cert', 'CLIENT_CERTIFICATE'],
    ['key', 'CLIENT_KEY'],
  ] as const) {
    for (const setting of [`OTEL_EXPORTER_OTLP_METRICS_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]) {
      const path = read(env, setting);
      if (path === undefined) continue;
      files[field] = { setting, path };
      break;
    }
  }
  return files;
}

/**
 * Resolves the configuration from options, then OTEL_* variables, then defaults. Never throws:
 * each bad value becomes a {@link ConfigProblem} and its default is used.
 */
export function resolveConfig(options: StartOptions = {}): { config: ResolvedConfig; problems: ConfigProblem[] } {
  const env: Env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const disabled = parseBoolean(env, 'OTEL_SDK_DISABLED', false, problems);
  const protocol = options.otlpProtocol ?? otlpProtocol(env, problems);
  const interval =
    options.exportIntervalMillis ??
    parseInteger(env, 'OTEL_METRIC_EXPORT_INTERVAL', DEFAULTS.exportIntervalMillis, problems, {
      min: 100,
      max: 86_400_000,
    });
  const timeout =
    options.exportTimeoutMillis ??
    parseInteger(env, 'OTEL_METRIC_EXPORT_TIMEOUT', DEFAULTS.exportTimeoutMillis, problems, {
      min: 1,
      max: 86_400_000,
    });
  let logLevel = read(env, 'OTEL_LOG_LEVEL')?.toLowerCase() ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push({
      setting: 'OTEL_LOG_LEVEL',
      message: `OTEL_LOG_LEVEL=${describeText(logLevel)} is not one of ${LOG_LEVELS.join(', ')}; using ${DEFAULTS.logLevel}.`,
    });
    logLevel = DEFAULTS.logLevel;
  }
  const headers = {
    ...parseKeyValueList(read(env, 'OTEL_EXPORTER_OTLP_HEADERS'), 'OTEL_EXPORTER_OTLP_HEADERS', problems),
    ...parseKeyValueList(
      read(env, 'OTEL_EXPORTER_OTLP_METRICS_HEADERS'),
      'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
      problems,
    ),
    ...options.otlpHeaders,
  };
  const resourceDetectors =
    options.resourceDetectors ?? parseResourceDetectors(read(env, 'OTEL_NODE_RESOURCE_DETECTORS'), problems);
  const config: ResolvedConfig = {
    disabled,
    exporters: options.exporters ? [...options.exporters] : parseExporters(env, problems),
    prometheusHost: options.prometheusHost ?? read(env, 'OTEL_EXPORTER_PROMETHEUS_HOST') ?? DEFAULTS.prometheusHost,
    prometheusPort:
      options.prometheusPort ??
      parseInteger(env, 'OTEL_EXPORTER_PROMETHEUS_PORT', DEFAULTS.prometheusPort, problems, {
        min: 0,
        max: 65535,
      }),
    otlpEndpoint: options.otlpEndpoint ?? otlpEndpoint(env, protocol, problems),
    otlpProtocol: protocol,
    otlpHeaders: headers,
    exportIntervalMillis: interval,
    exportTimeoutMillis: Math.min(timeout, interval),
    serviceName: options.serviceName ?? read(env, 'OTEL_SERVICE_NAME'),
    resourceAttributes: {
      // OTEL_RESOURCE_ATTRIBUTES is the `env` resource detector's (OTEL_NODE_RESOURCE_DETECTORS).
      ...(detectsEnv(resourceDetectors)
        ? parseKeyValueList(read(env, 'OTEL_RESOURCE_ATTRIBUTES'), 'OTEL_RESOURCE_ATTRIBUTES', problems)
        : {}),
      ...options.resourceAttributes,
    },
    hostMetrics: options.hostMetrics ?? readHostMetrics(env, problems),
    llmInstrumentations: options.llmInstrumentations ?? llmInstrumentationsOf(env),
    contribInstrumentations: options.contribInstrumentations ?? instrumentationsOf(env, CONTRIB_INSTRUMENTATIONS),
    genAiModels: options.genAiModels ?? listOf(env, 'MLTEL_GENAI_MODELS'),
    genAiProviders: options.genAiProviders ?? listOf(env, 'MLTEL_GENAI_PROVIDERS'),
    deriveProviderHealth: options.deriveProviderHealth ?? providerHealthOf(env, problems),
    cost: options.cost ?? parseBoolean(env, 'MLTEL_COST', true, problems),
    priceFiles: options.priceFiles ?? listOf(env, 'MLTEL_PRICES') ?? [],
    prices: options.prices ?? [],
    ...(options.budgets ? { budgets: options.budgets, budgetsFile: undefined } : budgetsOf(env, problems)),
    budgetStore: options.budgetStore ?? budgetStoreOf(env, problems),
    onBudgetThreshold: options.onBudgetThreshold,
    multiprocess: options.multiprocess ?? parseBoolean(env, 'MLTEL_MULTIPROCESS', true, problems),
    multiprocessTimeoutMillis:
      options.multiprocessTimeoutMillis ??
      parseInteger(env, 'MLTEL_MULTIPROCESS_TIMEOUT', 1000, problems, { min: 1, max: 60_000 }),
    multiprocessPushMillis:
      options.multiprocessPushMillis ??
      parseInteger(env, 'MLTEL_MULTIPROCESS_PUSH_INTERVAL', 5000, problems, { min: 0, max: 3_600_000 }),
    shutdownTimeoutMillis:
      options.shutdownTimeoutMillis ??
      parseInteger(env, 'MLTEL_SHUTDOWN_TIMEOUT', DEFAULTS.shutdownTimeoutMillis, problems, { min: 1, max: 600_000 }),
    otlpTlsFiles: otlpTlsFilesOf(env),
    handleExit: options.handleExit ?? true,
    logLevel,
    histogramBuckets: {
      ...parseHistogramBuckets(read(env, 'MLTEL_HISTOGRAM_BUCKETS'), 'MLTEL_HISTOGRAM_BUCKETS', problems),
      ...validateHistogramBuckets(options.histogramBuckets ?? {}, 'histogramBuckets', problems),
    },
    histogramAggregation:
      options.histogramAggregation ??
      parseHistogramAggregation(read(env, 'OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION'), problems),
    resourceDetectors,
    gpu: resolveGpuSettings(options, env, problems),
  };
  return { config, problems };
}

/** `MLTEL_HOST_METRICS`: true (unset), false, or a comma list of host-metrics groups. */
function readHostMetrics(env: Env, problems: ConfigProblem[]): boolean | readonly HostMetricGroup[] {
  const raw = read(env, 'MLTEL_HOST_METRICS');
  if (raw === undefined) return true;
  const groups = parseHostMetricGroups(raw);
  if (groups === undefined) {
    problems.push({
      setting: 'MLTEL_HOST_METRICS',
      message:
        `MLTEL_HOST_METRICS=${describeText(raw)} is not true, false or a comma list of ` +
        `${HOST_METRIC_GROUPS.join(', ')}; using true. Fix: set MLTEL_HOST_METRICS to one of those or unset it.`,
    });
    return true;
  }
  if (groups.length === 0) return false;
  return groups === DEFAULT_HOST_METRIC_GROUPS ? true : groups;
}
