import type { Attributes, HrTime } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import type {
  AggregationTemporality,
  DataPoint,
  Histogram,
  MetricData,
  MetricDescriptor,
  ResourceMetrics,
  ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import { earlier, later, sameNumbers } from './compare.js';

/**
 * A histogram point on the wire: count, sum, min, max, bucket counts, and the boundaries only
 * when they differ from the metric's (they never do within one SDK, whose view fixes them).
 */
export type WireHistogram = [
  count: number,
  sum: number,
  min: number | null,
  max: number | null,
  counts: number[],
  boundaries?: number[],
];

/** One metric on the wire: its descriptor and kind once, then `[attributes, value]` per point. */
export interface WireMetric {
  /** Descriptor (name, description, unit, type, valueType). */
  d: MetricDescriptor;
  /** `DataPointType`. */
  t: DataPointType;
  /** Monotonic (sums only). */
  mono?: boolean;
  /** Aggregation temporality. */
  temp: AggregationTemporality;
  /** Earliest start and latest end time of the points (Prometheus text uses neither). */
  st: HrTime;
  et: HrTime;
  /** Histogram bucket boundaries shared by the points. */
  b?: number[];
  /** Points: attributes and the value (a number, a {@link WireHistogram}, or as the SDK gave it). */
  p: [Attributes, unknown][];
}

/** One instrumentation scope on the wire. */
export interface WireScope {
  name: string;
  version?: string;
  schemaUrl?: string;
  m: WireMetric[];
}

/**
 * A process's or thread's collected metrics as compact plain data: per metric the descriptor
 * once and one `[attributes, value]` pair per point, so it crosses the cluster IPC channel (JSON)
 * and `BroadcastChannel` (structured clone) cheaply. Measured with 10k counter series: about 7x
 * fewer bytes than the SDK's `MetricData` as JSON (per-point times and histogram boundaries are
 * not repeated). The resource is left behind: the serving process's `target_info` describes the
 * endpoint.
 */
export interface Snapshot {
  v: 1;
  s: WireScope[];
}

/** The wire form of one metric. */
export function toWireMetric(metric: MetricData): WireMetric {
  const points = metric.dataPoints as DataPoint<unknown>[];
  let st: HrTime = points[0]?.startTime ?? [0, 0];
  let et: HrTime = points[0]?.endTime ?? [0, 0];
  const wire: WireMetric = {
    d: metric.descriptor,
    t: metric.dataPointType,
    temp: metric.aggregationTemporality,
    st,
    et,
    p: new Array(points.length),
  };
  if ((metric as { isMonotonic?: boolean }).isMonotonic !== undefined)
    wire.mono = (metric as { isMonotonic: boolean }).isMonotonic;
  const histogram = metric.dataPointType === DataPointType.HISTOGRAM;
  if (histogram && points.length > 0) wire.b = [...(points[0]!.value as Histogram).buckets.boundaries];
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    st = earlier(st, point.startTime);
    et = later(et, point.endTime);
    if (histogram) {
      const h = point.value as Histogram;
      const value: WireHistogram = [h.count, h.sum ?? 0, h.min ?? null, h.max ?? null, h.buckets.counts];
      if (!sameNumbers(h.buckets.boundaries, wire.b!)) value.push(h.buckets.boundaries);
      wire.p[i] = [point.attributes, value];
    } else {
      wire.p[i] = [point.attributes, point.value];
    }
  }
  wire.st = st;
  wire.et = et;
  return wire;
}

/** The snapshot of one collection. */
export function toSnapshot(resourceMetrics: ResourceMetrics): Snapshot {
  return {
    v: 1,
    s: resourceMetrics.scopeMetrics.map((scope) => ({
      name: scope.scope.name,
      version: scope.scope.version,
      schemaUrl: scope.scope.schemaUrl,
      m: scope.metrics.map(toWireMetric),
    })),
  };
}

/** The SDK form of one wire metric. */
export function fromWireMetric(wire: WireMetric): MetricData {
  const histogram = wire.t === DataPointType.HISTOGRAM;
  const dataPoints = wire.p.map(([attributes, value]) => {
    if (!histogram) return { attributes, startTime: wire.st, endTime: wire.et, value };
    const [count, sum, min, max, counts, boundaries] = value as WireHistogram;
    const h: Histogram = { buckets: { boundaries: boundaries ?? wire.b ?? [], counts }, count, sum };
    if (min !== null) h.min = min;
    if (max !== null) h.max = max;
    return { attributes, startTime: wire.st, endTime: wire.et, value: h };
  });
  const metric = { descriptor: wire.d, aggregationTemporality: wire.temp, dataPointType: wire.t, dataPoints } as Record<
    string,
    unknown
  >;
  if (wire.mono !== undefined) metric.isMonotonic = wire.mono;
  return metric as unknown as MetricData;
}

/** The SDK form of a snapshot's metrics. */
export function fromSnapshot(snapshot: Snapshot): ScopeMetrics[] {
  return snapshot.s.map((scope) => ({
    scope: { name: scope.name, version: scope.version, schemaUrl: scope.schemaUrl },
    metrics: scope.m.map(fromWireMetric),
  }));
}

/** A `ResourceMetrics` of `resource` holding the snapshot's metrics. */
export function toResourceMetrics(resource: Resource, snapshot: Snapshot): ResourceMetrics {
  return { resource, scopeMetrics: fromSnapshot(snapshot) };
}

/** True for a value shaped like a snapshot (messages come from other processes: check them). */
export function isSnapshot(value: unknown): value is Snapshot {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { v?: unknown }).v === 1 &&
    Array.isArray((value as { s?: unknown }).s)
  );
}
