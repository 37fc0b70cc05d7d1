import type { MetricDefinition } from '../types.js';

// The host metrics of @opentelemetry/instrumentation-host-metrics 0.7.0, which @mltel/node starts:
// names, kinds, units and attributes as that package records them (its own semantic-convention
// constants), so the catalog describes what a scrape shows. Several instruments carry no unit
// upstream (the OTel conventions give `By` and `1`); the catalog records the unit actually sent,
// since that decides the Prometheus name. packages/node/src/host-metrics.test.ts compares every
// entry with a real collection of the instrumentation.
const CPU_MODE = 'cpu.mode';
const CPU_LOGICAL_NUMBER = 'cpu.logical_number';
const MEMORY_STATE = 'system.memory.state';
const DEVICE = 'system.device';
const DIRECTION = 'network.io.direction';
const OWNER = '@opentelemetry/instrumentation-host-metrics';

/** `system.cpu.time`: seconds each logical CPU spent in each mode (group `system.cpu`). */
export const SYSTEM_CPU_TIME = {
  name: 'system.cpu.time',
  kind: 'ObservableCounter',
  unit: 's',
  description: 'Seconds each logical CPU of the host spent in each mode.',
  attributes: [CPU_MODE, CPU_LOGICAL_NUMBER],
  family: 'host',
  owner: OWNER,
  prometheusName: 'system_cpu_time_seconds_total',
} as const satisfies MetricDefinition;

/** `system.cpu.utilization`: fraction 0-1 of each logical CPU's time per mode since the last collection. */
export const SYSTEM_CPU_UTILIZATION = {
  name: 'system.cpu.utilization',
  kind: 'ObservableGauge',
  unit: '',
  description: 'Fraction (0-1) of each logical CPU time in each mode since the last collection; no unit upstream.',
  attributes: [CPU_MODE, CPU_LOGICAL_NUMBER],
  family: 'host',
  owner: OWNER,
  prometheusName: 'system_cpu_utilization',
} as const satisfies MetricDefinition;

/** `system.memory.usage`: host memory used and free, in bytes (group `system.memory`). */
export const SYSTEM_MEMORY_USAGE = {
  name: 'system.memory.usage',
  kind: 'ObservableGauge',
  unit: '',
  description: 'Host memory used and free, in bytes; no unit upstream.',
  attributes: [MEMORY_STATE],
  family: 'host',
  owner: OWNER,
  prometheusName: 'system_memory_usage',
} as const satisfies MetricDefinition;

/** `system.memory.utilization`: fraction 0-1 of host memory used and free. */
export const SYSTEM_MEMORY_UTILIZATION = {
  name: 'system.memory.utilization',
  kind: 'ObservableGauge',
  unit: '',
  description: 'Fraction (0-1) of host memory used and free; no unit upstream.',
  attributes: [MEMORY_STATE],
  family: 'host',
  owner: OWNER,
  prometheusName: 'system_memory_utilization',
} as const satisfies MetricDefinition;

/** `system.network.packet.dropped`: packets dropped per interface and direction (group `system.network`, off by default). */
export const SYSTEM_NETWORK_PACKET_DROPPED = {
  name: 'system.network.packet.dropped',
  kind: 'ObservableCounter',
  unit: '',
  description: 'Packets dropped, per network interface and direction (opt-in: the group runs processes).',
  attributes: [DEVICE, DIRECTION],
  family: 'host',
  owner: OWNER,
  prometheusName: 'system_network_packet_dropped_total',
  optIn: true,
} as const satisfies MetricDefinition;

/** `system.network.errors`: network errors per interface and direction (group `system.network`, off by default). */
export const SYSTEM_NETWORK_ERRORS = {
  name: 'system.network.errors',
  kind: 'ObservableCounter',
  unit: '',
  description: 'Network errors, per interface and direction (opt-in: the group runs processes).',
  attributes: [DEVICE, DIRECTION],
  family: 'host',
  owner: OWNER,
  prometheusName: 'system_network_errors_total',
  optIn: true,
} as const satisfies MetricDefinition;

/** `system.network.io`: bytes sent and received per interface (group `system.network`, off by default). */
export const SYSTEM_NETWORK_IO = {
  name: 'system.network.io',
  kind: 'ObservableCounter',
  unit: '',
  description: 'Bytes received and transmitted, per interface; no unit upstream (opt-in: the group runs processes).',
  attributes: [DEVICE, DIRECTION],
  family: 'host',
  owner: OWNER,
  prometheusName: 'system_network_io_total',
  optIn: true,
} as const satisfies MetricDefinition;

/** `process.cpu.time`: CPU seconds of the process, user and system (group `process.cpu`). */
export const PROCESS_CPU_TIME = {
  name: 'process.cpu.time',
  kind: 'ObservableCounter',
  unit: 's',
  description: 'CPU seconds of the process, user and system (summed over cluster workers).',
  attributes: [CPU_MODE],
  family: 'host',
  owner: OWNER,
  prometheusName: 'process_cpu_time_seconds_total',
} as const satisfies MetricDefinition;

/** `process.cpu.utilization`: the process's share 0-1 of all CPUs since the last collection. */
export const PROCESS_CPU_UTILIZATION = {
  name: 'process.cpu.utilization',
  kind: 'ObservableGauge',
  unit: '',
  description: "Fraction (0-1) of all CPUs' time the process used since the last collection; no unit upstream.",
  attributes: [CPU_MODE],
  family: 'host',
  owner: OWNER,
  prometheusName: 'process_cpu_utilization',
} as const satisfies MetricDefinition;

/** `process.memory.usage`: resident memory of the process, in bytes (group `process.memory`). */
export const PROCESS_MEMORY_USAGE = {
  name: 'process.memory.usage',
  kind: 'ObservableGauge',
  unit: '',
  description: 'Resident memory (RSS) of the process, in bytes; no unit upstream.',
  attributes: [],
  family: 'host',
  owner: OWNER,
  prometheusName: 'process_memory_usage',
} as const satisfies MetricDefinition;

/** The host and process metrics, in the order of their groups. */
export const HOST_METRICS = [
  SYSTEM_CPU_TIME,
  SYSTEM_CPU_UTILIZATION,
  SYSTEM_MEMORY_USAGE,
  SYSTEM_MEMORY_UTILIZATION,
  SYSTEM_NETWORK_PACKET_DROPPED,
  SYSTEM_NETWORK_ERRORS,
  SYSTEM_NETWORK_IO,
  PROCESS_CPU_TIME,
  PROCESS_CPU_UTILIZATION,
  PROCESS_MEMORY_USAGE,
] as const satisfies readonly MetricDefinition[];
