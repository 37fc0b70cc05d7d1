// mltel next to another OpenTelemetry SDK in the same process (auto-instrumentations-node's
// `/register`, a user's NodeSDK, Elastic's EDOT Node.js). The global MeterProvider can be set once:
// - The other SDK first: mltel adopts its provider. mltel's meters follow the global provider
//   (kit's ProviderBinding), so they record into it and reach its exporters; mltel starts no
//   exporter of its own (no second endpoint on 9464, nothing pushed twice) and leaves host
//   metrics to that SDK unless asked for (EDOT runs the same process.* groups: they would be
//   recorded twice). One line says so, with the fix when mltel's Prometheus endpoint is given up.
// - mltel first: the other SDK's registration fails (the API logs "Attempted duplicate
//   registration of API: metrics"); its instrumentations then record into mltel's provider and
//   reach mltel's exporters, and its own metric exporters get nothing. Nothing can be moved after
//   the fact (an SDK MeterProvider takes no reader once built), so one line says what to do.
import { createNoopMeter, diag, metrics } from '@opentelemetry/api';
import type { DiagLogger, MeterProvider } from '@opentelemetry/api';
import type { ExporterName } from './config/types.js';

/** The scope of the probe meter: mltel's own, so the probe adds no foreign name to a provider. */
const PROBE_SCOPE = '@mltel/node';

/**
 * The global MeterProvider that another SDK registered, or undefined when none is (the API's
 * no-op provider hands out the no-op meter). Never throws: a provider that fails is reported as
 * registered, since mltel could not register its own over it anyway.
 */
export function foreignMeterProvider(): MeterProvider | undefined {
  const provider = metrics.getMeterProvider();
  try {
    return provider.getMeter(PROBE_SCOPE) === createNoopMeter() ? undefined : provider;
  } catch {
    return provider;
  }
}

/** One line for the log: its level and text. */
export interface CoexistenceLine {
  level: 'info' | 'warn';
  text: string;
}

/** What {@link adoptionLine} needs to know of mltel's settings. */
export interface AdoptionSettings {
  /** The exporters mltel's settings name (`OTEL_METRICS_EXPORTER`, mltel's default `prometheus`). */
  exporters: readonly ExporterName[];
  /** Whether the exporters were set (option or variable), so the other SDK read the same list. */
  exportersExplicit: boolean;
  /** Whether mltel's host metrics run on the adopted provider. */
  hostMetrics: boolean;
  /** Whether `readers` or `views` were given to start(): an adopted provider takes neither. */
  extensions?: boolean;
}

/**
 * The line logged when mltel adopts another SDK's provider. A warning when mltel's default
 * Prometheus endpoint is given up (`OTEL_METRICS_EXPORTER` unset: the other SDKs' default is
 * `otlp`, mltel's `prometheus`); info otherwise (the other SDK runs the exporters the variable names).
 */
export function adoptionLine(settings: AdoptionSettings): CoexistenceLine {
  const left = settings.hostMetrics
    ? 'HTTP and runtime metrics are left to that SDK'
    : "host, HTTP and runtime metrics are left to that SDK (MLTEL_HOST_METRICS=true adds mltel's host metrics)";
  const base =
    'mltel: another OpenTelemetry SDK set the global MeterProvider first; mltel records into it, so that ' +
    `SDK's exporters get mltel's metrics, and starts no exporter of its own; ${left}.`;
  if (settings.extensions === true) {
    return {
      level: 'warn',
      text: `${base} The readers and views given to start() are not used. Fix: give them to that SDK.`,
    };
  }
  if (!settings.exporters.includes('prometheus')) return { level: 'info', text: base };
  if (settings.exportersExplicit) {
    return {
      level: 'info',
      text:
        `${base} The Prometheus endpoint is that SDK's (names without mltel's unit suffixes; for mltel's ` +
        'names give that SDK mltelPrometheusReader(), docs/opentelemetry.md).',
    };
  }
  return {
    level: 'warn',
    text:
      `${base} mltel's default Prometheus endpoint is not started (that SDK's default for ` +
      'OTEL_METRICS_EXPORTER is otlp). Fix: set OTEL_METRICS_EXPORTER=otlp,prometheus for an endpoint served by ' +
      "that SDK, or give a NodeSDK mltel's parts (docs/opentelemetry.md); OTEL_METRICS_EXPORTER=otlp silences this.",
  };
}

