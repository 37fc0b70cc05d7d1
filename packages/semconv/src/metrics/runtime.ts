import type { MetricDefinition } from '../types.js';

// The Node.js runtime metrics of @opentelemetry/instrumentation-runtime-node, which @mltel/node
// starts (../../../node/src/contrib.ts): event-loop delay and utilization, GC, heap spaces and
// active resources. Names, kinds and units as that package records them;
// packages/node/src/contrib.test.ts compares them with a real collection.
const OWNER = '@opentelemetry/instrumentation-runtime-node';

/** `nodejs.eventloop.utilization`: Fraction (0-1) of the time the event loop was busy since the last collection. */
export const NODEJS_EVENTLOOP_UTILIZATION = {
  name: 'nodejs.eventloop.utilization',
  kind: 'ObservableGauge',
  unit: '1',
  description: 'Fraction (0-1) of the time the event loop was busy since the last collection.',
  attributes: [],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'nodejs_eventloop_utilization_ratio',
} as const satisfies MetricDefinition;

/** `nodejs.eventloop.time`: Seconds the event loop spent in each state (active, idle). */
export const NODEJS_EVENTLOOP_TIME = {
  name: 'nodejs.eventloop.time',
  kind: 'ObservableCounter',
  unit: 's',
  description: 'Seconds the event loop spent in each state (active, idle).',
  attributes: ['nodejs.eventloop.state'],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'nodejs_eventloop_time_seconds_total',
} as const satisfies MetricDefinition;

/** `nodejs.eventloop.delay.min`: Event-loop delay, minimum since start (sampled every 10 ms). */
export const NODEJS_EVENTLOOP_DELAY_MIN = {
  name: 'nodejs.eventloop.delay.min',
  kind: 'ObservableGauge',
  unit: 's',
  description: 'Event-loop delay, minimum since start (sampled every 10 ms).',
  attributes: [],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'nodejs_eventloop_delay_min_seconds',
} as const satisfies MetricDefinition;

/** `nodejs.eventloop.delay.max`: Event-loop delay, maximum since start. */
export const NODEJS_EVENTLOOP_DELAY_MAX = {
  name: 'nodejs.eventloop.delay.max',
  kind: 'ObservableGauge',
  unit: 's',
  description: 'Event-loop delay, maximum since start.',
  attributes: [],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'nodejs_eventloop_delay_max_seconds',
} as const satisfies MetricDefinition;

/** `nodejs.eventloop.delay.mean`: Event-loop delay, mean since start. */
export const NODEJS_EVENTLOOP_DELAY_MEAN = {
  name: 'nodejs.eventloop.delay.mean',
  kind: 'ObservableGauge',
  unit: 's',
  description: 'Event-loop delay, mean since start.',
  attributes: [],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'nodejs_eventloop_delay_mean_seconds',
} as const satisfies MetricDefinition;

/** `nodejs.eventloop.delay.stddev`: Event-loop delay, standard deviation since start. */
export const NODEJS_EVENTLOOP_DELAY_STDDEV = {
  name: 'nodejs.eventloop.delay.stddev',
  kind: 'ObservableGauge',
  unit: 's',
  description: 'Event-loop delay, standard deviation since start.',
  attributes: [],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'nodejs_eventloop_delay_stddev_seconds',
} as const satisfies MetricDefinition;

/** `nodejs.eventloop.delay.p50`: Event-loop delay, 50th percentile since start. */
export const NODEJS_EVENTLOOP_DELAY_P50 = {
  name: 'nodejs.eventloop.delay.p50',
  kind: 'ObservableGauge',
  unit: 's',
  description: 'Event-loop delay, 50th percentile since start.',
  attributes: [],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'nodejs_eventloop_delay_p50_seconds',
} as const satisfies MetricDefinition;

/** `nodejs.eventloop.delay.p90`: Event-loop delay, 90th percentile since start. */
export const NODEJS_EVENTLOOP_DELAY_P90 = {
  name: 'nodejs.eventloop.delay.p90',
  kind: 'ObservableGauge',
  unit: 's',
  description: 'Event-loop delay, 90th percentile since start.',
  attributes: [],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'nodejs_eventloop_delay_p90_seconds',
} as const satisfies MetricDefinition;

