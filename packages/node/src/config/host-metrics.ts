// The host-metrics setting (MLTEL_HOST_METRICS): which groups of
// @opentelemetry/instrumentation-host-metrics a service collects.

/** The metric groups of @opentelemetry/instrumentation-host-metrics (its `metricGroups` option). */
export const HOST_METRIC_GROUPS = [
  'system.cpu',
  'system.memory',
  'system.network',
  'process.cpu',
  'process.memory',
] as const;

/** One group of {@link HOST_METRIC_GROUPS}. */
export type HostMetricGroup = (typeof HOST_METRIC_GROUPS)[number];

/**
 * The groups on by default: those that read counters in-process (`os.cpus()`, `os.freemem()`,
 * `process.cpuUsage()`, `process.memoryUsage()`). `system.network` is off: at every collection
 * it runs processes (`ip route`, `cat /sys/class/net/...` through systeminformation), which made
 * scrapes take 0.3-1.7 s instead of 10-20 ms.
 */
export const DEFAULT_HOST_METRIC_GROUPS: readonly HostMetricGroup[] = [
  'system.cpu',
  'system.memory',
  'process.cpu',
  'process.memory',
];

/**
 * Reads a host-metrics setting: `true` or `1` (the default groups), `false` or `0` (none), or a
 * comma-separated list of groups (`system.cpu,system.network`). Undefined for anything else.
 */
export function parseHostMetricGroups(value: string): readonly HostMetricGroup[] | undefined {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === 'true' || trimmed === '1') return DEFAULT_HOST_METRIC_GROUPS;
  if (trimmed === 'false' || trimmed === '0') return [];
  const groups = trimmed.split(',').map((group) => group.trim());
  if (groups.some((group) => !(HOST_METRIC_GROUPS as readonly string[]).includes(group))) return undefined;
  return [...new Set(groups)] as HostMetricGroup[];
}
