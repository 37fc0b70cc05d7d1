import { diag } from '@opentelemetry/api';
import type { Attributes, HrTime } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import { earlier, later, sameNumbers } from './compare.js';
import type { Snapshot, WireHistogram, WireMetric, WireScope } from './snapshot.js';

/**
 * How the points of one instrument from several processes or threads combine:
 * - `sum`: added per attribute set (counters, histograms, up-down counters);
 * - `per-worker`: kept apart, each labelled with the worker's slot (gauges);
 * - `own`: taken from the serving process only (host-wide `system.*` metrics, which every
 *   process reports identically, so a sum would count the host once per process).
 */
export type MergePolicy = 'sum' | 'per-worker' | 'own';

/** Metrics every process reports for the whole host: taken from the serving process only. */
export const HOST_WIDE_PREFIXES: readonly string[] = ['system.'];
/**
 * Between threads of one process, `process.*` (CPU, memory of the whole process) is the same in
 * every thread too.
 */
export const PROCESS_WIDE_PREFIXES: readonly string[] = ['system.', 'process.'];

/** The merge policy of a metric, by its kind and name (documented in docs/node.md). */
export function mergePolicyOf(
  metric: Pick<WireMetric, 'd' | 't'>,
  ownPrefixes: readonly string[] = HOST_WIDE_PREFIXES,
): MergePolicy {
  for (const prefix of ownPrefixes) if (metric.d.name.startsWith(prefix)) return 'own';
  if (metric.t === DataPointType.HISTOGRAM || metric.t === DataPointType.SUM) return 'sum';
  return 'per-worker';
}

function cumulative(metric: WireMetric): boolean {
  return (metric.t === DataPointType.SUM && metric.mono === true) || metric.t === DataPointType.HISTOGRAM;
}

/**
 * The cumulative part of a worker's snapshot, what it leaves behind when it exits: counters and
 * histograms, less the metrics taken from the serving process only (`ownPrefixes`).
 */
export function cumulativeOnly(snapshot: Snapshot, ownPrefixes: readonly string[] = HOST_WIDE_PREFIXES): Snapshot {
  const keep = (metric: WireMetric): boolean => cumulative(metric) && mergePolicyOf(metric, ownPrefixes) !== 'own';
  return {
    v: 1,
    s: snapshot.s.map((scope) => ({ ...scope, m: scope.m.filter(keep) })).filter((scope) => scope.m.length > 0),
  };
}