/** `nodejs.eventloop.delay.p99`: Event-loop delay, 99th percentile since start. */
export const NODEJS_EVENTLOOP_DELAY_P99 = {
  name: 'nodejs.eventloop.delay.p99',
  kind: 'ObservableGauge',
  unit: 's',
  description: 'Event-loop delay, 99th percentile since start.',
  attributes: [],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'nodejs_eventloop_delay_p99_seconds',
} as const satisfies MetricDefinition;

/** `v8js.gc.duration`: Garbage-collection pauses by kind (major, minor, incremental, weakcb). */
export const V8JS_GC_DURATION = {
  name: 'v8js.gc.duration',
  kind: 'Histogram',
  unit: 's',
  description: 'Garbage-collection pauses by kind (major, minor, incremental, weakcb).',
  attributes: ['v8js.gc.type'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'v8js_gc_duration_seconds',
} as const satisfies MetricDefinition;

/** `v8js.memory.heap.used`: Bytes used in each V8 heap space. */
export const V8JS_MEMORY_HEAP_USED = {
  name: 'v8js.memory.heap.used',
  kind: 'ObservableGauge',
  unit: 'By',
  description: 'Bytes used in each V8 heap space.',
  attributes: ['v8js.heap.space.name'],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'v8js_memory_heap_used_bytes',
} as const satisfies MetricDefinition;

/** `v8js.memory.heap.space.size`: Bytes reserved for each V8 heap space. */
export const V8JS_MEMORY_HEAP_SPACE_SIZE = {
  name: 'v8js.memory.heap.space.size',
  kind: 'ObservableUpDownCounter',
  unit: 'By',
  description: 'Bytes reserved for each V8 heap space.',
  attributes: ['v8js.heap.space.name'],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'v8js_memory_heap_space_size_bytes',
} as const satisfies MetricDefinition;

/** `v8js.memory.heap.space.available_size`: Bytes still available in each V8 heap space. */
export const V8JS_MEMORY_HEAP_SPACE_AVAILABLE_SIZE = {
  name: 'v8js.memory.heap.space.available_size',
  kind: 'ObservableGauge',
  unit: 'By',
  description: 'Bytes still available in each V8 heap space.',
  attributes: ['v8js.heap.space.name'],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'v8js_memory_heap_space_available_size_bytes',
} as const satisfies MetricDefinition;

/** `v8js.memory.heap.space.physical_size`: Bytes committed for each V8 heap space. */
export const V8JS_MEMORY_HEAP_SPACE_PHYSICAL_SIZE = {
  name: 'v8js.memory.heap.space.physical_size',
  kind: 'ObservableGauge',
  unit: 'By',
  description: 'Bytes committed for each V8 heap space.',
  attributes: ['v8js.heap.space.name'],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'v8js_memory_heap_space_physical_size_bytes',
} as const satisfies MetricDefinition;

/** `v8js.resource.active`: Active resources keeping the event loop alive, by type. */
export const V8JS_RESOURCE_ACTIVE = {
  name: 'v8js.resource.active',
  kind: 'ObservableGauge',
  unit: '{resource}',
  description: 'Active resources keeping the event loop alive, by type.',
  attributes: ['v8js.resource.type'],
  family: 'runtime',
  owner: OWNER,
  prometheusName: 'v8js_resource_active',
} as const satisfies MetricDefinition;

/** Every instrument of this file, in catalog order. */
export const RUNTIME_METRICS = [
  NODEJS_EVENTLOOP_UTILIZATION,
  NODEJS_EVENTLOOP_TIME,
  NODEJS_EVENTLOOP_DELAY_MIN,
  NODEJS_EVENTLOOP_DELAY_MAX,
  NODEJS_EVENTLOOP_DELAY_MEAN,
  NODEJS_EVENTLOOP_DELAY_STDDEV,
  NODEJS_EVENTLOOP_DELAY_P50,
  NODEJS_EVENTLOOP_DELAY_P90,
  NODEJS_EVENTLOOP_DELAY_P99,
  V8JS_GC_DURATION,
  V8JS_MEMORY_HEAP_USED,
  V8JS_MEMORY_HEAP_SPACE_SIZE,
  V8JS_MEMORY_HEAP_SPACE_AVAILABLE_SIZE,
  V8JS_MEMORY_HEAP_SPACE_PHYSICAL_SIZE,
  V8JS_RESOURCE_ACTIVE,
] as const;
