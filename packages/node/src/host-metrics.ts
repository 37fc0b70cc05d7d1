// Host and process metrics in the register distribution: which groups of
// @opentelemetry/instrumentation-host-metrics run, and in which process of a service.
import cluster from 'node:cluster';
import { isMainThread } from 'node:worker_threads';
import { diag } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import { HostMetricsInstrumentation } from '@opentelemetry/instrumentation-host-metrics';
import { DEFAULT_HOST_METRIC_GROUPS } from './config/host-metrics.js';
import type { HostMetricGroup } from './config/host-metrics.js';

// Groups that describe the host, the same in every process of it: one process per host collects
// them. The process groups describe each process; a worker thread shares its process's.
const HOST_WIDE: ReadonlySet<HostMetricGroup> = new Set(['system.cpu', 'system.memory', 'system.network']);

/** Where in a service this code runs, as far as host metrics care. */
export interface HostMetricsPlace {
  /** The main thread of its process (not a worker thread). */
  mainThread: boolean;
  /** A cluster worker (not the primary, not a plain process). */
  clusterWorker: boolean;
}

/**
 * The groups that this process or thread collects: every group chosen in the main thread of the
 * primary (or of a plain process); only the process groups in a cluster worker's main thread (the
 * primary's host values were the only ones kept anyway); none in a worker thread (its process's
 * main thread reports the process).
 */
export function hostMetricGroupsFor(
  groups: readonly HostMetricGroup[],
  place: HostMetricsPlace,
): readonly HostMetricGroup[] {
  if (!place.mainThread) return [];
  return place.clusterWorker ? groups.filter((group) => !HOST_WIDE.has(group)) : groups;
}

/**
 * Starts the host-metrics instrumentation on `meterProvider` with the groups that `setting`
 * chooses (`true`: {@link DEFAULT_HOST_METRIC_GROUPS}) and that this process collects
 * ({@link hostMetricGroupsFor}). Undefined when there is nothing to collect. Never throws: a
 * failure is one warning, and the application runs on without host metrics.
 */
export function startHostMetrics(
  setting: boolean | readonly HostMetricGroup[],
  meterProvider: MeterProvider,
  place: HostMetricsPlace = { mainThread: isMainThread, clusterWorker: cluster.isWorker },
): HostMetricsInstrumentation | undefined {
  const chosen = setting === true ? DEFAULT_HOST_METRIC_GROUPS : setting === false ? [] : setting;
  const groups = hostMetricGroupsFor(chosen, place);
  if (groups.length === 0) return undefined;
  try {
    const instrumentation = new HostMetricsInstrumentation({ enabled: false, metricGroups: [...groups] });
    instrumentation.setMeterProvider(meterProvider);
    instrumentation.enable();
    return instrumentation;
  } catch (error) {
    diag.warn(
      `mltel: host metrics are off (${error instanceof Error ? error.message : String(error)}). Fix: set MLTEL_HOST_METRICS=false to silence this.`,
    );
    return undefined;
  }
}