/** A key equal for equal attribute sets, whatever their key order (sorted only when needed). */
function attributeKey(attributes: Attributes): string {
  let key = '';
  let previous = '';
  let sorted = true;
  for (const k in attributes) {
    if (k < previous) sorted = false;
    previous = k;
    key += `${k}\u0000${String(attributes[k])}\u0001`;
  }
  if (sorted) return key;
  key = '';
  for (const k of Object.keys(attributes).sort()) key += `${k}\u0000${String(attributes[k])}\u0001`;
  return key;
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

interface MetricEntry {
  metric: WireMetric;
  policy: MergePolicy;
  st: HrTime;
  et: HrTime;
  boundaries: number[];
  // Attribute key -> the merged [attributes, value]; values owned by the merger (mutable).
  points: Map<string, [Attributes, unknown]>;
}

/** A worker's label for per-worker points: `[attribute, value]`, or undefined for the serving process. */
export type WorkerLabel = readonly [string, string] | undefined;

/**
 * Merges snapshots of several processes or threads into one, instrument by instrument under
 * {@link mergePolicyOf}. Inputs are never modified. Pure, apart from `diag` warnings (once per
 * problem, remembered in `warned`).
 */
export class MetricsMerger {
  private readonly scopes = new Map<string, { scope: Omit<WireScope, 'm'>; metrics: Map<string, MetricEntry> }>();

  constructor(
    private readonly warned: Set<string> = new Set(),
    private readonly ownPrefixes: readonly string[] = HOST_WIDE_PREFIXES,
  ) {}

  /** Adds one snapshot; `label` marks the worker it came from (undefined: the serving process). */
  add(snapshot: Snapshot, label: WorkerLabel): this {
    for (const scope of snapshot.s) {
      let scopeEntry = this.scopes.get(scope.name);
      if (scopeEntry === undefined) {
        scopeEntry = {
          scope: { name: scope.name, version: scope.version, schemaUrl: scope.schemaUrl },
          metrics: new Map(),
        };
        this.scopes.set(scope.name, scopeEntry);
      }
      for (const metric of scope.m) this.addMetric(scopeEntry.metrics, metric, label);
    }
    return this;
  }

  /** The merged snapshot. */
  result(): Snapshot {
    const s: WireScope[] = [];
    for (const { scope, metrics } of this.scopes.values()) {
      const m: WireMetric[] = [];
      for (const entry of metrics.values()) {
        if (entry.points.size === 0) continue;
        const metric: WireMetric = { ...entry.metric, st: entry.st, et: entry.et, p: [...entry.points.values()] };
        if (entry.metric.t === DataPointType.HISTOGRAM) metric.b = entry.boundaries;
        m.push(metric);
      }
      if (m.length > 0) s.push({ ...scope, m });
    }
    return { v: 1, s };
  }

  private warn(key: string, message: string): void {
    if (this.warned.has(key) || this.warned.size > 1000) return;
    this.warned.add(key);
    diag.warn(`mltel: ${message}`);
  }

  private addMetric(metrics: Map<string, MetricEntry>, metric: WireMetric, label: WorkerLabel): void {
    const name = metric.d.name;
    let entry = metrics.get(name);
    if (entry === undefined) {
      entry = {
        metric,
        policy: mergePolicyOf(metric, this.ownPrefixes),
        st: metric.st,
        et: metric.et,
        boundaries: metric.b ?? [],
        points: new Map(),
      };
      metrics.set(name, entry);
    } else if (entry.metric.t !== metric.t || entry.metric.mono !== metric.mono) {
      this.warn(
        `kind:${name}`,
        `${name} is a different kind of instrument in different workers; the later one is left out`,
      );
      return;
    } else {
      entry.st = earlier(entry.st, metric.st);
      entry.et = later(entry.et, metric.et);
    }
    const policy = entry.policy;
    if (policy === 'own' && label !== undefined) return;
    const histogram = metric.t === DataPointType.HISTOGRAM;
    const points = entry.points;
    for (const [attributes, value] of metric.p) {
      if (policy === 'per-worker') {
        const labelled = label === undefined ? attributes : { ...attributes, [label[0]]: label[1] };
        points.set(attributeKey(labelled), [labelled, value]);
        continue;
      }
      const key = attributeKey(attributes);
      const existing = points.get(key);
      if (histogram) {
        const incoming = value as WireHistogram;
        if (existing === undefined) {
          const counts = new Array<number>(entry.boundaries.length + 1).fill(0);
          const merged: WireHistogram = [0, 0, null, null, counts];
          this.addHistogram(merged, incoming, entry.boundaries, metric.b ?? [], name);
          points.set(key, [attributes, merged]);
        } else {
          this.addHistogram(existing[1] as WireHistogram, incoming, entry.boundaries, metric.b ?? [], name);
        }
      } else if (existing === undefined) {
        points.set(key, [attributes, value]);
      } else {
        existing[1] = (existing[1] as number) + (value as number);
      }
    }
  }

  /**
   * Adds histogram `from` into `into` (whose boundaries are `target`). Same boundaries: bucket by
   * bucket. Different ones (a worker running other code): each source bucket goes into the first
   * target bucket whose upper bound is at least the source's, so count and sum stay exact and no
   * value lands in a bucket below its own; the shape is coarser, and one warning says so.
   */
  private addHistogram(
    into: WireHistogram,
    from: WireHistogram,
    target: number[],
    metricBoundaries: number[],
    name: string,
  ): void {
    const source = from[5] ?? metricBoundaries;
    const counts = into[4];
    if (sameNumbers(target, source)) {
      for (let i = 0; i < counts.length; i++) counts[i]! += from[4][i] ?? 0;
    } else {
      this.warn(
        `boundaries:${name}`,
        `${name} has different bucket boundaries in different workers; their buckets are folded into the first worker's (count and sum stay exact)`,
      );
      for (let i = 0; i < from[4].length; i++) {
        const upper = i < source.length ? source[i]! : Number.POSITIVE_INFINITY;
        let j = 0;
        while (j < target.length && target[j]! < upper) j++;
        counts[j]! += from[4][i] ?? 0;
      }
    }
    into[0] += from[0];
    into[1] += from[1];
    into[2] = minOf(into[2], from[2]);
    into[3] = maxOf(into[3], from[3]);
  }
}