/** The text of the API's error when a second SDK tries to register its MeterProvider. */
const DUPLICATE_METRICS = 'Attempted duplicate registration of API: metrics';

/** The line logged when another SDK started after mltel and could not register its provider. */
export const LATE_SDK_LINE =
  "mltel: another OpenTelemetry SDK started after mltel and could not register its MeterProvider (the error above). Its instrumentations record into mltel's provider and reach mltel's exporters; that SDK's own metric exporters get nothing, mltel's metrics included. " +
  'Fix: load that SDK before @mltel/node/register (mltel then records into its provider), or start that SDK with ' +
  "mltel's parts instead of the preload (docs/opentelemetry.md).";

/**
 * Wraps the diag logger mltel installs: when another SDK's registration of a MeterProvider fails
 * after mltel's (the API logs it as an error), {@link LATE_SDK_LINE} follows it, once. Everything
 * else passes through unchanged.
 */
export function watchLateRegistration(logger: DiagLogger): DiagLogger {
  let told = false;
  return {
    error(message, ...args) {
      logger.error(message, ...args);
      if (!told && typeof message === 'string' && message.includes(DUPLICATE_METRICS)) {
        told = true;
        logger.warn(LATE_SDK_LINE);
      }
    },
    warn: (message, ...args) => logger.warn(message, ...args),
    info: (message, ...args) => logger.info(message, ...args),
    debug: (message, ...args) => logger.debug(message, ...args),
    verbose: (message, ...args) => logger.verbose(message, ...args),
  };
}

/**
 * Whether a setting was chosen (`option` in code, or its `variable` set), not defaulted. On an
 * adopted provider: host metrics run only when asked for (the other SDK may record the same
 * groups: EDOT does), and a chosen `OTEL_METRICS_EXPORTER` is the list the other SDK read too.
 */
export function explicitSetting(
  option: unknown,
  variable: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return option !== undefined || (env[variable] ?? '').trim() !== '';
}

/** Flushes a provider mltel does not own, when it can be flushed (an SDK MeterProvider). */
export async function flushProvider(provider: MeterProvider): Promise<void> {
  const flush = (provider as { forceFlush?: () => Promise<void> }).forceFlush;
  if (typeof flush === 'function') await flush.call(provider);
}

// Instrumentations that observe the process on every collection, which mltel's preload runs
// too: two versions of one (mltel's and another SDK's) report every series twice. Patching
// instrumentations (http, undici, database clients) are left alone: the outermost patch records
// and the inner one sees the call as handled (measured: auto-instrumentations-node's http 0.300
// over mltel's), so muting a version there would lose the metric.
const OBSERVING_LIBRARIES: ReadonlySet<string> = new Set([
  '@opentelemetry/instrumentation-host-metrics',
  '@opentelemetry/instrumentation-runtime-node',
]);

/**
 * Keeps one version per observing instrumentation library ({@link OBSERVING_LIBRARIES}) on
 * mltel's provider: a meter asked for under such a scope name that another version already got
 * is a no-op meter, with one info line. An SDK started after mltel hands its instrumentations
 * mltel's provider; without this, its copies (EDOT's host-metrics 0.5 and runtime-node beside
 * mltel's) recorded every process and runtime series twice, and the scrape held each twice. The
 * provider keeps its identity (the method is replaced on the instance).
 */
export function oneVersionPerLibrary(provider: MeterProvider): void {
  const versions = new Map<string, string | undefined>();
  const getMeter = provider.getMeter.bind(provider);
  provider.getMeter = (name, version, options) => {
    if (OBSERVING_LIBRARIES.has(name)) {
      if (!versions.has(name)) {
        versions.set(name, version);
      } else if (versions.get(name) !== version) {
        diag.info(
          `mltel: ${name} ${version ?? '(no version)'} records nothing: ${name} ${versions.get(name) ?? '(no version)'} already records the same metrics (another SDK's copy of an instrumentation mltel runs).`,
        );
        return createNoopMeter();
      }
    }
    return getMeter(name, version, options);
  };
}

/** Logs a {@link CoexistenceLine} through diag. */
export function logLine(line: CoexistenceLine): void {
  if (line.level === 'warn') diag.warn(line.text);
  else diag.info(line.text);
}
